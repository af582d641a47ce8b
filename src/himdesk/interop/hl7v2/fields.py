"""Reading values out of a parsed HL7 v2 segment, safely: fields, repetitions, components,
escape sequences and timestamps.

`SegmentView` answers "" for anything absent, so mapping code never indexes past the end.
Values come back with the escape sequences of HL7 v2 chapter 2 (2.7 "Use of escape sequences in text
fields") decoded: \\F\\ \\S\\ \\T\\ \\R\\ \\E\\, \\.br\\ as a line break, \\Xhh\\ as bytes;
highlighting and unknown sequences are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from himdesk.domain.incoming import Rejected
from himdesk.domain.incoming import shortened as cut_to
from himdesk.interop.hl7_time import UnreadableTime, written_time


@dataclass(frozen=True)
class Delimiters:
    """MSH-1 and MSH-2 of the message: how it separates and escapes its parts."""

    field: str = "|"
    component: str = "^"
    repetition: str = "~"
    escape: str = "\\"
    subcomponent: str = "&"

    def escape_text(self, value: str) -> str:
        """`value` made safe to put in one component (for ACK texts)."""
        e = self.escape
        replacements = {
            e: f"{e}E{e}",
            self.field: f"{e}F{e}",
            self.component: f"{e}S{e}",
            self.subcomponent: f"{e}T{e}",
            self.repetition: f"{e}R{e}",
        }
        cleaned = " ".join(value.split())  # no line breaks: they end a segment
        return "".join(replacements.get(c, c) for c in cleaned)


def decode_escapes(raw: str, d: Delimiters) -> str:
    if d.escape not in raw:
        return raw
    out: list[str] = []
    i = 0
    while i < len(raw):
        end = raw.find(d.escape, i + 1) if raw[i] == d.escape else -1
        if raw[i] != d.escape or end == -1:  # plain text, or an escape that never closes
            out.append(raw[i])
            i += 1
            continue
        out.append(_escape_meaning(raw[i + 1 : end], d))
        i = end + 1
    return "".join(out)


def _escape_meaning(sequence: str, d: Delimiters) -> str:
    named = {
        "F": d.field,
        "S": d.component,
        "T": d.subcomponent,
        "R": d.repetition,
        "E": d.escape,
        ".br": "\n",
    }
    if sequence in named:
        return named[sequence]
    if sequence.startswith(".sp"):
        count = sequence[3:].strip("+")
        return "\n" * (int(count) if count.isdigit() and int(count) < 100 else 1)
    if sequence.startswith("X") and re.fullmatch(r"(?:[0-9A-Fa-f]{2})+", sequence[1:]):
        return bytes.fromhex(sequence[1:]).decode("utf-8", errors="replace")
    return ""  # highlighting (\H\, \N\), formatting and unknown sequences carry no text


def _nth(parts: list[str], index: int) -> str:
    return parts[index - 1] if 0 < index <= len(parts) else ""


class SegmentView:
    """One segment with its place in the message, for reading and for naming a problem.

    The segment is split into fields once; repetitions, components and subcomponents are
    split only when read, so the many fields the record never reads cost nothing.
    """

    def __init__(self, line: str, delimiters: Delimiters, message: int, ordinal: int) -> None:
        fields = line.split(delimiters.field)
        if fields[0] in ("MSH", "FHS", "BHS"):  # MSH-1 is the separator itself
            fields.insert(1, delimiters.field)
        self._fields = fields
        self.delimiters = delimiters
        self.message = message
        self.ordinal = ordinal  # 1 for the first segment of this name in the message
        self.name = fields[0]

    def where(self, field: int) -> str:
        place = f"{self.name} {self.ordinal}, " if self.ordinal > 1 else ""
        return f"message {self.message}, {place}{self.name}-{field}"

    def repetitions(self, field: int) -> list[str]:
        """The repetitions of a field that hold any text, still escaped."""
        raw = self._fields[field] if 0 < field < len(self._fields) else ""
        d = self.delimiters
        blank = f"{d.component}{d.subcomponent} "
        return [rep for rep in raw.split(d.repetition) if rep.strip(blank)]

    def text(self, field: int, component: int = 1, subcomponent: int = 1) -> str:
        """The first repetition's component, decoded and stripped; "" when absent."""
        reps = self.repetitions(field)
        return self.part(reps[0], component, subcomponent) if reps else ""

    def part(self, repetition: str, component: int = 1, subcomponent: int = 1) -> str:
        d = self.delimiters
        value = _nth(_nth(repetition.split(d.component), component).split(d.subcomponent),
                     subcomponent)  # fmt: skip
        return decode_escapes(value, d).strip()

    def joined(self, repetition: str, component: int, separator: str = " ") -> str:
        """Every subcomponent of one component, joined (e.g. street name and number)."""
        d = self.delimiters
        parts = _nth(repetition.split(d.component), component).split(d.subcomponent)
        texts = (decode_escapes(p, d).strip() for p in parts)
        return separator.join(t for t in texts if t)

    def whole(self, repetition: str) -> str:
        """A repetition's text with any separators the sender left unescaped kept: for free
        text (TX, FT), where a stray ^ is part of the sentence."""
        return decode_escapes(repetition, self.delimiters).strip()

    def instant(self, field: int, component: int = 1) -> datetime | None:
        """An HL7 TS/DTM as an aware UTC datetime; None when the field is empty.

        A time without a UTC offset is taken as UTC: HL7 v2 leaves it to the sender's local
        time, which himdesk cannot know, and the hospital's interfaces send UTC or an offset.
        """
        value = self.text(field, component)
        return parse_instant(value, self.where(field)) if value else None

    def day(self, field: int) -> date | None:
        """The calendar date as written (no shift by the offset: a birth date is a date)."""
        value = self.text(field)
        if not value:
            return None
        return parse_instant(value, self.where(field), keep_local=True).date()


def parse_instant(value: str, where: str, *, keep_local: bool = False) -> datetime:
    """A TS/DTM (interop/hl7_time.py) as a UTC instant, or as written with `keep_local`."""
    try:
        moment = written_time(value)
    except UnreadableTime as unreadable:
        raise Rejected(where, str(unreadable)) from None
    return moment if keep_local else moment.astimezone(UTC)


def first_instant(candidates: Sequence[tuple[SegmentView | None, int]]) -> datetime | None:
    """The first of several (segment, field) places that holds a time."""
    for view, field in candidates:
        if view is not None and (found := view.instant(field)) is not None:
            return found
    return None


def shortened(value: str, limit: int) -> str:
    """Whitespace runs collapsed (the format wraps text freely), then cut as the record keeps
    display text (`domain.incoming.shortened`)."""
    return cut_to(" ".join(value.split()), limit)
