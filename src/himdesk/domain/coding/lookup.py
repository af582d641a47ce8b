"""The encoder: from what a clinician wrote to ranked ICD-10-CM codes, each with the index
path that leads to it, the way a coder works the Alphabetic Index.

A query is read as typed and with its abbreviations and lay terms in index wording; unknown
words are corrected against the index vocabulary. Each index entry is scored by how well
the query's words explain its path and its path explains the query: every query word
matched counts, every line of the path the query leaves unmatched costs (so an unqualified
"heart failure" lands on the index default "Failure, heart" rather than a deeper line),
non-essential modifiers only help, the main term matching is preferred, and the tabular's
own "<term> NOS" inclusion term for exactly the query outranks the index. The best entries
become hits (`lookup_hits`): see references are followed to the line they name and read on
below it by the query's other words (`index_reading`), see-also targets are offered as
further candidates, and the tabular checks and completes each code (`tabular_completion`).
Tabular titles and inclusion terms are a second source, so a code title finds its code too.
"""

from __future__ import annotations

import gc
import heapq
from collections import Counter
from dataclasses import replace

from himdesk.domain.coding.code_set import DiagnosisCodeSet
from himdesk.domain.coding.index_navigation import IndexNavigator
from himdesk.domain.coding.lookup_hits import EntryHits, LookupHit
from himdesk.domain.coding.lookup_scoring import NOS_DEFAULT_BONUS, Scored, score_entry
from himdesk.domain.coding.search_entries import SearchCatalog, SearchEntry
from himdesk.domain.coding.spelling import SpellingCorrector
from himdesk.domain.coding.term_matching import (
    TermNormalizer,
    load_clinical_synonyms,
    surface_words,
)

__all__ = ["MAX_QUERY_LENGTH", "Encoder", "LookupHit"]

MAX_QUERY_LENGTH = 200
_SCORED_CANDIDATES = 1500  # entries scored in full per reading, by words shared
_COMMON_POSTINGS = 2500  # a word on more entries than this is a common one
_HIT_SOURCES = 40  # best entries turned into hits
_EXPANDED_COST = 0.02


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
        self._hits = EntryHits(code_set, normalizer, navigator)
        phrases = {w for p in normalizer.synonyms.expansions for w in p}
        self._speller = SpellingCorrector(catalog.vocabulary)
        self._phrase_words = frozenset(phrases)
        self._sides = frozenset(normalizer.canonical(w) for w in ("left", "right"))
        self._unilateral = frozenset((normalizer.canonical("unilateral"),))

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
        direct = self._hits.of_code(text)
        if direct is not None:
            return direct[:limit]
        hits: dict[str, LookupHit] = {}
        for entry, scored in self._best_entries(surface_words(text)):
            for hit in self._hits.of(entry, scored, self._implied(scored.query)):
                known = hits.get(hit.code)
                if known is None or hit.score > known.score:
                    hits[hit.code] = hit
        ranked = sorted(hits.values(), key=lambda h: (not h.valid, -h.score, h.code))
        return ranked[:limit]

    def _best_entries(self, words: list[str]) -> list[tuple[SearchEntry, Scored]]:
        best: dict[int, Scored] = {}
        seen: set[frozenset[str]] = set()
        for spelled, cost in self._speller.spellings(words, self._phrase_words):
            for reading, expanded in self._normalizer.readings(spelled):
                query = self._normalizer.canonical_words(reading)
                if not query or query in seen:
                    continue
                seen.add(query)
                penalty = cost + (_EXPANDED_COST if expanded else 0.0)
                implied = self._implied(query)
                defaults = self._catalog.nos_defaults.get(query, ())
                for number in [*self._candidates(query), *defaults]:  # best keeps the higher
                    scored = score_entry(self._catalog.entries[number], query, penalty, implied)
                    if number in defaults:
                        scored = replace(scored, score=scored.score + NOS_DEFAULT_BONUS)
                    known = best.get(number)
                    if known is None or scored.score > known.score:
                        best[number] = scored
        top = heapq.nlargest(_HIT_SOURCES, best.items(), key=lambda item: item[1].score)
        return [(self._catalog.entries[number], scored) for number, scored in top]

    def _implied(self, query: frozenset[str]) -> frozenset[str]:
        """The query and what a coder reads into it: the implied sub-terms ("History,
        personal"), and "unilateral" when it names one side."""
        if self._sides & query:
            return query | self._normalizer.implied | self._unilateral
        return query | self._normalizer.implied

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
