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
    ("coccus", "cocc", 3),  # Streptococcus / streptococcal, pneumococcus / pneumococcal
    ("cocci", "cocc", 3),
    ("ies", "y", 3),
    ("sses", "ss", 3),
    ("iums", "i", 4),
    ("ium", "i", 4),
    ("ial", "i", 4),
    ("ae", "", 4),  # vertebrae / vertebra
    ("al", "", 4),  # sacral / sacrum, duodenal / duodenum, vaginal / vagina
    ("ar", "", 4),  # vulvar / vulva, patellar / patella
    ("um", "", 4),
    ("ia", "", 4),  # ischemia / ischemic, anemia / anemic
    ("ic", "", 4),
    ("ing", "", 4),
    ("ed", "", 4),
    ("ous", "ous", 3),
    ("ss", "ss", 2),
    ("us", "us", 2),
    ("is", "is", 2),
    ("a", "", 4),  # vagina / vaginal, urethra / urethral, aorta / aortic
    ("s", "", 3),
)


def surface_words(text: str) -> list[str]:
    """Lowercase words and numbers as typed, in order: "Non-ST elevation (NSTEMI)" ->
    ["non", "st", "elevation", "nstemi"]."""
    return _WORD.findall(text.lower())


_DENIAL_SCOPE = frozenset(("without", "with"))
_UNDECIDED = re.compile(r"\b(?:unspecified whether|not specified as)\b[^,]*", re.IGNORECASE)
_DENIED = re.compile(r"\b(?:without|unspecified whether|not specified as)\b", re.IGNORECASE)
_CLAUSE_END = re.compile(r",| of ", re.IGNORECASE)


def decided(title: str) -> str:
    """A title without what it leaves open: "Acute respiratory failure, unspecified whether
    with hypoxia or hypercapnia" -> "Acute respiratory failure, "."""
    if "whether" not in title and "specified as" not in title:
        return title  # most titles: no regular expression needed
    return _UNDECIDED.sub("", title)


def affirmed(title: str) -> tuple[str, str]:
    """A tabular title split into what it affirms and what it denies, the denial running
    to the next comma or "of": "Laceration without foreign body of scalp" ->
    ("Laceration of scalp", "foreign body"). A query saying "foreign body" is not
    explained by the first part and is contradicted by the second."""
    found = _DENIED.search(title)
    if found is None:
        return title, ""
    end = _CLAUSE_END.search(title, found.end())
    stop = end.start() if end else len(title)
    return title[: found.start()].rstrip() + title[stop:], title[found.end() : stop].strip()


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
    implied: frozenset[str] = frozenset()  # sub-terms a coder reads on through unless told

    @classmethod
    def parse(cls, text: str) -> ClinicalSynonyms:
        """Lines "phrase = expansion | expansion" under `[expand]`, "word = word" under
        `[same]`, words under `[assumed]` and `[implied]`; `#` starts a comment. Raises ValueError
        naming the bad line."""
        expansions: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
        same: dict[str, str] = {}
        assumed: set[str] = set()
        implied: set[str] = set()
        section = ""
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if line in ("[expand]", "[same]", "[assumed]", "[implied]"):
                section = line
                continue
            if section in ("[assumed]", "[implied]"):
                (assumed if section == "[assumed]" else implied).update(surface_words(line))
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
        return cls(expansions, same, frozenset(assumed), frozenset(implied))


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
        self.implied = frozenset(self.canonical(w) for w in synonyms.implied)

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
        """The canonical words; those after "without" (up to a "with") are denied and marked
        "~" ("without heart failure": "~heart", "~failure"), so they meet only denials."""
        known = self._canonical
        words = list(words)
        if "without" not in words:
            return frozenset(
                [
                    known.get(w) or self.canonical(w)
                    for i, w in enumerate(words)
                    if w not in STOPWORDS or (w == "a" and _designates(words, i))
                ]
            )
        found: list[str] = []
        denied = False
        for i, w in enumerate(words):
            if w in _DENIAL_SCOPE:
                denied = w == "without"
            elif w not in STOPWORDS or (w == "a" and _designates(words, i)):
                word = known.get(w) or self.canonical(w)
                found.append("~" + word if denied else word)
        return frozenset(found)

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


def _designates(words: list[str], i: int) -> bool:
    """ "A" names a type ("influenza A with pneumonia", "hepatitis A", the index line "A")
    when it ends the text or a connector follows it; otherwise it is the article."""
    last = i == len(words) - 1
    return (last or words[i + 1] in STOPWORDS) and (i > 0 or last)


_REMEMBERED_TEXTS = 20_000  # short texts repeat ("left", "specified NEC"); titles do not
