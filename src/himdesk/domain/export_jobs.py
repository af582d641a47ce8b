"""FHIR Bulk Data export jobs: what a client may ask for, a job's life, and its manifest.

Follows the FHIR Bulk Data Access IG (v2.0.0), "Export" operation:
https://hl7.org/fhir/uv/bulkdata/export.html. A client kicks a job off, polls its status
URL, and downloads one NDJSON file per resource type and part. Pure: the service stores
jobs and runs them.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from himdesk.domain.api_clients import RESOURCE_TYPES, Scope, permits
from himdesk.domain.patient_record import PatientRecord

# The resource types himdesk writes (interop.fhir.outbound), in the order they are exported.
SUPPORTED_TYPES = RESOURCE_TYPES
# A Patient-level export covers the Patient compartment; practitioners are not in it.
PATIENT_COMPARTMENT = tuple(t for t in SUPPORTED_TYPES if t != "Practitioner")
NDJSON = "application/fhir+ndjson"
# The IG lets clients abbreviate the output format; all three mean FHIR NDJSON.
OUTPUT_FORMATS = frozenset({NDJSON, "application/ndjson", "ndjson"})
# Parameters of the IG that himdesk does not implement: refused unless handling=lenient.
UNSUPPORTED_PARAMETERS = ("_elements", "_typeFilter", "patient", "includeAssociatedData")
ERROR_TYPE = "OperationOutcome"  # files listed under the manifest's `error`
# Completed files are kept this long, then removed (they hold patient data).
RETENTION = timedelta(hours=24)
# A job still unfinished after this long lost its worker (the server restarted).
ABANDONED_AFTER = timedelta(hours=24)
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})")


class ExportKind(enum.StrEnum):
    SYSTEM = "system"  # GET [base]/$export
    PATIENT = "patient"  # GET [base]/Patient/$export

    @property
    def types(self) -> tuple[str, ...]:
        return SUPPORTED_TYPES if self is ExportKind.SYSTEM else PATIENT_COMPARTMENT


class ExportStatus(enum.StrEnum):
    ACCEPTED = "accepted"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def running(self) -> bool:
        return self in (ExportStatus.ACCEPTED, ExportStatus.IN_PROGRESS)


class InvalidExportRequest(Exception):
    """A kick-off the server cannot honour: which parameter, and what was expected."""

    def __init__(self, parameter: str, problem: str) -> None:
        super().__init__(f"{parameter}: {problem}")
        self.parameter = parameter
        self.problem = problem


@dataclass(frozen=True)
class ExportRequest:
    kind: ExportKind
    resource_types: tuple[str, ...]
    since: datetime | None = None
    types_named: bool = False  # `_type` was given: every type named must be allowed


def export_request(
    kind: ExportKind,
    types: Sequence[str] = (),
    since: str | None = None,
    output_format: str | None = None,
) -> ExportRequest:
    """The kick-off parameters checked: `_type` (repeated or comma-separated), `_since`,
    `_outputFormat`. No `_type` means every type the kind covers."""
    if output_format is not None and output_format.strip() not in OUTPUT_FORMATS:
        raise InvalidExportRequest(
            "_outputFormat", f"must be one of {', '.join(sorted(OUTPUT_FORMATS))}"
        )
    asked = [name.strip() for value in types for name in value.split(",") if name.strip()]
    unknown = [name for name in asked if name not in kind.types]
    if unknown:
        raise InvalidExportRequest(
            "_type",
            f"{', '.join(dict.fromkeys(unknown))} cannot be exported at {kind.value} level; "
            f"supported: {', '.join(kind.types)}",
        )
    chosen = tuple(t for t in kind.types if t in asked) if asked else kind.types
    when = parse_instant(since, "_since") if since else None
    return ExportRequest(kind, chosen, when, types_named=bool(asked))


def parse_instant(value: str, parameter: str) -> datetime:
    """A FHIR `instant` (to the second, with a zone) as an aware UTC datetime."""
    value = value.strip()
    if not _INSTANT.fullmatch(value):
        raise InvalidExportRequest(
            parameter, "must be a FHIR instant with a time zone, e.g. 2026-01-31T08:00:00Z"
        )
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise InvalidExportRequest(parameter, "is not a real date and time") from None


def readable_types(scopes: Iterable[Scope], types: Sequence[str]) -> tuple[str, ...]:
    """The types among `types` the token's system scopes allow reading."""
    return tuple(t for t in types if permits(scopes, t, "read"))


@dataclass(frozen=True)
class ExportJob:
    token: str  # the unguessable part of the status and file URLs
    kind: ExportKind
    resource_types: tuple[str, ...]
    requested_by: str  # the client's username: only it may see the status and files
    requested_at: datetime
    request_url: str
    since: datetime | None = None
    status: ExportStatus = ExportStatus.ACCEPTED
    patient_id: int | None = None
    completed_at: datetime | None = None
    error: str = ""
    id: int | None = None

    def started(self) -> ExportJob:
        return replace(self, status=ExportStatus.IN_PROGRESS)

    def finished(self, at: datetime) -> ExportJob:
        return replace(self, status=ExportStatus.COMPLETED, completed_at=at)

    def failed(self, at: datetime, reason: str) -> ExportJob:
        return replace(self, status=ExportStatus.FAILED, completed_at=at, error=reason[:1000])

    def cancelled(self, at: datetime) -> ExportJob:
        return replace(self, status=ExportStatus.CANCELLED, completed_at=at)

    def expires_at(self) -> datetime | None:
        return self.completed_at + RETENTION if self.completed_at else None

    def status_at(self, now: datetime) -> ExportStatus:
        """The status a client is told: a job running for a day has lost its worker."""
        if self.status.running and now - self.requested_at > ABANDONED_AFTER:
            return ExportStatus.FAILED
        return self.status

    def is_expired(self, now: datetime) -> bool:
        expires = self.expires_at()
        return expires is not None and now >= expires


def progress(job: ExportJob, parts_written: int) -> str:
    """The X-Progress header while a job runs (the IG leaves its wording to the server)."""
    if job.status is ExportStatus.ACCEPTED:
        return "accepted, waiting to start"
    return f"in progress, {parts_written} file part{'s' * (parts_written != 1)} written"


@dataclass(frozen=True)
class ExportFile:
    id: int
    resource_type: str
    count: int


def manifest(job: ExportJob, files: Sequence[ExportFile], base: str) -> dict[str, Any]:
    """The completion manifest (IG "Response - Complete Status")."""

    def entry(f: ExportFile) -> dict[str, Any]:
        url = f"{base}/$export-file/{job.token}/{f.id}"
        return {"type": f.resource_type, "url": url, "count": f.count}

    return {
        "transactionTime": instant(job.requested_at),
        "request": job.request_url,
        "requiresAccessToken": True,
        "output": [entry(f) for f in files if f.resource_type != ERROR_TYPE],
        "error": [entry(f) for f in files if f.resource_type == ERROR_TYPE],
    }


def instant(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def changed_since(
    record: PatientRecord,
    since: datetime,
    corrections: Mapping[tuple[str, int], datetime] | None = None,
) -> PatientRecord | None:
    """The parts of a record written or changed at or after `since` (`_since`), or None
    when nothing is. The record keeps no separate last-updated time, so a part's time is
    its latest clinical time (admission or discharge, authoring, signature or co-signature,
    observation, documentation, performance, start or end, recording) or its latest
    correction (`corrections`: (entity type, id) -> when, from the version history).
    The patient stays whenever anything of theirs is exported, so references resolve."""
    fixed = corrections or {}

    def keep(items: Sequence[Any], entity: str, *names: str) -> tuple[Any, ...]:
        return tuple(i for i in items if _latest(i, names, fixed.get((entity, i.id))) >= since)

    kept = replace(
        record,
        encounters=keep(record.encounters, "encounter", "admitted_at", "discharged_at"),
        documents=keep(record.documents, "document", "authored_at", "signed_at", "cosigned_at"),
        observations=keep(record.observations, "observation", "observed_at"),
        diagnoses=keep(record.diagnoses, "diagnosis", "documented_at"),
        procedures=keep(record.procedures, "procedure", "performed_at"),
        medications=keep(record.medications, "medication", "started_on", "ended_on"),
        allergies=keep(record.allergies, "allergy", "recorded_on"),
    )
    parts = (kept.encounters, kept.documents, kept.observations, kept.diagnoses,
             kept.procedures, kept.medications, kept.allergies)  # fmt: skip
    corrected = fixed.get(("patient", record.patient.id or 0))
    return kept if any(parts) or (corrected is not None and corrected >= since) else None


def _latest(item: Any, names: Collection[str], corrected: datetime | None) -> datetime:
    times = [_as_time(getattr(item, name)) for name in names if getattr(item, name) is not None]
    if corrected is not None:
        times.append(corrected)
    return max(times, default=datetime.min.replace(tzinfo=UTC))


def _as_time(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time.min, tzinfo=UTC)  # a date: that day 00:00 UTC
