"""FHIR Bulk Data export (ONC 170.315(b)(10)) and the single-patient EHI package.

A job is kicked off (`start_export`), run by a worker (`run_export`, services/export_run.py),
polled (`export_status`), downloaded file by file (`export_file`) and can be cancelled
(`cancel_export`). Only the client that started a job sees its status and files. Every
exported patient is audited as `record.export`, a disclosure, beside the read itself.
See https://hl7.org/fhir/uv/bulkdata/export.html.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from himdesk.domain.access import Action, Actor
from himdesk.domain.api_clients import Scope
from himdesk.domain.export_jobs import (
    RETENTION,
    ExportFile,
    ExportJob,
    ExportRequest,
    ExportStatus,
    readable_types,
)
from himdesk.domain.patient_record import PatientRecord
from himdesk.services import audit, record_exchange
from himdesk.services.errors import NotFound
from himdesk.services.ports import UnitOfWork

EXPORT = Action.EXPORT_RECORDS.value  # one event per exported patient
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # secrets.token_urlsafe(32) is 43 of these


class ExportRefused(Exception):
    """The client's scopes do not allow what it asked for (HTTP 403)."""


class NotYourExport(Exception):
    """A job started by another client: its status and files are not for this one."""


class ExportGone(NotFound):
    """A job that was cancelled, or whose files expired: nothing is left to give."""

    def __init__(self, message: str) -> None:
        LookupError.__init__(self, message)
        self.what, self.key = "export", ""


def start_export(
    uow: UnitOfWork,
    actor: Actor,
    request: ExportRequest,
    request_url: str,
    scopes: Collection[Scope] | None = None,
) -> ExportJob:
    """Accept a kick-off; the caller hands the job to a worker. `scopes` are the API client's
    (None: a workstation user, who may export every type)."""
    # An API client's grant is its token's read scopes (it could read each of these resources
    # one by one anyway); a person needs their role's export permission.
    audit.require(uow, actor, Action.READ_CHART if scopes is not None else Action.EXPORT_RECORDS)
    types = request.resource_types
    if scopes is not None:
        types = readable_types(scopes, request.resource_types)
        refused = [t for t in request.resource_types if t not in types]
        if not types or (refused and request.types_named):
            audit.record(uow, actor, "export.start", object_type="export-job", outcome="denied")
            uow.commit()
            raise ExportRefused(f"The client's scopes do not allow reading {', '.join(refused)}.")
    now = uow.clock()
    uow.export_jobs.remove_files_before(now - RETENTION)  # patient data is kept a day
    job = uow.export_jobs.add(
        ExportJob(
            token=secrets.token_urlsafe(32),
            kind=request.kind,
            resource_types=types,
            requested_by=actor.username,
            requested_at=now,
            request_url=request_url[:1000],
            since=request.since,
        )
    )
    audit.record(uow, actor, "export.start", object_type="export-job", object_id=job.id)
    uow.commit()
    return job


@dataclass(frozen=True)
class ExportProgress:
    job: ExportJob
    status: ExportStatus  # as the client is told (an abandoned job has failed)
    files: Sequence[ExportFile]


def export_status(uow: UnitOfWork, actor: Actor, token: str) -> ExportProgress:
    """The job and its files so far; no patient data, so not audited unless refused."""
    job = _own_job(uow, actor, token)
    now = uow.clock()
    if job.is_expired(now):
        uow.export_jobs.remove_files(_id(job))
        uow.commit()
        raise ExportGone("The export's files were removed 24 hours after it completed.")
    status = job.status_at(now)
    if status is not job.status:  # abandoned: its worker was lost with the server process
        uow.export_jobs.remove_files(_id(job))
        uow.commit()
        return ExportProgress(job, status, ())
    return ExportProgress(job, status, uow.export_jobs.files(_id(job)))


def export_file(uow: UnitOfWork, actor: Actor, token: str, file_id: int) -> str:
    """One NDJSON part of a completed job, decrypted; audited as `export.download`."""
    job = _own_job(uow, actor, token)
    if job.status is not ExportStatus.COMPLETED or job.is_expired(uow.clock()):
        raise NotFound("completed export file", file_id)
    content = uow.export_jobs.file_content(_id(job), file_id)
    if content is None:
        raise NotFound("export file", file_id)
    audit.record(uow, actor, "export.download", object_type="export-file", object_id=file_id)
    uow.commit()
    return content


def cancel_export(uow: UnitOfWork, actor: Actor, token: str) -> None:
    """Stop a job (or discard a finished one's files): the IG's DELETE on the status URL."""
    job = _own_job(uow, actor, token)
    if job.status is ExportStatus.CANCELLED:
        raise ExportGone("The export was already cancelled.")
    still = [s for s in ExportStatus if s is not ExportStatus.CANCELLED]
    uow.export_jobs.update(job.cancelled(uow.clock()), when=still)
    uow.export_jobs.remove_files(_id(job))
    audit.record(uow, actor, "export.cancel", object_type="export-job", object_id=job.id)
    uow.commit()


def _own_job(uow: UnitOfWork, actor: Actor, token: str) -> ExportJob:
    # Only a token of the shape we issue is looked up (PostgreSQL refuses NUL bytes in text).
    job = uow.export_jobs.find(token) if _TOKEN.fullmatch(token) else None
    if job is None:
        raise NotFound("export", "at this address")
    if job.requested_by != actor.username:
        audit.record(uow, actor, "export.status", object_type="export-job", object_id=job.id,
                     outcome="denied")  # fmt: skip
        uow.commit()
        raise NotYourExport("This export was started by another client.")
    return job


def _id(job: ExportJob) -> int:
    assert job.id is not None  # noqa: S101 - stored jobs have ids
    return job.id


def record_for_export(
    uow: UnitOfWork, actor: Actor, mrn: str, *, stated_reason: str = ""
) -> PatientRecord:
    """One patient's whole record for an EHI package (`himdesk export --patient`).

    Read like opening the chart (record_exchange.whole_record, which takes the stated reason
    for a restricted chart or labelled documents), then audited as a disclosure.
    """
    audit.require(uow, actor, Action.EXPORT_RECORDS)
    patient = uow.patients.find_by_mrn(mrn.strip().upper())
    if patient is None or patient.id is None:
        raise NotFound("patient with MRN", mrn.strip())
    record = record_exchange.whole_record(uow, actor, patient.id, stated_reason=stated_reason)
    audit.record(uow, actor, EXPORT, patient_id=patient.id, object_type="ehi-package",
                 object_id=patient.id)  # fmt: skip
    uow.commit()
    return record
