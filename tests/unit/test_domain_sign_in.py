"""Who signs in with two factors, and how failed logins pause an account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from himdesk.domain.access import PERMISSIONS, Action, Role
from himdesk.domain.sign_in import (
    is_locked,
    looks_like_totp,
    normalize_recovery_code,
    pause_after,
    requires_second_factor,
)

NOW = datetime(2026, 11, 2, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_that_can_reach_patient_data_needs_a_second_factor(role: Role) -> None:
    reaches = PERMISSIONS[role] & {Action.SEARCH_PATIENTS, Action.READ_CHART}
    if reaches:
        assert requires_second_factor(role)


def test_the_administrator_needs_one_too_because_it_grants_access() -> None:
    assert requires_second_factor(Role.ADMIN)


def test_the_analyst_on_de_identified_data_does_not() -> None:
    assert not requires_second_factor(Role.ANALYST)


def test_the_first_four_failures_do_not_pause_the_account() -> None:
    assert [pause_after(n) for n in range(5)] == [None] * 5


def test_pauses_start_at_a_minute_and_double_up_to_an_hour() -> None:
    minutes = [pause_after(n) // timedelta(minutes=1) for n in range(5, 14)]  # type: ignore[operator]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_an_account_is_locked_while_paused_and_free_after() -> None:
    until = NOW + timedelta(minutes=1)
    assert is_locked(5, until, NOW)
    assert not is_locked(5, until, until)
    assert not is_locked(3, None, NOW)


def test_a_hundred_consecutive_failures_lock_until_an_administrator_unlocks() -> None:
    assert is_locked(100, None, NOW)
    assert is_locked(100, NOW - timedelta(days=30), NOW)


def test_recovery_codes_are_read_without_case_spaces_or_dashes() -> None:
    assert normalize_recovery_code(" ABCD-efgh ijkl-MNOP ") == "abcdefghijklmnop"


def test_six_digits_are_an_authenticator_code_and_anything_else_is_not() -> None:
    assert looks_like_totp("123 456")
    assert not looks_like_totp("abcd-efgh-ijkl-mnop")
    assert not looks_like_totp("12345")
