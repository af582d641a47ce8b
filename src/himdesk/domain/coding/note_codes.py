"""Which codes an instructional note names, so edits can test a claim's codes against it.

The tabular prints the codes a note refers to in parentheses after its words: a code
("I25.2"), a code with the dash that means "any code beneath it" ("I22.-", "I97.13-"), a
list ("E08.22, E09.22") or a range ("N18.1-N18.6", "O10-O11"). Only parenthesised text is
read, so words that look like codes ("vitamin B12 deficiency") are not taken for codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from himdesk.domain.coding.codes import dotted, normalized_code

_CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?"
_PARENTHESES = re.compile(r"\(([^()]*)\)")
# A code, a code with its dash ("I22.-"), or a range ("I20-I25"), as notes write them (also
# read by note_links). A range is tried first so that "I20-I25" is not read as "I20-", "I25".
CODE_REFERENCE = re.compile(
    rf"(?<![A-Za-z0-9.])(?:(?P<start>{_CODE})-(?P<end>{_CODE})|(?P<code>{_CODE}))"
    r"(?P<dash>\.?-)?(?![A-Za-z0-9])"
)


@dataclass(frozen=True, slots=True)
class NotedCodes:
    """One reference in a note: a code and everything beneath it, or a range of them."""

    first: str  # normalized, e.g. "I22" or "N181"
    last: str  # the same as `first` unless the note names a range

    def covers(self, code: str) -> bool:
        """'I22.-' covers I22.0 and I22.9; 'N18.1-N18.6' covers N18.30; 'O10-O11' covers
        O11.4. A code is compared on as many characters as each end of the range has."""
        code = normalized_code(code)
        return self.first <= code[: len(self.first)] and code[: len(self.last)] <= self.last

    @property
    def label(self) -> str:
        if self.first == self.last:
            return dotted(self.first)
        return f"{dotted(self.first)}-{dotted(self.last)}"


def noted_codes(note: str) -> tuple[NotedCodes, ...]:
    found: list[NotedCodes] = []
    for group in _PARENTHESES.finditer(note):
        for match in CODE_REFERENCE.finditer(group.group(1)):
            if match.group("code"):
                code = normalized_code(match.group("code"))
                found.append(NotedCodes(code, code))
            else:
                first, last = normalized_code(match["start"]), normalized_code(match["end"])
                found.append(NotedCodes(first, last))
    return tuple(found)


def shown_note(note: str) -> str:
    """A note as a message quotes it: its own words, trimmed of list punctuation."""
    return " ".join(note.split()).rstrip(":;,")
