"""Users, web sessions and clinicians."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, insert, select, update

from himdesk.domain.access import Role
from himdesk.domain.records import Clinician
from himdesk.domain.sign_in import SessionStage
from himdesk.services.ports import User, WebSession
from himdesk.storage.tables import clinicians, users, web_sessions


def _to_user(m: Any) -> User:
    return User(
        m["id"],
        m["username"],
        m["display_name"],
        Role(m["role"]),
        m["password_hash"],
        m["active"],
        m["clinician_id"],
        m["failed_logins"],
        m["paused_until"],
    )


class SqlUserRepository:
    def __init__(self, connection: Connection, now: Any) -> None:
        self._db = connection
        self._now = now

    def add(self, user: User) -> User:
        new_id = self._db.execute(
            insert(users)
            .values(
                username=user.username,
                display_name=user.display_name,
                role=user.role.value,
                password_hash=user.password_hash,
                clinician_id=user.clinician_id,
                active=user.active,
                created_at=self._now(),
            )
            .returning(users.c.id)
        ).scalar_one()
        return replace(user, id=new_id)

    def find_by_username(self, username: str) -> User | None:
        row = self._db.execute(select(users).where(users.c.username == username)).first()
        return _to_user(row._mapping) if row else None

    def find(self, user_id: int) -> User | None:
        row = self._db.execute(select(users).where(users.c.id == user_id)).first()
        return _to_user(row._mapping) if row else None

    def update_password(self, user_id: int, password_hash: str) -> None:
        self._db.execute(
            update(users).where(users.c.id == user_id).values(password_hash=password_hash)
        )

    def count_failed_login(self, user_id: int) -> int:
        # One statement, so concurrent failures each count (no read-modify-write race).
        counted = self._db.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(failed_logins=users.c.failed_logins + 1)
            .returning(users.c.failed_logins)
        )
        return int(counted.scalar_one())

    def pause(self, user_id: int, until: datetime) -> None:
        self._db.execute(update(users).where(users.c.id == user_id).values(paused_until=until))

    def clear_failed_logins(self, user_id: int) -> None:
        self._db.execute(
            update(users).where(users.c.id == user_id).values(failed_logins=0, paused_until=None)
        )


class SqlSessionRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(
        self,
        token_hash: str,
        user_id: int,
        csrf_token: str,
        now: datetime,
        client: str,
        stage: SessionStage = SessionStage.ACTIVE,
    ) -> None:
        self._db.execute(
            insert(web_sessions).values(
                token_hash=token_hash,
                user_id=user_id,
                csrf_token=csrf_token,
                created_at=now,
                last_seen_at=now,
                client_address=client,
                stage=stage.value,
            )
        )

    def find(self, token_hash: str) -> WebSession | None:
        row = self._db.execute(
            select(web_sessions).where(web_sessions.c.token_hash == token_hash)
        ).first()
        if row is None:
            return None
        return WebSession(
            row.id,
            row.user_id,
            row.csrf_token,
            row.created_at,
            row.last_seen_at,
            SessionStage(row.stage),
        )

    def touch(self, session_id: int, now: datetime) -> None:
        self._db.execute(
            update(web_sessions).where(web_sessions.c.id == session_id).values(last_seen_at=now)
        )

    def remove(self, session_id: int) -> None:
        self._db.execute(delete(web_sessions).where(web_sessions.c.id == session_id))

    def remove_idle_since(self, cutoff: datetime) -> int:
        gone = self._db.execute(delete(web_sessions).where(web_sessions.c.last_seen_at < cutoff))
        return int(gone.rowcount)


class SqlClinicianRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, clinician: Clinician) -> Clinician:
        values = {k: v for k, v in asdict(clinician).items() if k != "id"}
        values["npi"] = clinician.npi or None  # many clinicians may lack an NPI; "" would clash
        new_id = self._db.execute(insert(clinicians).values(values).returning(clinicians.c.id))
        return replace(clinician, id=new_id.scalar_one())

    def get_many(self, ids: set[int]) -> dict[int, Clinician]:
        if not ids:
            return {}
        rows = self._db.execute(select(clinicians).where(clinicians.c.id.in_(sorted(ids))))
        return {r.id: _clinician(r._mapping) for r in rows}

    def list_all(self) -> Sequence[Clinician]:
        rows = self._db.execute(select(clinicians).order_by(clinicians.c.family_name))
        return [_clinician(r._mapping) for r in rows]


def _clinician(row: RowMapping) -> Clinician:
    return Clinician(**{**row, "npi": row["npi"] or ""})
