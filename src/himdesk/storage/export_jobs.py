"""Bulk export jobs and their NDJSON file parts, each part encrypted at rest (FieldCipher).

Parts are kept only until the job's files expire (domain.export_jobs.RETENTION), so they are
not among the columns `himdesk keys rotate` re-encrypts: retire a key a day after rotating.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from himdesk.domain.export_jobs import ExportFile, ExportJob, ExportKind, ExportStatus
from himdesk.storage.crypto import FieldCipher
from himdesk.storage.tables import export_files, export_jobs, patients

CONTENT_CONTEXT = b"export_file.content"
J = export_jobs.c
F = export_files.c


class SqlExportJobRepository:
    def __init__(self, connection: Connection, cipher: FieldCipher) -> None:
        self._db = connection
        self._cipher = cipher

    def add(self, job: ExportJob) -> ExportJob:
        new_id = self._db.execute(
            insert(export_jobs).values(_row(job)).returning(J.id)
        ).scalar_one()
        return replace(job, id=new_id)

    def find(self, token: str) -> ExportJob | None:
        row = self._db.execute(select(export_jobs).where(J.token == token)).first()
        return _job(row._mapping) if row else None

    def update(self, job: ExportJob, when: Collection[ExportStatus]) -> bool:
        """Save the job's status only if it is still in one of `when` (a cancel can race
        the worker: whichever writes first wins, the other sees it lost)."""
        done = self._db.execute(
            update(export_jobs)
            .where(J.id == job.id, J.status.in_([s.value for s in when]))
            .values(status=job.status.value, completed_at=job.completed_at, error=job.error)
        )
        return done.rowcount == 1

    def add_file(self, job_id: int, resource_type: str, count: int, ndjson: str) -> int:
        sealed = self._cipher.encrypt(ndjson, CONTENT_CONTEXT)
        new_id = self._db.execute(
            insert(export_files)
            .values(job_id=job_id, resource_type=resource_type, resource_count=count,
                    content_encrypted=sealed)
            .returning(F.id)
        ).scalar_one()  # fmt: skip
        return int(new_id)

    def files(self, job_id: int) -> Sequence[ExportFile]:
        query = (
            select(F.id, F.resource_type, F.resource_count).where(F.job_id == job_id).order_by(F.id)
        )
        rows = self._db.execute(query)
        return [ExportFile(r.id, r.resource_type, r.resource_count) for r in rows]

    def count_files(self, job_id: int) -> int:
        query = select(func.count()).select_from(export_files).where(F.job_id == job_id)
        return int(self._db.execute(query).scalar_one())

    def file_content(self, job_id: int, file_id: int) -> str | None:
        sealed = self._db.execute(
            select(F.content_encrypted).where(F.job_id == job_id, F.id == file_id)
        ).scalar_one_or_none()
        return None if sealed is None else self._cipher.decrypt(bytes(sealed), CONTENT_CONTEXT)

    def remove_files(self, job_id: int) -> int:
        return self._db.execute(delete(export_files).where(F.job_id == job_id)).rowcount

    def remove_files_before(self, cutoff: datetime) -> int:
        """Drop the parts of every job finished before `cutoff`, or started before it and
        never finished (its worker was lost). The job rows stay: they are the history."""
        old = select(J.id).where(func.coalesce(J.completed_at, J.requested_at) < cutoff)
        return self._db.execute(delete(export_files).where(F.job_id.in_(old))).rowcount

    def patient_ids_after(self, after_id: int, limit: int) -> Sequence[int]:
        """The next patients by id, merged-away charts left out (their record moved)."""
        p = patients.c
        query = (
            select(p.id)
            .where(p.id > after_id, p.merged_into_id.is_(None))
            .order_by(p.id)
            .limit(limit)
        )
        return list(self._db.execute(query).scalars())


def _values(job: ExportJob) -> dict[str, Any]:
    return {name: getattr(job, name) for name in ExportJob.__dataclass_fields__}


def _row(job: ExportJob) -> dict[str, Any]:
    row = _values(job)
    row.pop("id")
    row["kind"] = job.kind.value
    row["status"] = job.status.value
    row["resource_types"] = list(job.resource_types)
    return row


def _job(mapping: Any) -> ExportJob:
    values = {name: mapping[name] for name in ExportJob.__dataclass_fields__}
    values["kind"] = ExportKind(values["kind"])
    values["status"] = ExportStatus(values["status"])
    values["resource_types"] = tuple(values["resource_types"])
    return ExportJob(**values)
