"""What the record keeps about imports: links to the senders' parts, receipts, review queues."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from himdesk.domain.incoming import SourceFormat, Submission

LinkKey = tuple[str, str, str]  # the sender's system, the sender's id, our entity type


class PartKind(enum.StrEnum):
    """The kinds of record part a source link points at (source_links.entity_type)."""

    PATIENT = "patient"
    CLINICIAN = "clinician"
    ENCOUNTER = "encounter"
    DOCUMENT = "document"
    OBSERVATION = "observation"
    DIAGNOSIS = "diagnosis"
    PROCEDURE = "procedure"
    MEDICATION = "medication"
    ALLERGY = "allergy"


@dataclass(frozen=True)
class SourceLink:
    """Which of our parts a sender's part became, and its digest as last received."""

    entity_id: int
    patient_id: int | None
    content_digest: str


@dataclass(frozen=True)
class NewSourceLink:
    key: LinkKey
    entity_id: int
    patient_id: int | None
    content_digest: str


@dataclass(frozen=True)
class ImportReceipt:
    fingerprint: str
    format: SourceFormat
    label: str
    message_type: str
    control_id: str
    imported_at: datetime
    imported_by: str
    summary: Mapping[str, Any]
    id: int | None = None


class QueueStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"  # a hold imported with the reviewer's decision; a rejection handled
    DISCARDED = "discarded"  # a hold the reviewer threw away


@dataclass(frozen=True)
class HoldCandidate:
    """A patient the held chart may be, as the matcher scored it (no names: ids only)."""

    chart: int  # index of the chart in the submission
    patient_id: int
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ImportHold:
    """A whole submission held because a chart's patient match was unsure."""

    id: int
    format: SourceFormat
    label: str
    fingerprint: str
    reason: str
    candidates: tuple[HoldCandidate, ...]
    held_at: datetime
    held_by: str
    status: QueueStatus
    resolved_by: str = ""
    resolved_at: datetime | None = None
    resolved_patient_id: int | None = None
    submission: Submission | None = None  # read only when the hold is opened

    @property
    def unsure_charts(self) -> tuple[int, ...]:
        return tuple(sorted({c.chart for c in self.candidates}))


@dataclass(frozen=True)
class InterfaceRejection:
    """Input refused as a whole, waiting for a person to see why and act."""

    id: int
    format: str
    label: str
    channel: str
    message_type: str
    control_id: str
    reason: str
    received_at: datetime
    received_by: str
    status: QueueStatus
    resolved_by: str = ""
    resolved_at: datetime | None = None
    note: str = ""
    payload: bytes | None = field(default=None, repr=False)  # read only when opened


def json_value(value: Any) -> Any:
    """A record value as JSON keeps it: enums by value, dates ISO, decimals as text,
    dataclasses as objects, tuples as lists (for version snapshots and held submissions)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: json_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [json_value(v) for v in value]
    return value
