"""From the code the index gives to the code a coder assigns, checked in the tabular.

The index sends the coder to the tabular ("C34.9-": more characters needed); there the
query's remaining words choose among the subdivisions ("left" -> C34.92). When they say
nothing, the words the query and the index path already used break the tie ("Cellulitis,
lower limb" with "left" is L03.116, not the left axilla; "stage 3" under the heel's pressure
ulcer), and otherwise the subdivision the tabular keeps for the unspecified case is the
default: the one whose inclusion terms say "NOS", an "unspecified" one, or the one without
the complication (C34.90, C91.10, I85.00 "without bleeding", F17.210 "uncomplicated");
"Other ..." only under an "Other ..." parent (S82.89- "Fracture of ankle NOS" -> S82.899).
A 7th character is the one the query names ("initial encounter"); otherwise the tabular's
unspecified one, else A (initial encounter: the encounter for active treatment) is assumed
and said so, and the code without it follows, flagged. A code the release's tabular does
not have is flagged, never offered as valid.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from himdesk.domain.coding.codes import dotted, normalized_code
from himdesk.domain.coding.tabular import NoteKind, Tabular, TabularLevel, TabularNode
from himdesk.domain.coding.term_matching import (
    TermNormalizer,
    affirmed,
    decided,
    surface_words,
)

NEEDS_MORE = "see tabular: more characters needed"
_MAX_DEPTH = 7  # category to 6th character
_REMEMBERED_TITLES = 20_000


@dataclass(frozen=True, slots=True)
class CodeCompletion:
    code: str  # dotted; an incomplete index code keeps its "-"
    title: str
    valid: bool  # the release's tabular has it
    billable: bool
    note: str = ""
    default: bool = False  # chosen for an unqualified query, not by the query's words
    used: int = 0  # query words the tabular's subdivisions explained
    contradicted: bool = False  # the title denies what the query says ("without heart failure")


class TabularCompletion:
    def __init__(self, tabular: Tabular, normalizer: TermNormalizer) -> None:
        self._tabular = tabular
        self._normalizer = normalizer
        self._split: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {}

    def _said(self, title: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """The words a title affirms, those it denies, and all it decides with denials
        marked "~" ("unspecified whether ..." decides nothing); remembered: lookups repeat."""
        found = self._split.get(title)
        if found is None:
            says, denies = affirmed(title)
            words = self._normalizer.words
            found = (words(says), words(denies), words(decided(title)))
            if len(self._split) < _REMEMBERED_TITLES:
                self._split[title] = found
        return found

    def complete(
        self,
        printed: str,
        leftover: frozenset[str],
        query: frozenset[str] = frozenset(),
        path: frozenset[str] = frozenset(),
    ) -> list[CodeCompletion]:
        """The completions of an index code, best first: the code the tabular leads to,
        then the index code itself when it is not billable. `leftover` are the query words
        the index path did not explain, `path` the words of that path."""
        key = normalized_code(printed.rstrip("-"))
        node = self._tabular.nodes.get(key)
        if node is None or node.level in (TabularLevel.CHAPTER, TabularLevel.SECTION):
            year = self._tabular.fiscal_year
            note = f"not in the FY{year} tabular: do not assign"
            return [CodeCompletion(printed, "", valid=False, billable=False, note=note)]
        if not node.children:
            found = self._leaf(node, leftover, default=False)
        else:
            shown = printed if printed.endswith("-") else dotted(key) + "-"
            own = CodeCompletion(shown, node.title, valid=True, billable=False, note=NEEDS_MORE)
            found = [*self._descend(node, leftover, query | path), own]
        return [self._checked(completion, query) for completion in found]

    def _checked(self, completion: CodeCompletion, query: frozenset[str]) -> CodeCompletion:
        says, denies, _ = self._said(completion.title)
        if _denied(denies - says, query):
            return replace(completion, contradicted=True)
        return completion

    def _descend(
        self, node: TabularNode, leftover: frozenset[str], context: frozenset[str]
    ) -> list[CodeCompletion]:
        left = set(leftover)
        defaulted = False
        for _ in range(_MAX_DEPTH):
            if not node.children:
                break
            child, used = self._choose_child(node, left, context)
            if child is None:
                return []
            defaulted = defaulted or not used
            left -= used
            node = child
        if node.children:
            return []
        explained = len(leftover) - len(left)
        return [
            replace(leaf, used=leaf.used + explained)
            for leaf in self._leaf(node, frozenset(left), default=defaulted)
        ]

    def _choose_child(
        self, node: TabularNode, leftover: set[str], context: frozenset[str]
    ) -> tuple[TabularNode | None, set[str]]:
        """The subdivision the query's words name, ties (and silence) broken by the words
        of the query and the index path; else the tabular's default for the unspecified
        case; "Other ..." never by default, nor one denying what the query says."""
        parent_words = self._normalizer.words(node.title)
        parent_unspecified = _unspecified(node.title)
        # "Other fractures of lower leg" -> "Other fracture of unspecified lower leg": the
        # child's "Other" only repeats its parent's, so its unspecified one may be the default.
        parent_other = _other(node.title)
        best: tuple[int, int, TabularNode, set[str]] | None = None
        default: tuple[tuple[int, int], int, TabularNode] | None = None
        for key in node.children:
            child = self._tabular.nodes.get(key)
            if child is None or key == node.key:
                continue
            says, denies, decides = self._said(child.title)
            specific = says - parent_words
            named = decides - parent_words
            used = set(named & leftover)
            near = len(named & context)
            if (used or near) and (best is None or (len(used), near) > best[:2]):
                best = (len(used), near, child, used)
            rank = self._default_rank(child, specific, parent_unspecified, parent_other)
            if rank is None or _denied(denies - parent_words, context):
                continue
            if default is None or rank < default[0]:
                default = (rank, near, child)
        if best is not None and (best[0] or default is None or best[1] > default[1]):
            return best[2], best[3]
        return (default[2] if default else None), set()

    def _default_rank(
        self,
        child: TabularNode,
        specific: frozenset[str],
        parent_unspecified: int,
        parent_other: bool = False,
    ) -> tuple[int, int] | None:
        """How surely a subdivision is the one for "nothing more stated", lower is surer:
        its inclusion terms say NOS; it adds nothing but assumed words or says
        "unspecified" where its parent did not; it is the one without a complication or
        "not specified as" one; "with unspecified ..." (a complication, stated). None: not
        a default."""
        if _other(child.title) and not parent_other:
            return None
        added = specific - self._normalizer.assumed
        words = surface_words(child.title)
        inclusions = child.notes.get(NoteKind.INCLUSION_TERM, ())
        if any(surface_words(term)[-1:] == ["nos"] for term in inclusions):
            return (0, len(added))
        if not added or _unspecified(child.title) > parent_unspecified:
            # "with unspecified ..." states a complication: the last resort
            return (3 if "with unspecified" in child.title.lower() else 1, len(added))
        if self._said(child.title)[1] or "uncomplicated" in words:
            return (2, len(added))
        return None

    def _leaf(
        self, node: TabularNode, leftover: frozenset[str], default: bool
    ) -> list[CodeCompletion]:
        code = dotted(node.key)
        rule = self._tabular.seventh_rule(node.key)
        if rule is None:
            note = "unspecified subdivision chosen in the tabular" if default else ""
            return [CodeCompletion(code, node.title, True, True, note, default)]
        best = ("", 0)
        for character, meaning in rule.characters:
            overlap = len(self._normalizer.words(meaning) & leftover)
            if overlap > best[1]:
                best = (character, overlap)
        if best[0]:
            full = _with_seventh(node.key, best[0])
            return [CodeCompletion(full, node.title, True, True, "", default, best[1])]
        choices = "; ".join(f"{c} {m}" for c, m in rule.characters[:4])
        more = "; ..." if len(rule.characters) > 4 else ""
        bare = CodeCompletion(
            code, node.title, True, False, f"7th character required ({choices}{more})", default
        )
        assumed = _assumed_seventh(rule.characters)
        if assumed is None:
            return [bare]
        character, meaning = assumed
        note = f"7th character {character} assumed ({meaning}): the query does not say"
        full = _with_seventh(node.key, character)
        return [CodeCompletion(full, node.title, True, True, note, True), bare]


def _denied(denied: frozenset[str], query: frozenset[str]) -> bool:
    """The query says all a title denies ("heart failure" and "... without heart
    failure"); "acute pulmonary embolism" does not say "without acute cor pulmonale"."""
    return bool(denied) and denied <= query


def _with_seventh(key: str, character: str) -> str:
    return dotted(key + "X" * (6 - len(key)) + character)


def _assumed_seventh(characters: tuple[tuple[str, str], ...]) -> tuple[str, str] | None:
    """The 7th character for a query that names none: the tabular's unspecified one, else
    A when it means the initial encounter (active treatment, the usual inpatient case)."""
    for character, meaning in characters:
        if {"unspecified", "applicable"} & set(surface_words(meaning)):
            return character, meaning
    for character, meaning in characters:
        if character == "A" and meaning.lower().startswith("initial encounter"):
            return character, meaning
    return None


def _unspecified(title: str) -> int:
    words = surface_words(title)
    return words.count("unspecified") + words.count("nos")


def _other(title: str) -> bool:
    words = surface_words(title)
    return bool(words) and words[0] in ("other", "others")
