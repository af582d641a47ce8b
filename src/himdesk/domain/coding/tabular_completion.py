"""From the code the index gives to the code a coder assigns, checked in the tabular.

The index sends the coder to the tabular ("C34.9-": more characters needed); there the
query's remaining words choose among the subdivisions ("left" -> C34.92), and when they
say nothing, the subdivision the tabular keeps for the unspecified case is the default
(C34.90). A 7th character is added only when the query says which (initial encounter...).
A code the release's tabular does not have is flagged, never offered as valid.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from himdesk.domain.coding.codes import dotted, normalized_code
from himdesk.domain.coding.tabular import Tabular, TabularLevel, TabularNode
from himdesk.domain.coding.term_matching import TermNormalizer, surface_words

NEEDS_MORE = "see tabular: more characters needed"
_MAX_DEPTH = 7  # category to 6th character


@dataclass(frozen=True, slots=True)
class CodeCompletion:
    code: str  # dotted; an incomplete index code keeps its "-"
    title: str
    valid: bool  # the release's tabular has it
    billable: bool
    note: str = ""
    default: bool = False  # chosen for an unqualified query, not by the query's words
    used: int = 0  # query words the tabular's subdivisions explained


class TabularCompletion:
    def __init__(self, tabular: Tabular, normalizer: TermNormalizer) -> None:
        self._tabular = tabular
        self._normalizer = normalizer

    def complete(self, printed: str, leftover: frozenset[str]) -> list[CodeCompletion]:
        """The completions of an index code, best first: the code the tabular leads to,
        then the index code itself when it is not billable."""
        key = normalized_code(printed.rstrip("-"))
        node = self._tabular.nodes.get(key)
        if node is None or node.level in (TabularLevel.CHAPTER, TabularLevel.SECTION):
            year = self._tabular.fiscal_year
            note = f"not in the FY{year} tabular: do not assign"
            return [CodeCompletion(printed, "", valid=False, billable=False, note=note)]
        if not node.children:
            return [self._leaf(node, leftover, default=False)]
        shown = printed if printed.endswith("-") else dotted(key) + "-"
        own = CodeCompletion(shown, node.title, valid=True, billable=False, note=NEEDS_MORE)
        found = self._descend(node, leftover)
        return [found, own] if found is not None else [own]

    def _descend(self, node: TabularNode, leftover: frozenset[str]) -> CodeCompletion | None:
        left = set(leftover)
        defaulted = False
        for _ in range(_MAX_DEPTH):
            if not node.children:
                break
            child, used = self._choose_child(node, left)
            if child is None:
                return None
            defaulted = defaulted or not used
            left -= used
            node = child
        if node.children:
            return None
        leaf = self._leaf(node, frozenset(left), default=defaulted)
        return replace(leaf, used=leaf.used + len(leftover) - len(left))

    def _choose_child(
        self, node: TabularNode, leftover: set[str]
    ) -> tuple[TabularNode | None, set[str]]:
        """The subdivision the query's words name; else the one the tabular keeps for the
        unspecified case: nothing added but assumed words, or more "unspecified" than the
        parent, fewest words added first ("Heart failure, unspecified" over "Left
        ventricular failure, unspecified"); "Other ..." never."""
        parent_words = self._normalizer.words(node.title)
        parent_unspecified = _unspecified(node.title)
        best: tuple[int, TabularNode, set[str]] | None = None
        default: tuple[int, TabularNode] | None = None
        for key in node.children:
            child = self._tabular.nodes.get(key)
            if child is None or key == node.key:
                continue
            specific = self._normalizer.words(child.title) - parent_words
            used = set(specific & leftover)
            if used and (best is None or len(used) > best[0]):
                best = (len(used), child, used)
            added = specific - self._normalizer.assumed
            unspecified = not added or _unspecified(child.title) > parent_unspecified
            if (
                unspecified
                and not _other(child.title)
                and (default is None or len(added) < default[0])
            ):
                default = (len(added), child)
        if best is not None:
            return best[1], best[2]
        return (default[1] if default else None), set()

    def _leaf(self, node: TabularNode, leftover: frozenset[str], default: bool) -> CodeCompletion:
        code = dotted(node.key)
        rule = self._tabular.seventh_rule(node.key)
        if rule is None:
            note = "unspecified subdivision chosen in the tabular" if default else ""
            return CodeCompletion(code, node.title, True, True, note, default)
        best = ("", 0)
        for character, meaning in rule.characters:
            overlap = len(self._normalizer.words(meaning) & leftover)
            if overlap > best[1]:
                best = (character, overlap)
        if best[0]:
            full = node.key + "X" * (6 - len(node.key)) + best[0]
            return CodeCompletion(dotted(full), node.title, True, True, "", default, best[1])
        choices = "; ".join(f"{c} {m}" for c, m in rule.characters[:4])
        note = f"7th character required ({choices}{'; ...' if len(rule.characters) > 4 else ''})"
        return CodeCompletion(code, node.title, True, False, note, default)


def _unspecified(title: str) -> int:
    words = surface_words(title)
    return words.count("unspecified") + words.count("nos")


def _other(title: str) -> bool:
    words = surface_words(title)
    return bool(words) and words[0] in ("other", "others")
