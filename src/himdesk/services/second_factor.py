"""The second sign-in factor: TOTP authenticators (RFC 6238) and one-time recovery codes.

ONC 170.315(d)(13) and NIST SP 800-63B 5.1.3/5.1.4: a code is accepted once (a replayed code
is refused, even within its 30-second window), wrong codes count towards the same pause as
wrong passwords, and recovery codes are shown once and stored as digests only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

import pyotp

from himdesk.domain.access import Action, Actor
from himdesk.domain.sign_in import (
    RECOVERY_CODES,
    SECOND_FACTOR_TIME_LIMIT,
    SessionStage,
    is_locked,
    looks_like_totp,
    normalize_recovery_code,
)
from himdesk.services import audit
from himdesk.services.authentication import (
    LoginFailed,
    SignedIn,
    actor_for,
    complete_sign_in,
    count_failure,
    token_digest,
)
from himdesk.services.errors import NotFound
from himdesk.services.ports import UnitOfWork, User, WebSession

ISSUER = "himdesk"


class SecondFactorFailed(Exception):
    def __init__(self) -> None:
        super().__init__(
            "That code is not right, or it was used already. Enter the current 6-digit code "
            "from your authenticator app, or one of your unused recovery codes."
        )


class SignInExpired(Exception):
    def __init__(self) -> None:
        super().__init__("The login was not finished in time. Log in again.")


@dataclass(frozen=True)
class PendingSession:
    user: User
    csrf_token: str
    stage: SessionStage


@dataclass(frozen=True)
class Enrollment:
    secret: str
    # otpauth:// URI (Key Uri Format) that authenticator apps read from the QR code.
    provisioning_uri: str


@dataclass(frozen=True)
class Enrolled:
    signed: SignedIn
    recovery_codes: list[str]


def resume_pending(uow: UnitOfWork, token: str) -> PendingSession | None:
    """The half-finished login behind a token, or None when there is none (or it expired)."""
    try:
        session, user = _pending(uow, token, None)
    except (SignInExpired, LoginFailed):
        return None
    return PendingSession(user, session.csrf_token, session.stage)


def enrollment_for(uow: UnitOfWork, token: str) -> Enrollment:
    """The secret to enroll, bound to this sign-in: a reload shows the same one.

    Every new sign-in gets a different secret, replacing any unconfirmed one, so whoever saw
    an earlier enrollment page (someone else holding the password, say) never ends up
    sharing the authenticator the user confirms.
    """
    _session, user = _pending(uow, token, SessionStage.ENROLLING)
    factor = uow.authenticators.find(user.id)
    if factor is not None and factor.enrolled_at is not None:
        raise SignInExpired()  # enrolled meanwhile (another tab): log in with the code
    secret = _secret_for_sign_in(token)
    if factor is None or factor.secret != secret:
        uow.authenticators.start_enrollment(user.id, secret)
        uow.commit()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return Enrollment(secret=secret, provisioning_uri=uri)


def _secret_for_sign_in(token: str) -> str:
    # 160 bits from the sign-in token, which only this browser holds (its digest is stored).
    digest = hashlib.sha256(b"himdesk-enrollment:" + token.encode()).digest()
    return base64.b32encode(digest[:20]).decode()


def confirm_enrollment(uow: UnitOfWork, token: str, code: str, client: str) -> Enrolled:
    """Enroll when the code matches the new secret; sign in; hand out fresh recovery codes."""
    session, user = _pending(uow, token, SessionStage.ENROLLING)
    factor = uow.authenticators.find(user.id)
    if factor is None or factor.enrolled_at is not None:
        raise SignInExpired()
    step = matching_step(factor.secret, code, uow.clock()) if looks_like_totp(code) else None
    if step is None or not uow.authenticators.claim_step(user.id, step):
        _refuse(uow, session, user, client, "user.mfa.enroll")
    uow.authenticators.confirm(user.id, uow.clock())
    codes = _new_recovery_codes(uow, user.id)
    audit.record(uow, actor_for(user, client), "user.mfa.enroll", object_type="user",
                 object_id=user.id)  # fmt: skip
    uow.sessions.remove(session.id)
    return Enrolled(signed=complete_sign_in(uow, user, client), recovery_codes=codes)


def verify_second_factor(uow: UnitOfWork, token: str, code: str, client: str) -> SignedIn:
    """Finish a login with a TOTP code or an unused recovery code."""
    session, user = _pending(uow, token, SessionStage.SECOND_FACTOR)
    factor = uow.authenticators.find(user.id)
    if factor is None or factor.enrolled_at is None:
        raise SignInExpired()
    if looks_like_totp(code):
        step = matching_step(factor.secret, code, uow.clock())
        accepted = step is not None and uow.authenticators.claim_step(user.id, step)
    else:
        spent = recovery_digest(user.id, code)
        accepted = uow.authenticators.use_recovery_code(user.id, spent, uow.clock())
        if accepted:
            audit.record(uow, actor_for(user, client), "user.mfa.recovery_code",
                         object_type="user", object_id=user.id)  # fmt: skip
    if not accepted:
        _refuse(uow, session, user, client, "user.login.second_factor")
    uow.sessions.remove(session.id)
    return complete_sign_in(uow, user, client)


def reset_authenticator(uow: UnitOfWork, actor: Actor, username: str) -> User:
    """Forget a lost authenticator; the user enrolls a new one at their next login.

    Whoever runs this must first confirm the person's identity out of band: until they
    enroll again, their password alone leads to the enrollment page.
    """
    audit.require(uow, actor, Action.MANAGE_USERS)
    user = uow.users.find_by_username(username.strip().lower())
    if user is None:
        raise NotFound("user", username)
    uow.authenticators.remove(user.id)
    audit.record(uow, actor, "user.mfa.reset", object_type="user", object_id=user.id)
    uow.commit()
    return user


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The 30-second time step whose code this is: now, or one step either side (clock drift)."""
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // totp.interval
    typed = code.replace(" ", "")
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step).encode(), typed.encode()):
            return step
    return None


def recovery_digest(user_id: int, code: str) -> str:
    # Codes carry 80 random bits, so a plain digest cannot be reversed by guessing.
    return hashlib.sha256(f"{user_id}:{normalize_recovery_code(code)}".encode()).hexdigest()


def _new_recovery_codes(uow: UnitOfWork, user_id: int) -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    uow.authenticators.replace_recovery_codes(user_id, [recovery_digest(user_id, c) for c in codes])
    return codes


def _pending(uow: UnitOfWork, token: str, stage: SessionStage | None) -> tuple[WebSession, User]:
    """The pending session and its user; expired or paused ones are ended here."""
    session = uow.sessions.find(token_digest(token)) if token else None
    if session is None or session.stage is SessionStage.ACTIVE:
        raise SignInExpired()
    if stage is not None and session.stage is not stage:
        raise SignInExpired()
    user = uow.users.find(session.user_id)
    now = uow.clock()
    expired = now - session.created_at > SECOND_FACTOR_TIME_LIMIT
    if user is None or not user.active or expired:
        uow.sessions.remove(session.id)
        uow.commit()
        raise SignInExpired()
    if is_locked(user.failed_logins, user.paused_until, now):
        uow.sessions.remove(session.id)
        uow.commit()
        raise LoginFailed()
    return session, user


def _refuse(uow: UnitOfWork, session: WebSession, user: User, client: str, action: str) -> NoReturn:
    if count_failure(uow, user, client, action):
        # Paused: the password has to be given again once the pause is over.
        uow.sessions.remove(session.id)
        uow.commit()
        raise LoginFailed()
    raise SecondFactorFailed()
