"""Logging in, sessions and idle logoff through the services, on every backend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Role
from himdesk.services.authentication import LoginFailed, hash_password, log_in, resume_session
from himdesk.services.ports import User
from tests.fakes import FakeClock

PASSWORD = "a perfectly long passphrase"
IDLE = timedelta(minutes=15)


@pytest.fixture
def analyst(himdesk: Himdesk) -> User:
    """A role without patient access, so one password opens a session (no second factor)."""
    with himdesk.unit_of_work() as uow:
        user = uow.users.add(User(0, "ana", "Ana Analyst", Role.ANALYST, hash_password(PASSWORD)))
        uow.commit()
    return user


def _audit_tail(himdesk: Himdesk) -> tuple[str, str, str]:
    with himdesk.unit_of_work() as uow:
        last = list(uow.audit.iterate())[-1].entry
    return last.username, last.action, last.outcome


def test_logging_in_opens_a_session_that_resumes_by_token(himdesk: Himdesk, analyst: User) -> None:
    with himdesk.unit_of_work() as uow:
        signed = log_in(uow, "Ana", PASSWORD, "10.0.0.1", IDLE)
    with himdesk.unit_of_work() as uow:
        session = resume_session(uow, signed.token, "10.0.0.1", IDLE)
    assert session is not None and session.actor.username == "ana"
    assert session.csrf_token == signed.csrf_token
    assert _audit_tail(himdesk) == ("ana", "user.login", "success")


def test_the_session_table_holds_a_digest_not_the_token(himdesk: Himdesk, analyst: User) -> None:
    with himdesk.unit_of_work() as uow:
        signed = log_in(uow, "ana", PASSWORD, "10.0.0.1", IDLE)
    with himdesk.engine.connect() as c:
        stored = c.exec_driver_sql("SELECT token_hash FROM web_sessions").scalar_one()
    assert stored != signed.token and len(stored) == 64


def test_a_wrong_password_fails_and_is_audited(himdesk: Himdesk, analyst: User) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(LoginFailed):
        log_in(uow, "ana", "not the passphrase", "10.0.0.1", IDLE)
    assert _audit_tail(himdesk) == ("ana", "user.login", "failure")


def test_an_unknown_username_fails_the_same_way_and_is_audited(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(LoginFailed, match="username or password"):
        log_in(uow, "mallory", PASSWORD, "10.0.0.66", IDLE)
    username, action, outcome = _audit_tail(himdesk)
    assert (action, outcome) == ("user.login", "failure")
    # A typed username may be a mistyped password: the trail keeps only a digest of it.
    assert username.startswith("unknown:") and "mallory" not in username


def test_a_session_idle_past_the_limit_is_ended(
    himdesk: Himdesk, analyst: User, clock: FakeClock
) -> None:
    with himdesk.unit_of_work() as uow:
        signed = log_in(uow, "ana", PASSWORD, "10.0.0.1", IDLE)
    clock.advance(minutes=14)
    with himdesk.unit_of_work() as uow:
        assert resume_session(uow, signed.token, "10.0.0.1", IDLE) is not None
    clock.advance(minutes=14)
    with himdesk.unit_of_work() as uow:
        assert resume_session(uow, signed.token, "10.0.0.1", IDLE) is not None
    clock.advance(minutes=16)
    with himdesk.unit_of_work() as uow:
        assert resume_session(uow, signed.token, "10.0.0.1", IDLE) is None
    with himdesk.unit_of_work() as uow:
        assert resume_session(uow, signed.token, "10.0.0.1", IDLE) is None
    assert _audit_tail(himdesk) == ("ana", "user.logoff.idle", "success")


def test_logging_in_clears_sessions_left_idle_past_the_limit(
    himdesk: Himdesk, analyst: User, clock: FakeClock
) -> None:
    with himdesk.unit_of_work() as uow:
        log_in(uow, "ana", PASSWORD, "10.0.0.1", IDLE)
    clock.advance(minutes=20)
    with himdesk.unit_of_work() as uow:
        log_in(uow, "ana", PASSWORD, "10.0.0.2", IDLE)
    with himdesk.engine.connect() as c:
        clients = c.exec_driver_sql("SELECT client_address FROM web_sessions").scalars().all()
    assert clients == ["10.0.0.2"]
