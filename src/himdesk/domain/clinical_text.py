"""Reading an encounter's documents for discrepancy detection: where a condition is mentioned,
in which sentence and section, and whether the mention affirms it for this patient (not
negated, not a relative's).

Built for speed over thousands of encounters: each document is lower-cased once, searched with
`str.find` and precompiled patterns, and only the sentences around a hit are looked at; nothing
splits a whole document into sentences or words up front.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from himdesk.domain.clinical_terms import (
    ABBREVIATIONS,
    FAMILY,
    FILLER_WORDS,
    NEGATED_AFTER,
    NEGATED_BEFORE,
    SYNONYMS,
)
from himdesk.domain.records import ClinicalDocument, DocumentType

Span = tuple[int, int]
_WORD = re.compile(r"[a-z0-9]+")
_HEADING = re.compile(r"^[ \t]*([A-Z][A-Z0-9 /&,()'-]*[A-Z)]):", re.MULTILINE)
_ENDS = (". ", "? ", "! ")
_WITHHELD = "(text of a restricted document withheld; open the document to read it)"
# Share of a diagnosis's words two wordings must have in common to name the same condition
# ("displaced intertrochanteric fracture of femur, closed" and "intertrochanteric femur
# fracture"), and the share a sentence needs to count as documenting it: lower, because a
# note says "hypertension" for "Essential (primary) hypertension".
SAME_WORDING = 0.6
SUPPORT = 0.5


@dataclass(frozen=True)
class Section:
    name: str  # the heading, upper case, without its colon
    start: int  # where the heading starts
    text_start: int  # just after its colon
    end: int  # where the next heading starts


class DocumentText:
    """One document's body (the header above the first blank line left out)."""

    def __init__(self, document: ClinicalDocument) -> None:
        self.document = document
        top, _, rest = document.text.partition("\n\n")
        self.body = rest if rest and ("MRN:" in top or "Patient:" in top) else document.text
        lower = self.body.lower()
        # Offsets into `lower` must be offsets into `body` (a few characters lengthen).
        self.lower = lower if len(lower) == len(self.body) else _same_length_lower(self.body)
        self._headings: list[re.Match[str]] | None = None
        self._starts: list[int] = []
        self._words: dict[Span, frozenset[str]] = {}

    def sentence(self, at: int) -> Span:
        """The sentence (or list line) around offset `at`."""
        text, size = self.lower, len(self.lower)
        line = text.rfind("\n", 0, at) + 1
        stop = text.find("\n", at)
        stop = size if stop < 0 else stop
        # Inside the line, from just after the last sentence end before `at` to the next.
        start = line
        for end in _ENDS:
            k = text.rfind(end, line, at)
            if k >= 0:
                start = max(start, k + 2)
        for end in _ENDS:
            k = text.find(end, at, stop)
            if k >= 0:
                stop = k + 1
        return start, stop

    def quote(self, span: Span) -> str:
        if self.document.sensitivity is not None:
            return _WITHHELD
        return " ".join(self.body[span[0] : span[1]].split()).lstrip("-*• ")

    @property
    def sections(self) -> list[Section]:
        """The upper-case headings ("ALLERGIES:") and where the text under each runs."""
        marks = self._marks()
        ends = [m.start() for m in marks[1:]] + [len(self.body)]
        return [Section(m.group(1), m.start(), m.end(), end)
                for m, end in zip(marks, ends, strict=False)]  # fmt: skip

    def section(self, at: int) -> str:
        """The heading the offset falls under, or "" before the first one."""
        marks = self._marks()
        k = bisect_right(self._starts, at)
        return marks[k - 1].group(1) if k else ""

    def _marks(self) -> list[re.Match[str]]:
        if self._headings is None:
            self._headings = list(_HEADING.finditer(self.body))
            self._starts = [m.start() for m in self._headings]
        return self._headings

    def words(self, span: Span) -> frozenset[str]:
        found = self._words.get(span)
        if found is None:
            found = self._words[span] = frozenset(normalized(self.lower[span[0] : span[1]]))
        return found

    def affirms(self, start: int, end: int) -> bool:
        """Whether the mention at start..end is asserted of the patient."""
        s, e = self.sentence(start)
        text = self.lower
        if NEGATED_BEFORE.search(text, s, start) or NEGATED_AFTER.match(text[end:e]):
            return False
        return not (self.section(start).startswith("FAMILY") or FAMILY.search(text, s, e))

    def affirmed(self, pattern: re.Pattern[str]) -> Span | None:
        """The first sentence that affirms a mention of `pattern`."""
        for m in pattern.finditer(self.lower):
            if self.affirms(m.start(), m.end()):
                return self.sentence(m.start())
        return None


class ChartText:
    """The documents of one encounter, read lazily; the discharge summary first, since that
    is where a diagnosis is most often found."""

    def __init__(self, documents: Sequence[ClinicalDocument]) -> None:
        self._documents = documents
        self._texts: list[DocumentText] | None = None

    @property
    def documents(self) -> list[DocumentText]:
        if self._texts is None:
            ordered = sorted(self._documents, key=lambda d: _READING_ORDER.get(d.document_type, 9))
            self._texts = [DocumentText(d) for d in ordered]
        return self._texts

    @property
    def statements(self) -> list[DocumentText]:
        """The documents that state things in their own words: not addenda, which quote the
        record they answer (a physician query's indicators) and would contradict it."""
        return [d for d in self.documents if d.document.document_type is not DocumentType.ADDENDUM]

    def affirmed(self, pattern: re.Pattern[str]) -> tuple[DocumentText, Span] | None:
        for doc in self.documents:
            span = doc.affirmed(pattern)
            if span is not None:
                return doc, span
        return None

    def affirms(self, concept: Concept) -> bool:
        return any(concept.affirmed_in(doc) for doc in self.documents)


@dataclass(frozen=True)
class Concept:
    """A diagnosis as a bag of normalised words: matched when most of them occur together."""

    words: frozenset[str]
    anchors: tuple[str, ...]  # what to look for in the text to find candidate sentences
    whole: tuple[str, ...]  # anchors that are abbreviations: must be whole words

    def matches(self, words: frozenset[str], share: float = SAME_WORDING) -> bool:
        return bool(self.words) and len(self.words & words) >= _needed(len(self.words), share)

    def same_as(self, other: Concept) -> bool:
        """One wording contains (most of) the other: "Type 2 diabetes mellitus" and "Type 2
        diabetes mellitus with hyperglycemia" are the same diagnosis for this purpose; but
        "type 1" is not "type 2": numbers, where both have them, must agree."""
        mine, theirs = _numbers(self.words), _numbers(other.words)
        if mine and theirs and not mine & theirs:
            return False
        return self.matches(other.words) or other.matches(self.words)

    def affirmed_in(self, doc: DocumentText) -> bool:
        seen: set[Span] = set()
        for at, _ in self._hits(doc):
            span = doc.sentence(at)
            if span in seen:
                continue
            seen.add(span)
            if self.matches(doc.words(span), SUPPORT) and doc.affirms(*self._start_in(doc, span)):
                return True
        return False

    def _start_in(self, doc: DocumentText, span: Span) -> Span:
        """Where the mention begins: negation is judged from its first word, so "migraine,
        not intractable" is not a negated migraine."""
        for m in _WORD.finditer(doc.lower, *span):
            if m.group() in self.words or _stem(SYNONYMS.get(m.group(), m.group())) in self.words:
                return m.span()
        return span

    def _hits(self, doc: DocumentText) -> Iterator[Span]:
        text = doc.lower
        for anchor in self.anchors:
            whole = anchor in self.whole
            k = text.find(anchor)
            while k >= 0:
                end = k + len(anchor)
                if starts_word(text, k) and (not whole or ends_word(text, end)):
                    yield k, end
                k = text.find(anchor, end)


@lru_cache(maxsize=8192)
def concept(text: str) -> Concept:
    words = normalized(text.lower())
    unique = frozenset(words)
    # A sentence may miss up to len - need words, so one of the longest len - need + 1 must
    # be in any sentence that matches: those are enough to find every candidate.
    longest = sorted(unique, key=lambda w: (-len(w), w))
    keys = longest[: len(unique) - _needed(len(unique), SUPPORT) + 1]
    anchors = [form for key in keys for form in _surface_forms(key)]
    whole = [a for a, expansion in _EXPANSIONS.items() if expansion and expansion <= unique]
    return Concept(unique, tuple(dict.fromkeys(anchors + whole)), tuple(whole))


def normalized(text: str) -> list[str]:
    """Lower-case text to matching words: synonyms unified, abbreviations spelled out, filler
    and sides dropped, plurals cut back."""
    found: list[str] = []
    for raw in _WORD.findall(text):
        word = SYNONYMS.get(raw, raw)
        expansion = _EXPANSIONS.get(word)
        if expansion is not None:
            found.extend(expansion)
        elif word not in FILLER_WORDS and not (word[0].isalpha() and any(map(str.isdigit, word))):
            found.append(_stem(word))  # (codes such as "i50" carry no meaning here)
    return found


def _numbers(words: frozenset[str]) -> set[str]:
    return {w for w in words if w.isdigit()}


def _needed(words: int, share: float) -> int:
    return max(1, math.ceil(share * words))


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "is", "us")):
        return word[:-1]
    return word


def _surface_forms(word: str) -> list[str]:
    return [word, *(raw for raw, unified in SYNONYMS.items() if unified == word)]


def find_words(text: str, words: Sequence[str]) -> list[Span]:
    """Where each of `words` occurs as a whole word, in order: `str.find` is many times
    faster than a regular expression scanning a whole note."""
    found = []
    for word in words:
        k = text.find(word)
        while k >= 0:
            end = k + len(word)
            if starts_word(text, k) and ends_word(text, end):
                found.append((k, end))
            k = text.find(word, end)
    return sorted(found)


def starts_word(text: str, at: int) -> bool:
    return at == 0 or not text[at - 1].isalnum()


def ends_word(text: str, at: int) -> bool:
    return at >= len(text) or not text[at].isalnum()


def _same_length_lower(text: str) -> str:
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


_EXPANSIONS = {
    short: frozenset(_stem(w) for w in spelled.split() if w not in FILLER_WORDS)
    for short, spelled in ABBREVIATIONS.items()
}
_READING_ORDER = {
    DocumentType.DISCHARGE_SUMMARY: 0,
    DocumentType.HISTORY_AND_PHYSICAL: 1,
    DocumentType.ED_NOTE: 2,
}
