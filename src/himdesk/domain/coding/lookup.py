"""The encoder: from what a clinician wrote to ranked ICD-10-CM codes, each with the index
path that leads to it, the way a coder works the Alphabetic Index.

A query is read as typed and with its abbreviations and lay terms in index wording; unknown
words are corrected against the index vocabulary. Each index entry is scored by how well
the query's words explain its path and its path explains the query: every query word
matched counts, every line of the path the query leaves unmatched costs (so an unqualified
"heart failure" lands on the index default "Failure, heart" rather than a deeper line),
non-essential modifiers only help, the main term matching is preferred. See references are
followed to the line they name, see-also targets are offered as further candidates, and the
tabular checks and completes each code (`tabular_completion`). Tabular titles and inclusion
terms are a second source, so a code title finds its code too.
"""

from __future__ import annotations

import gc
import heapq
from collections import Counter
from dataclasses import dataclass

from himdesk.domain.coding.alphabetic_index import IndexKind
from himdesk.domain.coding.code_set import DiagnosisCodeSet
from himdesk.domain.coding.codes import dotted, looks_like_cm_code, normalized_code
from himdesk.domain.coding.index_navigation import IndexNavigator, IndexTarget
from himdesk.domain.coding.lookup_scoring import Scored, score_entry
from himdesk.domain.coding.search_entries import SearchCatalog, SearchEntry
from himdesk.domain.coding.tabular_completion import CodeCompletion, TabularCompletion
from himdesk.domain.coding.term_matching import (
    STOPWORDS,
    SpellingCorrector,
    TermNormalizer,
    load_clinical_synonyms,
    surface_words,
)

MAX_QUERY_LENGTH = 200
_SCORED_CANDIDATES = 1500  # entries scored in full per reading, by words shared
_COMMON_POSTINGS = 2500  # a word on more entries than this is a common one
_HIT_SOURCES = 40  # best entries turned into hits
_SEE_COST = 0.005
_SEE_ALSO_COST = 0.05
_EXPANDED_COST = 0.02
_CORRECTED_COST = 0.03
_INCOMPLETE_COST = 0.002


@dataclass(frozen=True, slots=True)
class LookupHit:
    code: str  # dotted; an incomplete index code keeps its "-" ("C34.9-")
    title: str  # the tabular title; "" when the tabular lacks the code
    path: str  # the index path that leads to the code, as a coder writes it
    score: float
    valid: bool = True  # in the release's tabular
    billable: bool = True
    note: str = ""  # e.g. "see tabular: more characters needed", "see from Attack, heart"


class Encoder:
    def __init__(
        self,
        code_set: DiagnosisCodeSet,
        normalizer: TermNormalizer,
        navigator: IndexNavigator,
        catalog: SearchCatalog,
    ) -> None:
        self.code_set = code_set
        self._normalizer = normalizer
        self._navigator = navigator
        self._catalog = catalog
        self._completion = TabularCompletion(code_set.tabular, normalizer)
        phrases = {w for p in normalizer.synonyms.expansions for w in p}
        self._speller = SpellingCorrector(catalog.vocabulary)
        self._phrase_words = phrases

    @classmethod
    def build(cls, code_set: DiagnosisCodeSet) -> Encoder:
        """About a second for a whole release. The structures are large, long-lived and
        free of reference cycles, so the cyclic garbage collector is paused while they are
        built (it would rescan them many times over) and they are frozen out of its later
        passes, which would otherwise stall a lookup now and then."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            normalizer = TermNormalizer(load_clinical_synonyms())
            navigator = IndexNavigator(code_set.indexes)
            catalog = SearchCatalog.build(code_set, normalizer, navigator)
            normalizer.forget_texts()
            encoder = cls(code_set, normalizer, navigator, catalog)
        finally:
            if enabled:
                gc.enable()
        gc.freeze()
        return encoder

    @property
    def size(self) -> int:
        """How many entries (index lines, table cells, tabular titles) are searched."""
        return len(self._catalog.entries)

    def lookup(self, text: str, limit: int = 10) -> list[LookupHit]:
        """Ranked codes for `text`, best first; valid codes before flagged ones."""
        text = text.strip()[:MAX_QUERY_LENGTH]
        if not text or limit <= 0:
            return []
        direct = self._code_hits(text)
        if direct is not None:
            return direct[:limit]
        hits: dict[str, LookupHit] = {}
        for entry, scored in self._best_entries(surface_words(text)):
            for hit in self._hits_for(entry, scored):
                known = hits.get(hit.code)
                if known is None or hit.score > known.score:
                    hits[hit.code] = hit
        ranked = sorted(hits.values(), key=lambda h: (not h.valid, -h.score, h.code))
        return ranked[:limit]

    def _best_entries(self, words: list[str]) -> list[tuple[SearchEntry, Scored]]:
        best: dict[int, Scored] = {}
        seen: set[frozenset[str]] = set()
        for spelled, cost in self._spellings(words):
            for reading, expanded in self._normalizer.readings(spelled):
                query = self._normalizer.canonical_words(reading)
                if not query or query in seen:
                    continue
                seen.add(query)
                penalty = cost + (_EXPANDED_COST if expanded else 0.0)
                for number in self._candidates(query):
                    scored = score_entry(self._catalog.entries[number], query, penalty)
                    known = best.get(number)
                    if known is None or scored.score > known.score:
                        best[number] = scored
        top = heapq.nlargest(_HIT_SOURCES, best.items(), key=lambda item: item[1].score)
        return [(self._catalog.entries[number], scored) for number, scored in top]

    def _spellings(self, words: list[str]) -> list[tuple[list[str], float]]:
        """The words with unknown ones corrected, and, when a rare word sits one slip away
        from a common one, the words with that one swapped too: [(words, cost)]."""
        corrected: list[str] = []
        likelier: list[str] = []
        cost = 0.0
        for word in words:
            if word in STOPWORDS or word in self._phrase_words:
                corrected.append(word)
                likelier.append(word)
                continue
            fixed = self._speller.correct(word)
            cost += _CORRECTED_COST if fixed else 0.0
            corrected.append(fixed or word)
            likelier.append(self._speller.likelier(word) or fixed or word)
        found = [(corrected, cost)]
        if likelier != corrected:
            found.append((likelier, cost + _CORRECTED_COST))
        return found

    def _candidates(self, query: frozenset[str]) -> list[int]:
        """Entries sharing words with the query. Rare words first: once they have found
        entries, a common word ("neoplasm", "disease") only adds to those, not its own
        thousands, which could not explain the rarer words anyway."""
        postings = sorted(
            (found for word in query if (found := self._catalog.postings.get(word))), key=len
        )
        shared: Counter[int] = Counter()
        for found in postings:
            if len(found) > _COMMON_POSTINGS and shared:
                common = set(found)
                shared.update([number for number in shared if number in common])
            else:
                shared.update(found)
        if not shared:
            return []
        # An entry sharing two words fewer than the best cannot outscore it in practice.
        floor = max(shared.values()) - 1
        close = [number for number, count in shared.items() if count >= floor]
        if len(close) <= _SCORED_CANDIDATES:
            return close
        return [number for number, _ in shared.most_common(_SCORED_CANDIDATES)]

    def _hits_for(self, entry: SearchEntry, scored: Scored) -> list[LookupHit]:
        hits: list[LookupHit] = []
        if entry.code:
            path = entry.label or self._path(
                IndexTarget(entry.kind or IndexKind.DISEASES, entry.position, entry.column)
            )
            hits += self._completed(entry.code, path, scored, 0.0, "")
        source = (
            ""
            if entry.kind is None
            else self._path(IndexTarget(entry.kind, entry.position, entry.column))
        )
        for target, cost, word in (
            (entry.see, _SEE_COST, "see"),
            (entry.see_also, _SEE_ALSO_COST, "see also"),
        ):
            if target is None:
                continue
            target = self._navigator.follow(target)
            code = self._code_at(target)
            if code:
                note = f"{word} from {source}"
                hits += self._completed(code, self._path(target), scored, cost, note)
        return hits

    def _completed(
        self, code: str, path: str, scored: Scored, cost: float, note: str
    ) -> list[LookupHit]:
        found = []
        for rank, completion in enumerate(self._completion.complete(code, scored.leftover)):
            score = scored.explained(completion.used) - cost - rank * _INCOMPLETE_COST
            found.append(_hit(completion, path, score, note))
        return found

    def _code_at(self, target: IndexTarget) -> str:
        entry = self._navigator.entry(target)
        if target.column:
            return next((c.code for c in entry.cells if c.column == target.column), "")
        return entry.code

    def _path(self, target: IndexTarget) -> str:
        index = self.code_set.indexes[target.kind]
        text = index.path_text(target.position)
        return f"{text} [{target.column}]" if target.column else text

    def _code_hits(self, text: str) -> list[LookupHit] | None:
        """A query that is a code ("I21.4", "i214") returns that code and what it opens to."""
        if " " in text or not looks_like_cm_code(text.rstrip("-")):
            return None
        key = normalized_code(text.rstrip("-"))
        node = self.code_set.tabular.find(key)
        if node is None:
            if "." not in text:
                return None
            year = self.code_set.tabular.fiscal_year
            return [
                LookupHit(
                    dotted(key),
                    "",
                    "",
                    1.0,
                    False,
                    False,
                    f"not in the FY{year} tabular: do not assign",
                )
            ]
        path = f"Tabular: {node.title}"
        hits = [_hit(c, path, 1.0, "") for c in self._completion.complete(key, frozenset())]
        for child in node.children:
            title = self.code_set.tabular.nodes[child].title
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
