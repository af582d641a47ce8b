"""Repeated failed logins pause an account, with the same message as any failure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Role
from himdesk.services.authentication import (
    LoginFailed,
    SignedIn,
    hash_password,
    log_in,
    unlock,
)
from himdesk.services.ports import User
from tests.fakes import FakeClock

PASSWORD = "a perfectly long passphrase"
IDLE = timedelta(minutes=15)


@pytest.fixture
def analyst(himdesk: Himdesk) -> User:
    with himdesk.unit_of_work() as uow:
        user = uow.users.add(User(0, "ana", "Ana Analyst", Role.ANALYST, hash_password(PASSWORD)))
        uow.commit()
    return user


def _attempt(himdesk: Himdesk, password: str, username: str = "ana") -> str:
    """'ok', or the message the user would see."""
    with himdesk.unit_of_work() as uow:
        try:
            log_in(uow, username, password, "10.0.0.9", IDLE)
        except LoginFailed as failed:
            return str(failed)
    return "ok"


def _fail(himdesk: Himdesk, times: int) -> None:
    for _ in range(times):
        assert _attempt(himdesk, "not the passphrase") != "ok"


def _audit(himdesk: Himdesk) -> list[tuple[str, str]]:
    with himdesk.unit_of_work() as uow:
        return [(e.entry.action, e.entry.outcome) for e in uow.audit.iterate()]


def test_five_wrong_passwords_pause_the_account_even_for_the_right_one(
    himdesk: Himdesk, analyst: User
) -> None:
    _fail(himdesk, 5)
    wrong = _attempt(himdesk, "not the passphrase")
    assert _attempt(himdesk, PASSWORD) == wrong
    assert wrong == str(LoginFailed())


def test_a_paused_account_fails_exactly_like_an_unknown_one(
    himdesk: Himdesk, analyst: User
) -> None:
    _fail(himdesk, 5)
    assert _attempt(himdesk, PASSWORD) == _attempt(himdesk, PASSWORD, username="nobody")


def test_the_pause_ends_after_a_minute_and_the_right_password_works(
    himdesk: Himdesk, analyst: User, clock: FakeClock
) -> None:
    _fail(himdesk, 5)
    clock.advance(seconds=59)
    assert _attempt(himdesk, PASSWORD) != "ok"
    clock.advance(seconds=1)
    assert _attempt(himdesk, PASSWORD) == "ok"


def test_each_failure_after_a_pause_doubles_the_next_pause(
    himdesk: Himdesk, analyst: User, clock: FakeClock
) -> None:
    _fail(himdesk, 5)
    clock.advance(minutes=1)
    _fail(himdesk, 1)
    clock.advance(minutes=1, seconds=59)
    assert _attempt(himdesk, PASSWORD) != "ok"
    clock.advance(seconds=1)
    assert _attempt(himdesk, PASSWORD) == "ok"


def test_a_successful_login_starts_the_count_again(
    himdesk: Himdesk, analyst: User, clock: FakeClock
) -> None:
    _fail(himdesk, 4)
    assert _attempt(himdesk, PASSWORD) == "ok"
    _fail(himdesk, 4)
    assert _attempt(himdesk, PASSWORD) == "ok"


def test_failures_the_pause_and_refusals_while_paused_are_audited(
    himdesk: Himdesk, analyst: User
) -> None:
    _fail(himdesk, 5)
    _attempt(himdesk, PASSWORD)
    assert _audit(himdesk)[-7:] == [
        ("user.login", "failure"),
        ("user.login", "failure"),
        ("user.login", "failure"),
        ("user.login", "failure"),
        ("user.login", "failure"),
        ("user.lockout", "success"),
        ("user.login", "paused"),
    ]


def test_an_administrator_unlocks_a_paused_account(himdesk: Himdesk, analyst: User) -> None:
    from himdesk.cli.context import operator

    _fail(himdesk, 7)
    with himdesk.unit_of_work() as uow:
        unlock(uow, operator(), "ana")
    with himdesk.unit_of_work() as uow:
        assert isinstance(log_in(uow, "ana", PASSWORD, "10.0.0.9", IDLE), SignedIn)
    assert ("user.unlock", "success") in _audit(himdesk)
