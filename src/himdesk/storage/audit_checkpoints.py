"""The signed checkpoints table, written inside the audit append path and read by verify.

Callers hold the audit chain's lock when adding (see `SqlAuditRepository`), so the next
checkpoint number and the chain's tip cannot move underneath them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from himdesk.domain.audit_checkpoints import AuditCheckpoint, CheckpointSigner
from himdesk.storage.tables import audit_checkpoints


def add_checkpoint(
    connection: Connection,
    signer: CheckpointSigner,
    sequence: int,
    event_hash: str,
    created_at: datetime,
) -> AuditCheckpoint:
    number = connection.execute(
        select(func.coalesce(func.max(audit_checkpoints.c.number), 0))
    ).scalar_one()
    checkpoint = signer.sign(int(number) + 1, sequence, event_hash, created_at)
    connection.execute(insert(audit_checkpoints).values(asdict(checkpoint)))
    return checkpoint


def latest_checkpoint(connection: Connection) -> AuditCheckpoint | None:
    row = connection.execute(
        select(audit_checkpoints).order_by(audit_checkpoints.c.number.desc()).limit(1)
    ).first()
    return AuditCheckpoint(**row._mapping) if row else None


def list_checkpoints(connection: Connection) -> Sequence[AuditCheckpoint]:
    rows = connection.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.number))
    return [AuditCheckpoint(**row._mapping) for row in rows]
