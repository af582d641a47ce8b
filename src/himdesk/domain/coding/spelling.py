"""Misspelled query words corrected against the index vocabulary ("pnuemonia" ->
"pneumonia"), words run together split ("preeclampsia" -> "pre eclampsia"), and a rare
word one slip from a common one read as the common one ("infraction")."""

from __future__ import annotations

from collections.abc import Mapping

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from himdesk.domain.coding.term_matching import STOPWORDS

CORRECTED_COST = 0.03  # a corrected reading explains the query less surely
_RARE = 3  # index lines a word appears on for it to count as rare
_COMMON = 20  # ... and how many more a neighbour needs to count as the likelier word


class SpellingCorrector:
    """Misspelled words corrected against the index vocabulary ("pnuemonia" -> "pneumonia"),
    the closest word first and, among equally close ones, the more frequent."""

    def __init__(self, frequency: Mapping[str, int]) -> None:
        by_length: dict[int, list[str]] = {}
        for word in frequency:
            if len(word) >= 4 and word.isalpha():
                by_length.setdefault(len(word), []).append(word)
        self._by_length = {size: sorted(words) for size, words in by_length.items()}
        self._frequency = frequency

    def spellings(self, words: list[str], kept: frozenset[str]) -> list[tuple[list[str], float]]:
        """The words with unknown ones corrected (or split in two), and, when a rare word
        sits one slip away from a common one, the words with that one swapped too:
        [(words, cost)]. Stopwords and `kept` words (the synonym table's) stay as typed."""
        corrected: list[str] = []
        likelier: list[str] = []
        cost = 0.0
        for word in words:
            if word in STOPWORDS or word in kept:
                corrected.append(word)
                likelier.append(word)
                continue
            fixed = self.correct(word)
            halves = None if fixed else self.split(word)
            cost += CORRECTED_COST if fixed or halves else 0.0
            if halves:
                corrected += halves
                likelier += halves
                continue
            corrected.append(fixed or word)
            likelier.append(self.likelier(word) or fixed or word)
        found = [(corrected, cost)]
        if likelier != corrected:
            found.append((likelier, cost + CORRECTED_COST))
        return found

    def knows(self, word: str) -> bool:
        return word in self._frequency

    def correct(self, word: str) -> str | None:
        """The closest vocabulary word within one edit (two for long words), else None."""
        if len(word) < 4 or not word.isalpha() or word in self._frequency:
            return None
        return self._closest(word, 1 if len(word) < 8 else 2, minimum=1)

    def split(self, word: str) -> list[str] | None:
        """An unknown word that is two index words run together ("preeclampsia" for
        "pre-eclampsia", "nonalcoholic"), the split with the commonest rarer half."""
        if len(word) < 7 or not word.isalpha() or word in self._frequency:
            return None
        best: tuple[int, int] | None = None
        for cut in range(3, len(word) - 3):
            head, tail = word[:cut], word[cut:]
            seen = min(self._frequency.get(head, 0), self._frequency.get(tail, 0))
            if seen and (best is None or seen > best[0]):
                best = (seen, cut)
        return None if best is None else [word[: best[1]], word[best[1] :]]

    def likelier(self, word: str) -> str | None:
        """For a real but rare word one edit from a common one ("infraction" beside
        "infarction"), the common one: a likely slip of the keyboard."""
        seen = self._frequency.get(word, 0)
        if len(word) < 6 or not 0 < seen <= _RARE:
            return None
        return self._closest(word, 1, minimum=max(_COMMON, seen * _COMMON))

    def _closest(self, word: str, allowed: int, minimum: int) -> str | None:
        best: tuple[int, int, str] | None = None
        for size in range(len(word) - allowed, len(word) + allowed + 1):
            candidates = self._by_length.get(size)
            if not candidates:
                continue
            found = process.extract(
                word,
                candidates,
                scorer=DamerauLevenshtein.distance,
                score_cutoff=allowed,
                limit=None,
            )
            for candidate, distance, _ in found:
                seen = self._frequency[candidate]
                if candidate != word and seen >= minimum:
                    key = (int(distance), -seen, candidate)
                    best = key if best is None or key < best else best
        return None if best is None else best[2]
