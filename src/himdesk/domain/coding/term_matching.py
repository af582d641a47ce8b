"""How the encoder compares what a clinician typed with the words of the index.

Both sides go through the same normalization, so "myocardial infarction" and "Infarct,
myocardium" meet on the same words: lowercase, punctuation dropped, word forms that mean the
same folded onto one ("cardiac" -> "heart", "haemorrhage" -> "hemorrhage"), then a light
suffix stemmer ("infarction" -> "infarct", "myocardial"/"myocardium" -> "myocardi").
Abbreviations and lay terms ("NSTEMI", "heart attack") are expanded into index wording as
alternative readings of the query; the curated table lives in `clinical_synonyms.txt`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

_WORD = re.compile(r"[a-z0-9]+")

# Connectors and default markers: they neither match nor need matching ("NEC", "NOS",
# "unspecified" mark the default line of the index, not a word the coder types).
_STOPWORDS = "a an and or of the in on to for by with at as from into its is are be nos nec"
STOPWORDS = frozenset((_STOPWORDS + " due s unspecified than").split(" "))

# (suffix, replacement, shortest stem kept) - first match wins; both sides are stemmed alike,
# so a stem only has to be consistent, not a dictionary word.
_SUFFIXES: tuple[tuple[str, str, int], ...] = (
    ("ctions", "ct", 3),
    ("ction", "ct", 3),
    ("ies", "y", 3),
    ("sses", "ss", 3),
    ("iums", "i", 4),
    ("ium", "i", 4),
    ("ial", "i", 4),
    ("ae", "a", 4),
    ("al", "", 4),  # sacral / sacrum, duodenal / duodenum
    ("um", "", 4),
    ("ia", "", 4),  # ischemia / ischemic, anemia / anemic
    ("ic", "", 4),
    ("ing", "", 4),
    ("ed", "", 4),
    ("ous", "ous", 3),
    ("ss", "ss", 2),
    ("us", "us", 2),
    ("is", "is", 2),
    ("s", "", 3),
)


def surface_words(text: str) -> list[str]:
    """Lowercase words and numbers as typed, in order: "Non-ST elevation (NSTEMI)" ->
    ["non", "st", "elevation", "nstemi"]."""
    return _WORD.findall(text.lower())


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    if len(word) < 5 or word.isdigit():
        return word
    for suffix, replacement, shortest in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= shortest:
            return word[: len(word) - len(suffix)] + replacement
    return word


@dataclass(frozen=True, slots=True)
class ClinicalSynonyms:
    """The curated table: phrase expansions and word forms that mean the same."""

    expansions: Mapping[tuple[str, ...], tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    same: Mapping[str, str] = field(default_factory=dict)
    assumed: frozenset[str] = frozenset()  # qualifiers a coder assumes when none is written

    @classmethod
    def parse(cls, text: str) -> ClinicalSynonyms:
        """Lines "phrase = expansion | expansion" under `[expand]`, "word = word" under
        `[same]`, one word a line under `[assumed]`; `#` starts a comment. Raises ValueError
        naming the bad line."""
        expansions: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
        same: dict[str, str] = {}
        assumed: set[str] = set()
        section = ""
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if line in ("[expand]", "[same]", "[assumed]"):
                section = line
                continue
            if section == "[assumed]":
                assumed.update(surface_words(line))
                continue
            left, equals, right = line.partition("=")
            phrase = tuple(surface_words(left))
            readings = tuple(tuple(surface_words(r)) for r in right.split("|"))
            if not equals or not phrase or not all(readings) or not section:
                raise ValueError(f"clinical synonyms line {number}: expected 'term = term'")
            if section == "[same]":
                if len(phrase) != 1 or len(readings) != 1 or len(readings[0]) != 1:
                    raise ValueError(f"clinical synonyms line {number}: [same] maps one word")
                same[phrase[0]] = readings[0][0]
            else:
                expansions[phrase] = expansions.get(phrase, ()) + readings
        return cls(expansions, same, frozenset(assumed))


def load_clinical_synonyms() -> ClinicalSynonyms:
    resource = files("himdesk.domain.coding").joinpath("clinical_synonyms.txt")
    return ClinicalSynonyms.parse(resource.read_text(encoding="utf-8"))


class TermNormalizer:
    """Turns index text and queries into comparable words."""

    def __init__(self, synonyms: ClinicalSynonyms) -> None:
        self.synonyms = synonyms
        self._longest_phrase = max((len(p) for p in synonyms.expansions), default=1)
        self._canonical: dict[str, str] = {}
        self._words: dict[str, frozenset[str]] = {}
        self.assumed = frozenset(self.canonical(w) for w in synonyms.assumed)

    def canonical(self, word: str) -> str:
        found = self._canonical.get(word)
        if found is None:
            found = stem(self.synonyms.same.get(word, word))
            self._canonical[word] = found
        return found

    def words(self, text: str) -> frozenset[str]:
        """The meaningful canonical words of an index line or title."""
        found = self._words.get(text)
        if found is None:
            found = self.canonical_words(_WORD.findall(text.lower()))
            if len(self._words) < _REMEMBERED_TEXTS:
                self._words[text] = found
        return found

    def forget_texts(self) -> None:
        """Drop the words remembered per text while building: a lookup needs few of them."""
        self._words.clear()

    def canonical_words(self, words: Iterable[str]) -> frozenset[str]:
        known = self._canonical
        return frozenset([known.get(w) or self.canonical(w) for w in words if w not in STOPWORDS])

    def readings(self, words: list[str], limit: int = 6) -> list[tuple[list[str], bool]]:
        """The query as typed, then with its abbreviations and lay terms replaced by index
        wording (first reading of each, then each further reading of one phrase):
        [(words, expanded?)], at most `limit`."""
        matches = self._phrases(words)
        if not matches:
            return [(words, False)]
        choice = [0] * len(matches)
        found: list[tuple[list[str], bool]] = [
            (words, False),
            (self._replace(words, matches, choice), True),
        ]
        for index, (_, _, replacements) in enumerate(matches):
            for alternative in range(1, len(replacements)):
                varied = [*choice]
                varied[index] = alternative
                found.append((self._replace(words, matches, varied), True))
        return found[:limit]

    def _phrases(self, words: list[str]) -> list[tuple[int, int, tuple[tuple[str, ...], ...]]]:
        """Non-overlapping synonym phrases, longest first, left to right."""
        found = []
        start = 0
        while start < len(words):
            step = 1
            for size in range(min(self._longest_phrase, len(words) - start), 0, -1):
                replacements = self.synonyms.expansions.get(tuple(words[start : start + size]))
                if replacements is not None:
                    found.append((start, size, replacements))
                    step = size
                    break
            start += step
        return found

    @staticmethod
    def _replace(
        words: list[str],
        matches: list[tuple[int, int, tuple[tuple[str, ...], ...]]],
        choice: list[int],
    ) -> list[str]:
        result: list[str] = []
        position = 0
        for (start, size, replacements), picked in zip(matches, choice, strict=True):
            result += words[position:start]
            result += replacements[picked]
            position = start + size
        return result + words[position:]


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

    def knows(self, word: str) -> bool:
        return word in self._frequency

    def correct(self, word: str) -> str | None:
        """The closest vocabulary word within one edit (two for long words), else None."""
        if len(word) < 4 or not word.isalpha() or word in self._frequency:
            return None
        return self._closest(word, 1 if len(word) < 8 else 2, minimum=1)

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


_REMEMBERED_TEXTS = 20_000  # short texts repeat ("left", "specified NEC"); titles do not
_RARE = 3  # index lines a word appears on for it to count as rare
_COMMON = 20  # ... and how many more a neighbour needs to count as the likelier word
