"""Users, passwords (Argon2), login throttling, and server-side sessions with CSRF tokens.

A login that needs a second factor (domain/sign_in.py) opens a *pending* session that no
workstation page accepts; `second_factor.py` finishes it with a new token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from himdesk.domain.access import USER_ROLES, Action, Actor, Role
from himdesk.domain.audit import AuditEntry
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.passwords import MAX_LENGTH, MIN_LENGTH, check_new_password
from himdesk.domain.sign_in import SessionStage, is_locked, pause_after, requires_second_factor
from himdesk.services import audit
from himdesk.services.errors import Conflict, NotFound
from himdesk.services.ports import UnitOfWork, User

MIN_PASSWORD = MIN_LENGTH
MAX_PASSWORD = MAX_LENGTH
_hasher = PasswordHasher()
# Checked against when the username is unknown, so a login takes as long either way.
_DUMMY_HASH = _hasher.hash("never-a-real-password-" + secrets.token_hex(8))


class LoginFailed(Exception):
    def __init__(self) -> None:
        # One message for every failure: it must not tell whether the account exists or is paused.
        super().__init__(
            "The username or password is not right. After repeated failures, logins to an "
            "account pause for a while, so wait a few minutes before trying again."
        )


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
    if role not in USER_ROLES:
        raise InvalidInput({"role": "API clients are registered with `himdesk api-client add`."})
    if uow.users.find_by_username(username):
        raise Conflict(f"A user named {username} already exists.")
    check_new_password(password, username)
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


@dataclass(frozen=True)
class PendingSignIn:
    """The password was right; the second factor (or its enrollment) is still due."""

    token: str
    csrf_token: str
    user: User
    stage: SessionStage


def log_in(
    uow: UnitOfWork, username: str, password: str, client: str, idle_limit: timedelta
) -> SignedIn | PendingSignIn:
    """Check the password; open a session, or a pending one when a second factor is due.

    Unknown, disabled and paused accounts fail like a wrong password (same message, same
    Argon2 work). Sessions left idle past the limit are cleared on the way.
    """
    typed = username.strip().lower()[:60]
    user = uow.users.find_by_username(typed)
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        # Attempts on unknown or disabled accounts are kept for the privacy officer too.
        uow.audit.append(
            AuditEntry(occurred_at=uow.clock(), user_id=None, username=_unknown(typed), role="",
                       action="user.login", outcome="failure", object_type="user",
                       client_address=client)
        )  # fmt: skip
        uow.commit()
        raise LoginFailed()
    if is_locked(user.failed_logins, user.paused_until, uow.clock()):
        _verify(_DUMMY_HASH, password)
        audit.record(uow, actor_for(user, client), "user.login", outcome="paused")
        uow.commit()
        raise LoginFailed()
    if not _verify(user.password_hash, password):
        count_failure(uow, user, client, "user.login")
        raise LoginFailed()
    if _hasher.check_needs_rehash(user.password_hash):
        uow.users.update_password(user.id, _hasher.hash(password))
    uow.sessions.remove_idle_since(uow.clock() - idle_limit)
    if requires_second_factor(user.role):
        return _await_second_factor(uow, user, client)
    return complete_sign_in(uow, user, client)


def _await_second_factor(uow: UnitOfWork, user: User, client: str) -> PendingSignIn:
    factor = uow.authenticators.find(user.id)
    enrolled = factor is not None and factor.enrolled_at is not None
    stage = SessionStage.SECOND_FACTOR if enrolled else SessionStage.ENROLLING
    token, csrf = _open_session(uow, user.id, client, stage)
    audit.record(uow, actor_for(user, client), "user.login.password")
    uow.commit()
    return PendingSignIn(token=token, csrf_token=csrf, user=user, stage=stage)


def complete_sign_in(uow: UnitOfWork, user: User, client: str) -> SignedIn:
    """Open the session that reaches the workstation, always under a new token.

    Nothing the browser held before (a pending token, a planted cookie) becomes the
    session, so session fixation is impossible. Commits.
    """
    uow.users.clear_failed_logins(user.id)
    token, csrf = _open_session(uow, user.id, client, SessionStage.ACTIVE)
    audit.record(uow, actor_for(user, client), "user.login")
    uow.commit()
    return SignedIn(token=token, csrf_token=csrf, user=user)


def _open_session(
    uow: UnitOfWork, user_id: int, client: str, stage: SessionStage
) -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    uow.sessions.add(token_digest(token), user_id, csrf, uow.clock(), client[:64], stage)
    return token, csrf


def count_failure(uow: UnitOfWork, user: User, client: str, action: str) -> bool:
    """Audit a failed attempt and count it, pausing the account when due (NIST 800-63B 5.2.2).

    Commits, so the count survives the caller's exception. True when the account is paused.
    """
    failures = uow.users.count_failed_login(user.id)
    actor = actor_for(user, client)
    audit.record(uow, actor, action, outcome="failure")
    pause = pause_after(failures)
    if pause is not None:
        uow.users.pause(user.id, uow.clock() + pause)
        audit.record(uow, actor, "user.lockout", object_type="user", object_id=user.id)
    uow.commit()
    return pause is not None


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
    session = uow.sessions.find(token_digest(token))
    if session is None or session.stage is not SessionStage.ACTIVE:
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
    session = uow.sessions.find(token_digest(token))
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
        display_name=user.display_name,
    )


def token_digest(token: str) -> str:
    # Only a digest is stored, so a copy of the sessions table cannot be replayed.
    return hashlib.sha256(token.encode()).hexdigest()


def unlock(uow: UnitOfWork, actor: Actor, username: str) -> User:
    """Lift a pause or lock from an account (after confirming who is asking, out of band)."""
    audit.require(uow, actor, Action.MANAGE_USERS)
    user = uow.users.find_by_username(username.strip().lower())
    if user is None:
        raise NotFound("user", username)
    uow.users.clear_failed_logins(user.id)
    audit.record(uow, actor, "user.unlock", object_type="user", object_id=user.id)
    uow.commit()
    return user


def _unknown(typed: str) -> str:
    """How an unknown username is kept in the append-only trail: people type passwords into
    the username box, so only a short digest is kept (equal attempts still match)."""
    return "unknown:" + hashlib.sha256(typed.encode()).hexdigest()[:12]
