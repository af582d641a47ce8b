"""The review queues: imports held for an unsure patient match, and rejected input.

Both keep what arrived encrypted (the held submission as JSON, the rejected bytes as
received), compressed first: a Synthea bundle is a megabyte of JSON.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from himdesk.domain.import_records import (
    HoldCandidate,
    ImportHold,
    InterfaceRejection,
    QueueStatus,
)
from himdesk.domain.incoming import SourceFormat, Submission
from himdesk.storage.crypto import FieldCipher
from himdesk.storage.submission_codec import decode_submission, encode_submission
from himdesk.storage.tables import import_holds, interface_rejections

HOLD_CONTEXT = b"import_hold.payload"
REJECTION_CONTEXT = b"interface_rejection.payload"


def _kept(text: str, limit: int) -> str:
    """Text of rejected input as a column keeps it: whatever arrived (NUL bytes, which
    PostgreSQL refuses, and unpaired surrogates are replaced), cut to the column width."""
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text.replace("\x00", "\ufffd")[:limit]


def seal(cipher: FieldCipher, payload: bytes, context: bytes) -> bytes:
    # latin-1 maps each byte to one character, so any bytes survive the cipher's str API.
    return cipher.encrypt(zlib.compress(payload).decode("latin-1"), context)


def unseal(cipher: FieldCipher, blob: bytes, context: bytes) -> bytes:
    return zlib.decompress(cipher.decrypt(blob, context).encode("latin-1"))


class SqlImportReviewRepository:
    def __init__(self, connection: Connection, cipher: FieldCipher) -> None:
        self._db = connection
        self._cipher = cipher

    def add_hold(
        self,
        submission: Submission,
        reason: str,
        candidates: Sequence[HoldCandidate],
        held: tuple[datetime, str],
    ) -> int:
        payload = seal(self._cipher, encode_submission(submission).encode(), HOLD_CONTEXT)
        values = {
            "format": submission.format.value, "label": submission.label[:300],
            "fingerprint": submission.fingerprint, "payload_encrypted": payload,
            "reason": reason[:1000], "candidates": [_plain(c) for c in candidates],
            "held_at": held[0], "held_by": held[1][:60], "status": QueueStatus.OPEN.value,
        }  # fmt: skip
        result = self._db.execute(insert(import_holds).values(values).returning(import_holds.c.id))
        return int(result.scalar_one())

    def open_hold_for(self, fingerprint: str) -> int | None:
        h = import_holds.c
        query = select(h.id).where(h.fingerprint == fingerprint, h.status == QueueStatus.OPEN)
        return self._db.execute(query.limit(1)).scalar_one_or_none()

    def holds(self, status: QueueStatus, limit: int) -> Sequence[ImportHold]:
        h = import_holds.c
        query = select(*_HOLD_COLUMNS).where(h.status == status.value)
        query = query.order_by(h.held_at, h.id).limit(limit)
        return [_hold(row) for row in self._db.execute(query)]

    def find_hold(self, hold_id: int) -> ImportHold | None:
        h = import_holds.c
        row = self._db.execute(
            select(*_HOLD_COLUMNS, h.payload_encrypted).where(h.id == hold_id)
        ).first()
        if row is None:
            return None
        text = unseal(self._cipher, row.payload_encrypted, HOLD_CONTEXT).decode()
        return _hold(row, decode_submission(text))

    def close_hold(
        self, hold_id: int, status: QueueStatus, closed: tuple[datetime, str], patient: int | None
    ) -> bool:
        """Close it unless someone closed it meanwhile (then False)."""
        h = import_holds.c
        result = self._db.execute(
            update(import_holds)
            .where(h.id == hold_id, h.status == QueueStatus.OPEN.value)
            .values(status=status.value, resolved_at=closed[0], resolved_by=closed[1][:60],
                    resolved_patient_id=patient)
        )  # fmt: skip
        return result.rowcount == 1

    def add_rejection(self, rejection: InterfaceRejection, payload: bytes) -> int:
        r = rejection
        values = {
            "format": _kept(r.format, 10), "label": _kept(r.label, 300),
            "channel": _kept(r.channel, 20), "message_type": _kept(r.message_type, 40),
            "control_id": _kept(r.control_id, 100), "reason": _kept(r.reason, 2000),
            "payload_encrypted": seal(self._cipher, payload, REJECTION_CONTEXT),
            "received_at": r.received_at, "received_by": r.received_by[:60],
            "status": QueueStatus.OPEN.value,
        }  # fmt: skip
        result = self._db.execute(
            insert(interface_rejections).values(values).returning(interface_rejections.c.id)
        )
        return int(result.scalar_one())

    def rejections(self, status: QueueStatus, limit: int) -> Sequence[InterfaceRejection]:
        r = interface_rejections.c
        query = select(*_REJECTION_COLUMNS).where(r.status == status.value)
        query = query.order_by(r.received_at.desc(), r.id.desc()).limit(limit)
        return [_rejection(row) for row in self._db.execute(query)]

    def count_open(self) -> tuple[int, int]:
        """Open holds and open rejections."""
        holds = select(func.count()).where(import_holds.c.status == QueueStatus.OPEN.value)
        rejected = select(func.count()).where(
            interface_rejections.c.status == QueueStatus.OPEN.value
        )
        return (int(self._db.execute(holds).scalar_one()),
                int(self._db.execute(rejected).scalar_one()))  # fmt: skip

    def find_rejection(self, rejection_id: int) -> InterfaceRejection | None:
        r = interface_rejections.c
        row = self._db.execute(
            select(*_REJECTION_COLUMNS, r.payload_encrypted).where(r.id == rejection_id)
        ).first()
        if row is None:
            return None
        payload = unseal(self._cipher, row.payload_encrypted, REJECTION_CONTEXT)
        return _rejection(row, payload)

    def close_rejection(self, rejection_id: int, closed: tuple[datetime, str], note: str) -> bool:
        r = interface_rejections.c
        result = self._db.execute(
            update(interface_rejections)
            .where(r.id == rejection_id, r.status == QueueStatus.OPEN.value)
            .values(status=QueueStatus.RESOLVED.value, resolved_at=closed[0],
                    resolved_by=closed[1][:60], note=note[:500])
        )  # fmt: skip
        return result.rowcount == 1


_h = import_holds.c
_HOLD_COLUMNS = (_h.id, _h.format, _h.label, _h.fingerprint, _h.reason, _h.candidates,
                 _h.held_at, _h.held_by, _h.status, _h.resolved_by, _h.resolved_at,
                 _h.resolved_patient_id)  # fmt: skip
_r = interface_rejections.c
_REJECTION_COLUMNS = (_r.id, _r.format, _r.label, _r.channel, _r.message_type, _r.control_id,
                      _r.reason, _r.received_at, _r.received_by, _r.status, _r.resolved_by,
                      _r.resolved_at, _r.note)  # fmt: skip


def _plain(candidate: HoldCandidate) -> dict[str, Any]:
    return {"chart": candidate.chart, "patient_id": candidate.patient_id,
            "score": candidate.score, "reasons": list(candidate.reasons)}  # fmt: skip


def _hold(row: Any, submission: Submission | None = None) -> ImportHold:
    candidates = tuple(
        HoldCandidate(c["chart"], c["patient_id"], c["score"], tuple(c["reasons"]))
        for c in row.candidates
    )
    return ImportHold(
        id=row.id, format=SourceFormat(row.format), label=row.label, fingerprint=row.fingerprint,
        reason=row.reason, candidates=candidates, held_at=row.held_at, held_by=row.held_by,
        status=QueueStatus(row.status), resolved_by=row.resolved_by,
        resolved_at=row.resolved_at, resolved_patient_id=row.resolved_patient_id,
        submission=submission,
    )  # fmt: skip


def _rejection(row: Any, payload: bytes | None = None) -> InterfaceRejection:
    return InterfaceRejection(
        id=row.id, format=row.format, label=row.label, channel=row.channel,
        message_type=row.message_type, control_id=row.control_id, reason=row.reason,
        received_at=row.received_at, received_by=row.received_by,
        status=QueueStatus(row.status), resolved_by=row.resolved_by,
        resolved_at=row.resolved_at, note=row.note, payload=payload,
    )  # fmt: skip
