"""TOTP authenticators (secret encrypted at rest) and one-time recovery codes (digests only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, insert, or_, select, update

from himdesk.services.ports import Authenticator
from himdesk.storage.crypto import FieldCipher
from himdesk.storage.tables import authenticators, recovery_codes

SECRET_CONTEXT = b"authenticator.secret"


class SqlAuthenticatorRepository:
    def __init__(self, connection: Connection, cipher: FieldCipher) -> None:
        self._db = connection
        self._cipher = cipher

    def find(self, user_id: int) -> Authenticator | None:
        row = self._db.execute(
            select(authenticators).where(authenticators.c.user_id == user_id)
        ).first()
        if row is None:
            return None
        secret = self._cipher.decrypt(row.secret_encrypted, SECRET_CONTEXT)
        return Authenticator(row.user_id, secret, row.enrolled_at, row.last_used_step)

    def start_enrollment(self, user_id: int, secret: str) -> None:
        self._put(user_id, secret, enrolled_at=None)

    def enroll(self, user_id: int, secret: str, now: datetime) -> None:
        self._put(user_id, secret, enrolled_at=now)

    def _put(self, user_id: int, secret: str, enrolled_at: datetime | None) -> None:
        self._db.execute(delete(authenticators).where(authenticators.c.user_id == user_id))
        self._db.execute(
            insert(authenticators).values(
                user_id=user_id,
                secret_encrypted=self._cipher.encrypt(secret, SECRET_CONTEXT),
                enrolled_at=enrolled_at,
                last_used_step=None,
            )
        )

    def confirm(self, user_id: int, now: datetime) -> None:
        self._db.execute(
            update(authenticators)
            .where(authenticators.c.user_id == user_id)
            .values(enrolled_at=now)
        )

    def claim_step(self, user_id: int, step: int) -> bool:
        # A conditional update: of two requests racing with one code, only one wins.
        claimed = self._db.execute(
            update(authenticators)
            .where(
                authenticators.c.user_id == user_id,
                or_(
                    authenticators.c.last_used_step.is_(None),
                    authenticators.c.last_used_step < step,
                ),
            )
            .values(last_used_step=step)
        )
        return claimed.rowcount == 1

    def replace_recovery_codes(self, user_id: int, digests: Sequence[str]) -> None:
        self._db.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
        if digests:
            self._db.execute(
                insert(recovery_codes), [{"user_id": user_id, "code_digest": d} for d in digests]
            )

    def use_recovery_code(self, user_id: int, digest: str, now: datetime) -> bool:
        spent = self._db.execute(
            update(recovery_codes)
            .where(
                recovery_codes.c.user_id == user_id,
                recovery_codes.c.code_digest == digest,
                recovery_codes.c.used_at.is_(None),
            )
            .values(used_at=now)
        )
        return spent.rowcount == 1

    def remove(self, user_id: int) -> None:
        self._db.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
        self._db.execute(delete(authenticators).where(authenticators.c.user_id == user_id))
