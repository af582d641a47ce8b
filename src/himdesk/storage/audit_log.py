"""The append-only, hash-chained audit table."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, insert, select, text

from himdesk.domain.audit import GENESIS_HASH, AuditEntry, ChainWalk, SealedAuditEvent, seal
from himdesk.domain.audit_checkpoints import AuditCheckpoint, CheckpointSigner
from himdesk.storage import audit_checkpoints, audit_walk
from himdesk.storage.tables import audit_events

_ENTRY_FIELDS = tuple(AuditEntry.__dataclass_fields__)
# Any constant shared by all writers: serialises appends so the chain has one tip.
_CHAIN_LOCK = 727_001
_INSERT = insert(audit_events)
_TIP = (
    select(audit_events.c.sequence, audit_events.c.event_hash)
    .order_by(audit_events.c.sequence.desc())
    .limit(1)
)
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def _row(event: SealedAuditEvent) -> dict[str, Any]:
    row = {name: getattr(event.entry, name) for name in _ENTRY_FIELDS}
    row.update(
        sequence=event.sequence, previous_hash=event.previous_hash, event_hash=event.event_hash
    )
    return row


def _to_event(mapping: Any) -> SealedAuditEvent:
    entry = AuditEntry(**{name: mapping[name] for name in _ENTRY_FIELDS})
    return SealedAuditEvent(
        mapping["sequence"], entry, mapping["previous_hash"], mapping["event_hash"]
    )


class SqlAuditRepository:
    def __init__(
        self,
        connection: Connection,
        signer: CheckpointSigner,
        clock: Callable[[], datetime],
    ) -> None:
        self._db = connection
        self._signer = signer
        self._clock = clock

    def _lock_chain(self) -> None:
        # SQLite needs nothing more: every transaction begins IMMEDIATE (the write lock).
        if self._db.dialect.name == "postgresql":
            self._db.execute(_LOCK, {"key": _CHAIN_LOCK})

    def append(self, entry: AuditEntry) -> SealedAuditEvent:
        """Seal the entry onto the chain; every `signer.every` events, sign a checkpoint too."""
        return self.append_many([entry])[0]

    def append_many(self, entries: Sequence[AuditEntry]) -> list[SealedAuditEvent]:
        """Seal the entries onto the chain in order, with one read of the tip and one insert.

        Chart analysis audits every chart it reads: appended one by one, the two statements
        per event cost more than analysing the chart.
        """
        if not entries:
            return []
        self._lock_chain()
        # Built once (as _INSERT): every audited action reads the tip.
        tip = self._db.execute(_TIP).first()
        sequence, previous = (tip.sequence, tip.event_hash) if tip else (0, GENESIS_HASH)
        events = []
        for entry in entries:
            sequence += 1
            events.append(seal(entry, sequence, previous))
            previous = events[-1].event_hash
        # Values as parameters, not .values(): the statement compiles once per process.
        self._db.execute(_INSERT, [_row(event) for event in events])
        for event in events:
            if self._signer.is_due(event.sequence):
                audit_checkpoints.add_checkpoint(
                    self._db, self._signer, event.sequence, event.event_hash, self._clock()
                )
        return events

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
        return self._newest_first(audit_events.c.patient_id == patient_id, limit)

    def list_for_user(self, username: str, limit: int) -> Sequence[SealedAuditEvent]:
        return self._newest_first(audit_events.c.username == username, limit)

    def _newest_first(self, where: ColumnElement[bool], limit: int) -> Sequence[SealedAuditEvent]:
        query = select(audit_events).where(where).order_by(audit_events.c.sequence.desc())
        return [_to_event(r._mapping) for r in self._db.execute(query.limit(limit))]

    def count(self) -> int:
        return int(self._db.execute(select(func.count()).select_from(audit_events)).scalar_one())

    def checkpoint_now(self) -> AuditCheckpoint | None:
        """Sign a checkpoint at the chain's tip (None while the trail is empty)."""
        self._lock_chain()
        tip = self._db.execute(_TIP).first()
        if tip is None:
            return None
        latest = audit_checkpoints.latest_checkpoint(self._db)
        if latest and latest.sequence == tip.sequence:
            return latest
        return audit_checkpoints.add_checkpoint(
            self._db, self._signer, tip.sequence, tip.event_hash, self._clock()
        )

    def list_checkpoints(self) -> Sequence[AuditCheckpoint]:
        return audit_checkpoints.list_checkpoints(self._db)

    def last_sequence(self) -> int:
        last = self._db.execute(select(func.max(audit_events.c.sequence))).scalar_one()
        return int(last or 0)

    def hashes_at(self, sequences: Collection[int]) -> Mapping[int, str]:
        return audit_walk.event_hashes_at(self._db, sequences)

    def walk_chain(self, through: int) -> ChainWalk:
        return audit_walk.walk_chain(self._db, through, audit_walk.PARALLEL_FROM)
