"""MDM documents: TXA (HL7 v2.5.1 9.6.1) with the text of its OBX segments.

The document is named by TXA-12 unique document number (else the message control id), so
a resent or corrected copy of the same document finds the one already filed. Its text is
the OBX-5 values of type TX, FT or ST, one line each; encapsulated content (ED, e.g. a PDF)
is not held and is counted instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from himdesk.domain.incoming import (
    IncomingClinician,
    IncomingDocument,
    Rejected,
    SourceRef,
    text_within,
)
from himdesk.domain.records import DocumentStatus, DocumentType
from himdesk.interop.hl7v2.fields import SegmentView, first_instant, shortened
from himdesk.interop.hl7v2.segments import clinician_of

# TXA-2 document type (HL7 table 0270).
_TYPES = {
    "HP": DocumentType.HISTORY_AND_PHYSICAL,
    "PH": DocumentType.HISTORY_AND_PHYSICAL,
    "PR": DocumentType.PROGRESS_NOTE,
    "CN": DocumentType.CONSULTATION,
    "PC": DocumentType.CONSULTATION,
    "OP": DocumentType.OPERATIVE_REPORT,
    "DS": DocumentType.DISCHARGE_SUMMARY,
    "SP": DocumentType.PATHOLOGY_REPORT,
    "AR": DocumentType.PATHOLOGY_REPORT,
    "DI": DocumentType.RADIOLOGY_REPORT,
    "ED": DocumentType.ED_NOTE,
}
_TEXT_TYPES = {"TX", "FT", "ST"}
_SIGNED = {"AU", "LA"}  # TXA-17: authenticated, legally authenticated


@dataclass(frozen=True)
class FiledDocument:
    document: IncomingDocument | None  # None when the message carries no text to file
    people: tuple[IncomingClinician, ...]
    not_held: Counter[str]


def document_of(
    txa: SegmentView,
    observations: Sequence[SegmentView],
    *,
    facility: str,
    control_id: str,
    sent_at: datetime | None,
    visit: SourceRef | None,
) -> FiledDocument:
    text, not_held = _text_of(observations)
    author = _author(txa, facility)
    people = (author,) if author else ()
    if not text:
        not_held["document without text"] += 1
        return FiledDocument(None, people, not_held)
    authored_at = first_instant(((txa, 6), (txa, 4))) or sent_at
    if authored_at is None:
        raise Rejected(txa.where(6), "origination date/time is missing (TXA-6, TXA-4, MSH-7)")
    signed = txa.text(17).upper() in _SIGNED
    unique_id = txa.text(12) or control_id
    document_type, title = _kind(txa)
    document = IncomingDocument(
        source=SourceRef(f"hl7v2:{facility}", text_within(f"doc/{unique_id}", 200, txa.where(12))),
        document_type=document_type,
        authored_at=authored_at,
        title=title,
        text=text,
        encounter=visit,
        author=author.source if author else None,
        status=DocumentStatus.SIGNED if signed else DocumentStatus.DRAFT,
        signed_at=(txa.instant(22, 15) or authored_at) if signed else None,
    )
    return FiledDocument(document, people, not_held)


def _text_of(observations: Sequence[SegmentView]) -> tuple[str, Counter[str]]:
    """The text lines of TX, FT and ST results; the other kinds, counted as not held."""
    not_held: Counter[str] = Counter()
    lines: list[str] = []
    for obx in observations:
        kind = obx.text(2).upper()
        if kind in _TEXT_TYPES:
            lines += [obx.whole(rep) for rep in obx.repetitions(5)]
        else:
            not_held[f"OBX value type {kind or '(none)'} in a document"] += 1
    return "\n".join(lines).strip(), not_held


def _kind(txa: SegmentView) -> tuple[DocumentType, str]:
    """TXA-2: the document type and a title (the sender's own code when himdesk lacks it)."""
    code = txa.text(2).upper()
    document_type = _TYPES.get(code, DocumentType.CLINICAL_NOTE)
    title = txa.text(2, 2) or document_type.label
    if document_type is DocumentType.CLINICAL_NOTE and code:
        title = f"{title} ({code})"
    return document_type, shortened(title, 200)


def _author(txa: SegmentView, facility: str) -> IncomingClinician | None:
    """TXA-9 originator, else TXA-5 primary activity provider, else TXA-22 authenticator:
    the first that names a person."""
    for field in (9, 5, 22):
        for rep in txa.repetitions(field):
            if found := clinician_of(txa, field, rep, facility):
                return found
    return None
