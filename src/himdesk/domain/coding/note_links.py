"""Codes named inside instructional notes, turned into references a reader can follow.

Notes write codes the way the printed tabular does: a code ("I25.2"), a category with the
dash that means "see its subdivisions" ("F17.-", "S72.0-"), or a range ("I20-I25",
"A04.0-A04.4"). Each becomes a segment pointing at the nearest node the tabular has, so
"S72.0-" leads to S72.0 and a range that is a section ("I20-I25") leads to that section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from himdesk.domain.coding.codes import dotted, normalized_code
from himdesk.domain.coding.note_codes import CODE_REFERENCE
from himdesk.domain.coding.tabular import Tabular


@dataclass(frozen=True, slots=True)
class NoteSegment:
    """Part of a note's text: plain (`target` None) or a code reference into the tabular."""

    text: str
    target: str | None = None  # the tabular key it leads to, e.g. "F17", "I20-I25"


def linked_segments(text: str, tabular: Tabular) -> tuple[NoteSegment, ...]:
    segments: list[NoteSegment] = []
    cursor = 0
    for match in CODE_REFERENCE.finditer(text):
        found = _segments_of(match, tabular)
        if not any(segment.target for segment in found):
            continue  # looks like a code but names nothing in this release: leave it as text
        if match.start() > cursor:
            segments.append(NoteSegment(text[cursor : match.start()]))
        segments.extend(found)
        cursor = match.end()
    if cursor < len(text) or not segments:
        segments.append(NoteSegment(text[cursor:]))
    return tuple(_joined(segments))


def referenced_keys(text: str, tabular: Tabular) -> list[str]:
    """The tabular keys a note leads to, in the order it names them."""
    return [s.target for s in linked_segments(text, tabular) if s.target is not None]


def nearest_node_key(code: str, tabular: Tabular) -> str | None:
    """The code itself when the tabular has it, else its nearest shorter form that it has:
    "S72.0-" -> "S720", "T36.0X1A" -> "T360X1", "I25.9Z" -> "I259"."""
    key = normalized_code(code).rstrip("-")
    while len(key) >= 3:
        if key in tabular.nodes:
            return key
        key = key[:-1].rstrip("X") if len(key) > 3 else ""
    return None


def _segments_of(match: re.Match[str], tabular: Tabular) -> list[NoteSegment]:
    dash = match.group("dash") or ""
    if match.group("code"):
        return [NoteSegment(match.group(0), nearest_node_key(match.group("code"), tabular))]
    start, end = match.group("start"), match.group("end")
    block = f"{normalized_code(start)}-{normalized_code(end)}"
    if block in tabular.nodes:
        return [NoteSegment(match.group(0), block)]
    return [
        NoteSegment(start, nearest_node_key(start, tabular)),
        NoteSegment("-"),
        NoteSegment(end + dash, nearest_node_key(end, tabular)),
    ]


def _joined(segments: list[NoteSegment]) -> list[NoteSegment]:
    """Neighbouring plain segments as one, so a template prints text runs whole."""
    joined: list[NoteSegment] = []
    for segment in segments:
        if joined and segment.target is None and joined[-1].target is None:
            joined[-1] = NoteSegment(joined[-1].text + segment.text)
        elif segment.text:
            joined.append(segment)
    return joined


def label_of(key: str) -> str:
    """How a tabular key is shown: a code dotted, a section or chapter as it is."""
    return key if "-" in key or key.isdigit() else dotted(key)
