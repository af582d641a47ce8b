"""Users, passwords (Argon2) and server-side sessions with CSRF tokens and idle logoff."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from himdesk.domain.access import Action, Actor, Role
from himdesk.domain.audit import AuditEntry
from himdesk.domain.demographics import InvalidInput
from himdesk.services import audit
from himdesk.services.errors import Conflict
from himdesk.services.ports import UnitOfWork, User

MIN_PASSWORD = 12
MAX_PASSWORD = 256
_hasher = PasswordHasher()
# Checked against when the username is unknown, so a login takes as long either way.
_DUMMY_HASH = _hasher.hash("never-a-real-password-" + secrets.token_hex(8))


class LoginFailed(Exception):
    def __init__(self) -> None:
        super().__init__("The username or password is not right.")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput({"password": f"Use at least {MIN_PASSWORD} characters."})
    if len(password) > MAX_PASSWORD:
        raise InvalidInput({"password": f"Use at most {MAX_PASSWORD} characters."})
    return _hasher.hash(password)


def add_user(
    uow: UnitOfWork,
    actor: Actor,
    username: str,
    role: Role,
    password: str,
    display_name: str = "",
    clinician_id: int | None = None,
) -> User:
    audit.require(uow, actor, Action.MANAGE_USERS)
    username = username.strip().lower()
    if (
        not username
        or len(username) > 60
        or not username.replace(".", "").replace("_", "").isalnum()
    ):
        raise InvalidInput({"username": "Use 1–60 letters, digits, dots or underscores."})
    if uow.users.find_by_username(username):
        raise Conflict(f"A user named {username} already exists.")
    user = uow.users.add(
        User(
            id=0,
            username=username,
            display_name=display_name.strip() or username,
            role=role,
            password_hash=hash_password(password),
            clinician_id=clinician_id,
        )
    )
    audit.record(uow, actor, Action.MANAGE_USERS.value, object_type="user", object_id=user.id)
    uow.commit()
    return user


@dataclass(frozen=True)
class SignedIn:
    token: str
    csrf_token: str
    user: User


def log_in(
    uow: UnitOfWork, username: str, password: str, client: str, idle_limit: timedelta
) -> SignedIn:
    """Check the password and open a new session; sessions left idle past the limit go."""
    typed = username.strip().lower()[:60]
    user = uow.users.find_by_username(typed)
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        # Attempts on unknown or disabled accounts are kept for the privacy officer too.
        uow.audit.append(
            AuditEntry(occurred_at=uow.clock(), user_id=None, username=typed, role="",
                       action="user.login", outcome="failure", object_type="user",
                       client_address=client)
        )  # fmt: skip
        uow.commit()
        raise LoginFailed()
    if not _verify(user.password_hash, password):
        audit.record(uow, actor_for(user, client), "user.login", outcome="failure")
        uow.commit()
        raise LoginFailed()
    if _hasher.check_needs_rehash(user.password_hash):
        uow.users.update_password(user.id, _hasher.hash(password))
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    uow.sessions.remove_idle_since(uow.clock() - idle_limit)
    uow.sessions.add(_digest(token), user.id, csrf, uow.clock(), client[:64])
    audit.record(uow, actor_for(user, client), "user.login")
    uow.commit()
    return SignedIn(token=token, csrf_token=csrf, user=user)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class ActiveSession:
    actor: Actor
    user: User
    csrf_token: str


def resume_session(
    uow: UnitOfWork, token: str, client: str, idle_limit: timedelta
) -> ActiveSession | None:
    """The session behind a cookie, or None when unknown or idle too long (then ended)."""
    session = uow.sessions.find(_digest(token))
    if session is None:
        return None
    now = uow.clock()
    user = uow.users.find(session.user_id)
    if user is None or not user.active or now - session.last_seen_at > idle_limit:
        uow.sessions.remove(session.id)
        if user is not None:
            audit.record(uow, actor_for(user, client), "user.logoff.idle")
        uow.commit()
        return None
    uow.sessions.touch(session.id, now)
    uow.commit()
    return ActiveSession(actor_for(user, client), user, session.csrf_token)


def log_out(uow: UnitOfWork, token: str, client: str) -> None:
    session = uow.sessions.find(_digest(token))
    if session is None:
        return
    user = uow.users.find(session.user_id)
    uow.sessions.remove(session.id)
    if user is not None:
        audit.record(uow, actor_for(user, client), "user.logout")
    uow.commit()


def actor_for(user: User, client: str) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        client_address=client,
        clinician_id=user.clinician_id,
    )


def _digest(token: str) -> str:
    # Only a digest is stored, so a copy of the sessions table cannot be replayed.
    return hashlib.sha256(token.encode()).hexdigest()
