"""The append-only history of record versions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import ColumnElement, Connection, bindparam, insert, select

from himdesk.domain.versions import RecordVersion
from himdesk.storage.tables import record_versions

_c = record_versions.c
_COLUMNS = (_c.entity_type, _c.entity_id, _c.version, _c.patient_id, _c.snapshot,
            _c.changed_by, _c.changed_at, _c.reason)  # fmt: skip
# Every correction asks for the history and adds to it: built once, values as parameters.
_ADD = insert(record_versions)
_OF_ENTITY = (
    select(*_COLUMNS)
    .where(_c.entity_type == bindparam("type"), _c.entity_id == bindparam("id"))
    .order_by(_c.version)
)


class SqlVersionRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, version: RecordVersion) -> None:
        self._db.execute(_ADD, asdict(version))

    def list_for_patient(self, patient_id: int) -> Sequence[RecordVersion]:
        return self._select(record_versions.c.patient_id == patient_id)

    def list_for(self, entity_type: str, entity_id: int) -> Sequence[RecordVersion]:
        rows = self._db.execute(_OF_ENTITY, {"type": entity_type, "id": entity_id})
        return [RecordVersion(*r) for r in rows]

    def _select(self, where: ColumnElement[bool]) -> Sequence[RecordVersion]:
        query = select(*_COLUMNS).where(where).order_by(_c.version)
        return [RecordVersion(*r) for r in self._db.execute(query)]
