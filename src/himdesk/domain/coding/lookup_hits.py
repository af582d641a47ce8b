"""From a scored search entry to the codes a coder would write down, as hits with their
index paths: the entry's own code, the lines its see and see-also references land on (read
on below them by the query's other words), a substance's column in the Table of Drugs, and
each code completed and checked in the tabular (`tabular_completion`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from himdesk.domain.coding.alphabetic_index import IndexKind
from himdesk.domain.coding.code_set import DiagnosisCodeSet
from himdesk.domain.coding.codes import dotted, looks_like_cm_code, normalized_code
from himdesk.domain.coding.drug_table import drug_column
from himdesk.domain.coding.index_navigation import IndexNavigator, IndexTarget
from himdesk.domain.coding.index_reading import read_on
from himdesk.domain.coding.lookup_scoring import MISSING_LINE_COST, Scored
from himdesk.domain.coding.search_entries import SearchEntry
from himdesk.domain.coding.tabular_completion import CodeCompletion, TabularCompletion
from himdesk.domain.coding.term_matching import TermNormalizer

_SEE_COST = 0.005
_SEE_ALSO_COST = 0.05
_INCOMPLETE_COST = 0.002
_REMEMBERED_PATHS = 20_000


@dataclass(frozen=True, slots=True)
class LookupHit:
    code: str  # dotted; an incomplete index code keeps its "-" ("C34.9-")
    title: str  # the tabular title; "" when the tabular lacks the code
    path: str  # the index path that leads to the code, as a coder writes it
    score: float
    valid: bool = True  # in the release's tabular
    billable: bool = True
    note: str = ""  # e.g. "see tabular: more characters needed", "see from Attack, heart"


class EntryHits:
    """The hits of one release's entries."""

    def __init__(
        self, code_set: DiagnosisCodeSet, normalizer: TermNormalizer, navigator: IndexNavigator
    ) -> None:
        self._tabular = code_set.tabular
        self._normalizer = normalizer
        self._navigator = navigator
        self._completion = TabularCompletion(code_set.tabular, normalizer)
        self._path_cache: dict[tuple[IndexKind, int], frozenset[str]] = {}

    def of(self, entry: SearchEntry, scored: Scored, implied: frozenset[str]) -> list[LookupHit]:
        """`implied`: the query's words and what a coder reads into them."""
        hits: list[LookupHit] = []
        own = IndexTarget(entry.kind or IndexKind.DISEASES, entry.position, entry.column)
        if entry.code or entry.kind is IndexKind.DRUGS:
            words = frozenset().union(*(line.words for line in entry.lines))
            hits += self._at(own, entry.code, entry.label, scored, 0.0, "", words)
        source = "" if entry.kind is None else self._navigator.path_text(own)
        for target, cost, word in (
            (entry.see, _SEE_COST, "see"),
            (entry.see_also, _SEE_ALSO_COST, "see also"),
        ):
            if target is None:
                continue
            target, used = read_on(
                self._navigator,
                self._navigator.follow(target),
                scored.query,
                implied,
                self._normalizer.words,
            )
            used &= scored.leftover
            gained = len(used) - len(self._lost(own, target, scored, word))
            read = replace(scored, score=scored.score + gained / scored.query_size,
                           leftover=scored.leftover - used)  # fmt: skip
            code = self._navigator.entry(target).code
            if target.column:
                code = next((c.code for c in self._navigator.entry(target).cells
                             if c.column == target.column), "")  # fmt: skip
            words = self._path_words(target)
            hits += self._at(target, code, "", read, cost, f"{word} from {source}", words)
        return hits

    def _at(
        self,
        target: IndexTarget,
        code: str,
        label: str,
        scored: Scored,
        cost: float,
        note: str,
        words: frozenset[str],
    ) -> list[LookupHit]:
        """The hits for the code at an index line (a substance's row: the column the
        query chooses) and its tabular completions; `words`: the line's path's words."""
        if target.kind is IndexKind.DRUGS and not target.column:
            cells = self._navigator.entry(target).cells
            column = drug_column(cells, scored.query, self._normalizer.words)
            if column is None:
                return []
            target, code = replace(target, column=column.column), column.code
        if not code:
            return []
        path = label or self._navigator.path_text(target)
        found = []
        completions = self._completion.complete(code, scored.leftover, scored.query, words)
        for rank, completion in enumerate(completions):
            score = scored.explained(completion.used) - cost - rank * _INCOMPLETE_COST
            score -= MISSING_LINE_COST if completion.contradicted else 0.0
            found.append(_hit(completion, path, score, note))
        return found

    def _lost(
        self, source: IndexTarget, target: IndexTarget, scored: Scored, word: str
    ) -> frozenset[str]:
        """A see-also to another line of the same main term ("History, family, see also
        History, personal") is an alternative, not a synonym: the query words only the
        source's own path explains do not carry over."""
        if word != "see also" or source.kind is not target.kind:
            return frozenset()
        lineage = self._navigator.lineage(source)
        if lineage[-1] is not self._navigator.lineage(target)[-1]:
            return frozenset()
        return (scored.query & self._path_words(source)) - self._path_words(target)

    def _path_words(self, target: IndexTarget) -> frozenset[str]:
        key = (target.kind, target.position)
        found = self._path_cache.get(key)
        if found is None:
            words = self._normalizer.words
            lineage = self._navigator.lineage(target)
            found = frozenset().union(*(words(entry.term) for entry in lineage))
            if len(self._path_cache) < _REMEMBERED_PATHS:
                self._path_cache[key] = found
        return found

    def of_code(self, text: str) -> list[LookupHit] | None:
        """A query that is a code ("I21.4", "i214") returns that code (a 7th-character
        code's stem before its completion) and what it opens to."""
        if " " in text or not looks_like_cm_code(text.rstrip("-")):
            return None
        key = normalized_code(text.rstrip("-"))
        node = self._tabular.find(key)
        if node is None:
            if "." not in text:
                return None
            note = f"not in the FY{self._tabular.fiscal_year} tabular: do not assign"
            return [LookupHit(dotted(key), "", "", 1.0, False, False, note)]
        path = f"Tabular: {node.title}"
        own = self._completion.complete(key, frozenset())
        own.sort(key=lambda c: c.code != dotted(key))
        hits = [_hit(c, path, 1.0, "") for c in own]
        for child in node.children:
            title = self._tabular.nodes[child].title
            for completion in self._completion.complete(child, frozenset()):
                if completion.code not in {h.code for h in hits}:
                    hits.append(_hit(completion, f"Tabular: {title}", 0.9, ""))
        return hits


def _hit(completion: CodeCompletion, path: str, score: float, note: str) -> LookupHit:
    notes = "; ".join(n for n in (completion.note, note) if n)
    return LookupHit(
        completion.code,
        completion.title,
        path,
        round(score, 4),
        completion.valid,
        completion.billable,
        notes,
    )
