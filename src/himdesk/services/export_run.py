"""Running one bulk export job, in a worker thread of the web process.

Patients are read a batch at a time (`record_exchange.whole_records`: checked, shaped to
minimum necessary, each read audited) and written as NDJSON, one part per resource type per
`patients_per_part` patients, or sooner when a part reaches `max_part_bytes`, so a system
export of any size never sits in memory. Each batch commits on its own with one
`record.export` event per patient exported; a job cancelled meanwhile stops at the next
batch and leaves no files behind.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from himdesk.domain.access import Actor
from himdesk.domain.export_jobs import ERROR_TYPE, ExportJob, ExportStatus, changed_since
from himdesk.domain.patient_record import PatientRecord
from himdesk.services import audit, record_exchange
from himdesk.services.bulk_export import EXPORT
from himdesk.services.ports import ExportJobRepository, UnitOfWork, UnitOfWorkFactory

log = logging.getLogger("himdesk.export")

# A record as FHIR resources, Patient first (interop.fhir.outbound.record_resources).
RecordMapper = Callable[[PatientRecord], Sequence[Mapping[str, Any]]]


@dataclass(frozen=True)
class PartSizes:
    patients_per_part: int = 1000
    read_batch: int = 200
    max_part_bytes: int = 4 * 1024 * 1024


def run_export(
    uow_factory: UnitOfWorkFactory,
    actor: Actor,
    token: str,
    to_resources: RecordMapper,
    sizes: PartSizes = PartSizes(),  # noqa: B008 - frozen, shared safely
) -> None:
    """Run the job to completion, cancellation or failure. Never raises: a failure is
    stored on the job (without patient data) for the client's next status poll."""
    try:
        with uow_factory() as uow:
            job = _start(uow, token)
            if job is not None:
                _export(uow, actor, job, to_resources, sizes)
    except Exception as err:
        # The kind of failure only: messages can quote patient data.
        log.error("bulk export job failed: %s", type(err).__name__)
        _fail(uow_factory, token, type(err).__name__)


def _start(uow: UnitOfWork, token: str) -> ExportJob | None:
    job = uow.export_jobs.find(token)
    if job is None or not uow.export_jobs.update(job.started(), when=[ExportStatus.ACCEPTED]):
        return None  # cancelled before it started
    uow.commit()
    return job.started()


def _export(
    uow: UnitOfWork, actor: Actor, job: ExportJob, to_resources: RecordMapper, sizes: PartSizes
) -> None:
    parts = _Parts(uow.export_jobs, job, sizes.max_part_bytes)
    practitioners: dict[str, bytes] = {}  # written once at the end, however many refer to them
    after = in_part = 0
    while ids := uow.export_jobs.patient_ids_after(after, sizes.read_batch):
        if not _still_running(uow, job):
            return
        after = ids[-1]
        batch = record_exchange.whole_records(uow, actor, ids)  # audits the reads, commits
        for pid, why in batch.withheld.items():
            parts.add(ERROR_TYPE, _outcome(f"Patient {pid} was left out: {_WHY.get(why, why)}."))
        exported = [r for r in _since(uow, job, batch.records) if _write(r, job, to_resources,
                    parts, practitioners)]  # fmt: skip
        subjects = [(r.patient.id, "export-job", job.id) for r in exported]
        audit.record_many(uow, actor, EXPORT, subjects)
        in_part += len(ids)
        if in_part >= sizes.patients_per_part:
            parts.flush_all()
            in_part = 0
        uow.commit()
    for line in practitioners.values():
        parts.add("Practitioner", line)
    parts.flush_all()
    if not uow.export_jobs.update(job.finished(uow.clock()), when=[ExportStatus.IN_PROGRESS]):
        uow.export_jobs.remove_files(_job_id(job))  # cancelled while the last batch ran
    uow.commit()


def _still_running(uow: UnitOfWork, job: ExportJob) -> bool:
    current = uow.export_jobs.find(job.token)
    if current is not None and current.status is ExportStatus.IN_PROGRESS:
        return True
    uow.export_jobs.remove_files(_job_id(job))  # parts written after the cancel, if any
    uow.commit()
    return False


def _since(
    uow: UnitOfWork, job: ExportJob, records: Sequence[PatientRecord]
) -> list[PatientRecord]:
    if job.since is None:
        return list(records)
    kept = []
    for record in records:
        assert record.patient.id is not None  # noqa: S101 - stored patients have ids
        corrections: dict[tuple[str, int], datetime] = {}
        for v in uow.versions.list_for_patient(record.patient.id):
            key = (v.entity_type, v.entity_id)
            corrections[key] = max(v.changed_at, corrections.get(key, v.changed_at))
        changed = changed_since(record, job.since, corrections)
        if changed is not None:
            kept.append(changed)
    return kept


def _write(
    record: PatientRecord,
    job: ExportJob,
    to_resources: RecordMapper,
    parts: _Parts,
    practitioners: dict[str, bytes],
) -> bool:
    """Add the record's resources of the job's types; True when any was written."""
    wrote = False
    for resource in to_resources(record):
        kind = resource["resourceType"]
        if kind not in job.resource_types:
            continue
        line = orjson.dumps(resource)
        if kind == "Practitioner":
            practitioners[str(resource.get("id"))] = line
        else:
            parts.add(kind, line)
            wrote = True
    return wrote


class _Parts:
    """NDJSON lines per resource type, stored as an encrypted part once big enough.

    Lines are copied into one growing buffer per type: orjson's result for a small
    resource keeps a larger allocation alive, and thousands of them pending cost several
    times the text they hold."""

    def __init__(self, files: ExportJobRepository, job: ExportJob, max_bytes: int) -> None:
        self._files = files
        self._job_id = _job_id(job)
        self._max = max_bytes
        self._buffers: dict[str, bytearray] = {}
        self._counts: dict[str, int] = defaultdict(int)

    def add(self, resource_type: str, line: bytes) -> None:
        buffer = self._buffers.setdefault(resource_type, bytearray())
        buffer += line
        buffer += b"\n"
        self._counts[resource_type] += 1
        if len(buffer) >= self._max:
            self._flush(resource_type)

    def flush_all(self) -> None:
        for resource_type in list(self._buffers):
            self._flush(resource_type)

    def _flush(self, resource_type: str) -> None:
        buffer = self._buffers.pop(resource_type, None)
        count = self._counts.pop(resource_type, 0)
        if buffer:
            self._files.add_file(self._job_id, resource_type, count, buffer.decode())


_WHY = {
    "reason required": "the chart is restricted (VIP or employee) and needs a stated reason",
    "denied": "the client may not open this chart",
    "not found": "the patient no longer exists (merged or removed)",
}


def _outcome(message: str) -> bytes:
    issue = {"severity": "warning", "code": "suppressed", "diagnostics": message}
    return orjson.dumps({"resourceType": "OperationOutcome", "issue": [issue]})


def _fail(uow_factory: UnitOfWorkFactory, token: str, kind: str) -> None:
    try:
        with uow_factory() as uow:
            job = uow.export_jobs.find(token)
            if job is None:
                return
            uow.export_jobs.remove_files(_job_id(job))
            reason = f"The export stopped ({kind}); nothing of it is kept. Start a new export."
            running = [ExportStatus.ACCEPTED, ExportStatus.IN_PROGRESS]
            uow.export_jobs.update(job.failed(uow.clock(), reason), when=running)
            uow.commit()
    except Exception as err:  # the database itself is gone: the job reads as abandoned later
        log.error("bulk export job could not be marked failed: %s", type(err).__name__)


def _job_id(job: ExportJob) -> int:
    assert job.id is not None  # noqa: S101 - stored jobs have ids
    return job.id
