"""The append-only history of record versions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import ColumnElement, Connection, insert, select

from himdesk.domain.versions import RecordVersion
from himdesk.storage.tables import record_versions


class SqlVersionRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, version: RecordVersion) -> None:
        self._db.execute(insert(record_versions).values(asdict(version)))

    def list_for_patient(self, patient_id: int) -> Sequence[RecordVersion]:
        return self._select(record_versions.c.patient_id == patient_id)

    def list_for(self, entity_type: str, entity_id: int) -> Sequence[RecordVersion]:
        return self._select(
            (record_versions.c.entity_type == entity_type)
            & (record_versions.c.entity_id == entity_id)
        )

    def _select(self, where: ColumnElement[bool]) -> Sequence[RecordVersion]:
        c = record_versions.c
        query = (
            select(
                c.entity_type,
                c.entity_id,
                c.version,
                c.patient_id,
                c.snapshot,
                c.changed_by,
                c.changed_at,
                c.reason,
            )
            .where(where)
            .order_by(c.version)
        )
        return [RecordVersion(*r) for r in self._db.execute(query)]
