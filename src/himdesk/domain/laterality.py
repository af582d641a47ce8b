"""Laterality conflicts: a diagnosis or procedure recorded on one side while a document says
the other side of the same body site, or a procedure on the other side from its diagnosis.

A sentence counts only when it names one side (not both, not "bilateral"), ties it to a body
site within a few words ("left hip", "right lower extremity", "left MCA territory"), is not
history ("status post right hip replacement"), is not the normal exam of the other limb or
where a line or cuff went ("Right lower extremity: normal", "IV in the right forearm"), and
no item of the record on that side and site explains it. Site groups are narrow, so "right
foot" never conflicts with a left hip.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from himdesk.domain.citations import Entry, cite_sentence, entries, named
from himdesk.domain.clinical_terms import (
    BOTH_SIDES,
    HISTORICAL,
    HISTORY_SECTIONS,
    NOT_A_SIDE_AFTER,
    OTHER_SIDE_AS_EXPECTED,
    SIDE_TERMS,
    SIDE_WORDS,
    SIDED_LIMBS,
    SITE_GROUPS,
    SITE_TERMS,
)
from himdesk.domain.clinical_text import ChartText, DocumentText, Span, find_words
from himdesk.domain.completeness import Deficiency, DeficiencyKind, EncounterRecord

_NEXT_WORDS = re.compile(r"[\s,-]+([\w']+)(?:[\s,-]+[\w']+){0,3}")  # the first word kept
_SIDES = {"left": "left", "l": "left", "right": "right", "r": "right"}
_OTHER = {"left": "right", "right": "left"}
_NOT_CURRENT_AND_ABNORMAL = (BOTH_SIDES, HISTORICAL, OTHER_SIDE_AS_EXPECTED)
_QUOTED = 3  # sentences cited per document


@dataclass(frozen=True, eq=False)
class Lateral:
    """A diagnosis or procedure with a side and the body sites it concerns."""

    entry: Entry
    side: str
    sites: frozenset[str]


def find_laterality_conflicts(
    record: EncounterRecord, text: ChartText, due: date
) -> Iterator[Deficiency]:
    items = [item for e in entries(record) if (item := _lateral(e)) is not None]
    if not items:
        return
    # Only the other side can contradict: with every item on the left, look for "right".
    contradicting = tuple(w for side in {_OTHER[i.side] for i in items} for w in SIDE_TERMS[side])
    for doc in text.statements:
        found = _conflicts_in(doc, items, contradicting)
        if found:
            yield _document_conflict(doc, found, due)
    yield from _procedure_against_diagnosis(items, due)


def _lateral(entry: Entry) -> Lateral | None:
    side = _SIDES.get(entry.item.laterality.strip().lower())
    if side is None:
        return None
    sites = _sites(entry.item.description.lower())
    return Lateral(entry, side, sites) if sites else None


def _sites(text: str, start: int = 0, end: int | None = None) -> frozenset[str]:
    found: set[str] = set()
    for m in SITE_TERMS.finditer(text, start, len(text) if end is None else end):
        found |= SITE_GROUPS[m.group()]
    return frozenset(found)


Conflict = tuple[Span, str, list[Lateral]]  # the sentence, its side, the items it contradicts


def _conflicts_in(
    doc: DocumentText, items: list[Lateral], sides: tuple[str, ...]
) -> list[Conflict]:
    found: list[Conflict] = []
    for span, side, sites in _sided_mentions(doc, sides):
        same_site = [i for i in items if i.sites & sites]
        contradicted = same_site and all(i.side != side for i in same_site)
        if contradicted and all(span != s for s, _, _ in found):
            found.append((span, side, same_site))
    return found


def _sided_mentions(
    doc: DocumentText, sides: tuple[str, ...]
) -> Iterator[tuple[Span, str, frozenset[str]]]:
    """(sentence, side, site groups) for each side tied to a body site, outside history."""
    text = doc.lower
    for start, end in find_words(text, sides):
        word = text[start:end]
        span = doc.sentence(start)
        if word in SIDED_LIMBS:
            side, limb = SIDED_LIMBS[word]
            sites = frozenset({limb})
        else:
            side = word
            after = _NEXT_WORDS.match(text, end, span[1])
            if after is None or after.group(1) in NOT_A_SIDE_AFTER:
                continue  # "left the hospital", "right away"
            sites = _sites(text, end, after.end())
        if sites and _asserts_one_side(doc, span):
            yield span, side, sites


def _asserts_one_side(doc: DocumentText, span: Span) -> bool:
    """The sentence says something current and abnormal about one side only."""
    text = doc.lower
    sides = {SIDED_LIMBS.get(w, (w, ""))[0] for w in SIDE_WORDS.findall(text, *span)}
    if len(sides) != 1 or any(p.search(text, *span) for p in _NOT_CURRENT_AND_ABNORMAL):
        return False
    return not doc.section(span[0]).startswith(HISTORY_SECTIONS)


def _document_conflict(doc: DocumentText, found: list[Conflict], due: date) -> Deficiency:
    _, side, contradicted = found[0]
    item = contradicted[0]
    items = list(dict.fromkeys(i for _, _, same_site in found for i in same_site))
    document = doc.document
    return Deficiency(
        DeficiencyKind.LATERALITY_CONFLICT,
        "laterality_agrees",
        f"{named(document)} says {side} where the record's {item.entry.what} is {item.side}.",
        document.author_id,
        due,
        document.id,
        subject="laterality",
        evidence=(
            *(i.entry.evidence for i in items),
            *(cite_sentence(doc, span) for span, _, _ in found[:_QUOTED]),
        ),
    )


def _procedure_against_diagnosis(items: list[Lateral], due: date) -> Iterator[Deficiency]:
    diagnoses = [i for i in items if not i.entry.is_procedure]
    for procedure in (i for i in items if i.entry.is_procedure):
        same_site = [d for d in diagnoses if d.sites & procedure.sites]
        if same_site and all(d.side != procedure.side for d in same_site):
            diagnosis = same_site[0]
            yield Deficiency(
                DeficiencyKind.LATERALITY_CONFLICT,
                "procedure_side_matches_diagnosis",
                f"The {procedure.entry.what} is on the {procedure.side} side, but the "
                f"{diagnosis.entry.what} is {diagnosis.side}.",
                procedure.entry.owner_id,
                due,
                subject=procedure.entry.subject,
                evidence=(procedure.entry.evidence, diagnosis.entry.evidence),
            )
