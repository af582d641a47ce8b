"""The append-only, hash-chained audit table."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, func, insert, select, text

from himdesk.domain.audit import GENESIS_HASH, AuditEntry, SealedAuditEvent, seal
from himdesk.storage.tables import audit_events

_ENTRY_FIELDS = tuple(AuditEntry.__dataclass_fields__)
# Any constant shared by all writers: serialises appends so the chain has one tip.
_CHAIN_LOCK = 727_001


def _to_event(mapping: Any) -> SealedAuditEvent:
    entry = AuditEntry(**{name: mapping[name] for name in _ENTRY_FIELDS})
    return SealedAuditEvent(
        mapping["sequence"], entry, mapping["previous_hash"], mapping["event_hash"]
    )


class SqlAuditRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def append(self, entry: AuditEntry) -> SealedAuditEvent:
        if self._db.dialect.name == "postgresql":
            self._db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
        tip = self._db.execute(
            select(audit_events.c.sequence, audit_events.c.event_hash)
            .order_by(audit_events.c.sequence.desc())
            .limit(1)
        ).first()
        sequence, previous = (tip.sequence + 1, tip.event_hash) if tip else (1, GENESIS_HASH)
        event = seal(entry, sequence, previous)
        row = {name: getattr(entry, name) for name in _ENTRY_FIELDS}
        self._db.execute(
            insert(audit_events).values(
                sequence=sequence, previous_hash=previous, event_hash=event.event_hash, **row
            )
        )
        return event

    def iterate(self, batch_size: int = 10_000) -> Iterator[SealedAuditEvent]:
        """All events in order, read in batches (constant memory on any table size)."""
        after = 0
        while True:
            rows = self._db.execute(
                select(audit_events)
                .where(audit_events.c.sequence > after)
                .order_by(audit_events.c.sequence)
                .limit(batch_size)
            ).all()
            if not rows:
                return
            for row in rows:
                yield _to_event(row._mapping)
            after = rows[-1].sequence

    def list_for_patient(self, patient_id: int, limit: int) -> Sequence[SealedAuditEvent]:
        query = (
            select(audit_events)
            .where(audit_events.c.patient_id == patient_id)
            .order_by(audit_events.c.sequence.desc())
            .limit(limit)
        )
        return [_to_event(r._mapping) for r in self._db.execute(query)]

    def count(self) -> int:
        return int(self._db.execute(select(func.count()).select_from(audit_events)).scalar_one())
