"""The second factor through the services: pending sessions, TOTP, replay, recovery codes."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import text

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Role
from himdesk.domain.sign_in import SessionStage
from himdesk.services.authentication import (
    LoginFailed,
    PendingSignIn,
    SignedIn,
    hash_password,
    log_in,
    resume_session,
)
from himdesk.services.ports import User
from himdesk.services.second_factor import (
    SecondFactorFailed,
    SignInExpired,
    confirm_enrollment,
    enrollment_for,
    resume_pending,
    verify_second_factor,
)
from tests.fakes import FakeClock

PASSWORD = "a perfectly long passphrase"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
IDLE = timedelta(minutes=15)


@pytest.fixture
def coder(himdesk: Himdesk) -> User:
    with himdesk.unit_of_work() as uow:
        user = uow.users.add(User(0, "cora", "Cora Coder", Role.CODER, hash_password(PASSWORD)))
        uow.authenticators.enroll(user.id, SECRET, uow.clock())
        uow.commit()
    return user


def _password(himdesk: Himdesk, username: str = "cora") -> PendingSignIn:
    with himdesk.unit_of_work() as uow:
        pending = log_in(uow, username, PASSWORD, "10.0.0.1", IDLE)
    assert isinstance(pending, PendingSignIn)
    return pending


def _code(clock: FakeClock, seconds_ago: int = 0) -> str:
    return pyotp.TOTP(SECRET).at(clock.now - timedelta(seconds=seconds_ago))


def _verify(himdesk: Himdesk, pending: PendingSignIn, code: str) -> SignedIn:
    with himdesk.unit_of_work() as uow:
        return verify_second_factor(uow, pending.token, code, "10.0.0.1")


def _audit(himdesk: Himdesk) -> list[tuple[str, str]]:
    with himdesk.unit_of_work() as uow:
        return [(e.entry.action, e.entry.outcome) for e in uow.audit.iterate()]


def test_the_password_alone_opens_only_a_pending_session_no_page_accepts(
    himdesk: Himdesk, coder: User
) -> None:
    pending = _password(himdesk)
    assert pending.stage is SessionStage.SECOND_FACTOR
    with himdesk.unit_of_work() as uow:
        assert resume_session(uow, pending.token, "10.0.0.1", IDLE) is None
        assert resume_pending(uow, pending.token) is not None
    assert _audit(himdesk)[-1] == ("user.login.password", "success")


def test_the_right_code_opens_a_session_under_a_new_token(
    himdesk: Himdesk, coder: User, clock: FakeClock
) -> None:
    pending = _password(himdesk)
    signed = _verify(himdesk, pending, _code(clock))
    assert signed.token != pending.token
    with himdesk.unit_of_work() as uow:
        assert resume_session(uow, signed.token, "10.0.0.1", IDLE) is not None
        assert resume_pending(uow, pending.token) is None
    assert _audit(himdesk)[-1] == ("user.login", "success")


def test_a_wrong_code_is_refused_and_audited(
    himdesk: Himdesk, coder: User, clock: FakeClock
) -> None:
    pending = _password(himdesk)
    wrong = pyotp.TOTP("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").at(clock.now)
    with pytest.raises(SecondFactorFailed, match="not right"):
        _verify(himdesk, pending, wrong)
    assert _audit(himdesk)[-1] == ("user.login.second_factor", "failure")


def test_a_code_is_accepted_once_even_within_its_window(
    himdesk: Himdesk, coder: User, clock: FakeClock
) -> None:
    code = _code(clock)
    _verify(himdesk, _password(himdesk), code)
    clock.advance(seconds=5)
    again = _password(himdesk)
    with pytest.raises(SecondFactorFailed, match="used already"):
        _verify(himdesk, again, code)
    clock.advance(seconds=30)
    assert _verify(himdesk, again, _code(clock)).token


def test_the_previous_steps_code_is_accepted_but_not_an_older_one(
    himdesk: Himdesk, coder: User, clock: FakeClock
) -> None:
    pending = _password(himdesk)
    with pytest.raises(SecondFactorFailed):
        _verify(himdesk, pending, _code(clock, seconds_ago=90))
    assert _verify(himdesk, pending, _code(clock, seconds_ago=30)).token


def test_wrong_codes_count_towards_the_pause_and_end_the_pending_login(
    himdesk: Himdesk, coder: User, clock: FakeClock
) -> None:
    pending = _password(himdesk)
    wrong = pyotp.TOTP("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").at(clock.now)
    for _ in range(4):
        with pytest.raises(SecondFactorFailed):
            _verify(himdesk, pending, wrong)
    with pytest.raises(LoginFailed):
        _verify(himdesk, pending, wrong)
    with pytest.raises(SignInExpired):
        _verify(himdesk, pending, _code(clock))
    with himdesk.unit_of_work() as uow, pytest.raises(LoginFailed):
        log_in(uow, "cora", PASSWORD, "10.0.0.1", IDLE)
    assert ("user.lockout", "success") in _audit(himdesk)


def test_the_pending_login_expires_after_five_minutes(
    himdesk: Himdesk, coder: User, clock: FakeClock
) -> None:
    pending = _password(himdesk)
    clock.advance(minutes=5, seconds=1)
    with pytest.raises(SignInExpired):
        _verify(himdesk, pending, _code(clock))


def _enroll(himdesk: Himdesk, clock: FakeClock) -> list[str]:
    with himdesk.unit_of_work() as uow:
        user = uow.users.add(User(0, "hope", "Hope Tech", Role.HIT, hash_password(PASSWORD)))
        uow.commit()
    pending = _password(himdesk, "hope")
    assert pending.stage is SessionStage.ENROLLING
    with himdesk.unit_of_work() as uow:
        enrollment = enrollment_for(uow, pending.token)
    assert enrollment.provisioning_uri.startswith("otpauth://totp/himdesk:hope?secret=")
    with himdesk.unit_of_work() as uow:
        again = enrollment_for(uow, pending.token)
    assert again.secret == enrollment.secret  # a reload shows the same key
    code = pyotp.TOTP(enrollment.secret).at(clock.now)
    with himdesk.unit_of_work() as uow:
        enrolled = confirm_enrollment(uow, pending.token, code, "10.0.0.1")
    with himdesk.unit_of_work() as uow:
        assert resume_session(uow, enrolled.signed.token, "10.0.0.1", IDLE) is not None
    with himdesk.engine.connect() as c:
        stored = c.execute(
            text("SELECT secret_encrypted FROM authenticators WHERE user_id = :id"), {"id": user.id}
        ).scalar_one()
    assert enrollment.secret.encode() not in bytes(stored)
    return enrolled.recovery_codes


def test_enrolling_keeps_the_secret_encrypted_and_hands_out_ten_recovery_codes(
    himdesk: Himdesk, clock: FakeClock
) -> None:
    codes = _enroll(himdesk, clock)
    assert len(codes) == len(set(codes)) == 10
    assert all(len(c) == 19 and c.count("-") == 3 for c in codes)
    with himdesk.engine.connect() as c:
        digests = c.exec_driver_sql("SELECT code_digest FROM recovery_codes").scalars().all()
    assert len(digests) == 10 and not set(codes) & set(digests)
    assert ("user.mfa.enroll", "success") in _audit(himdesk)


def test_enrollment_refuses_a_code_from_another_key(himdesk: Himdesk, clock: FakeClock) -> None:
    with himdesk.unit_of_work() as uow:
        uow.users.add(User(0, "hope", "Hope Tech", Role.HIT, hash_password(PASSWORD)))
        uow.commit()
    pending = _password(himdesk, "hope")
    with himdesk.unit_of_work() as uow:
        enrollment_for(uow, pending.token)
    other = pyotp.TOTP("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").at(clock.now)
    with himdesk.unit_of_work() as uow, pytest.raises(SecondFactorFailed):
        confirm_enrollment(uow, pending.token, other, "10.0.0.1")
    assert _audit(himdesk)[-1] == ("user.mfa.enroll", "failure")


def test_a_recovery_code_works_once_only(himdesk: Himdesk, clock: FakeClock) -> None:
    codes = _enroll(himdesk, clock)
    first = _password(himdesk, "hope")
    assert _verify(himdesk, first, codes[0].upper().replace("-", " ")).token
    assert _audit(himdesk)[-2] == ("user.mfa.recovery_code", "success")
    second = _password(himdesk, "hope")
    with pytest.raises(SecondFactorFailed):
        _verify(himdesk, second, codes[0])
    assert _verify(himdesk, second, codes[1]).token


def test_a_second_sign_in_gets_a_new_enrollment_key_and_the_first_one_stops_working(
    himdesk: Himdesk, clock: FakeClock
) -> None:
    with himdesk.unit_of_work() as uow:
        uow.users.add(User(0, "hope", "Hope Tech", Role.HIT, hash_password(PASSWORD)))
        uow.commit()
    intruder = _password(himdesk, "hope")
    with himdesk.unit_of_work() as uow:
        seen_by_intruder = enrollment_for(uow, intruder.token).secret
    user = _password(himdesk, "hope")
    with himdesk.unit_of_work() as uow:
        seen_by_user = enrollment_for(uow, user.token).secret
    assert seen_by_user != seen_by_intruder
    stale = pyotp.TOTP(seen_by_intruder).at(clock.now)
    with himdesk.unit_of_work() as uow, pytest.raises(SecondFactorFailed):
        confirm_enrollment(uow, user.token, stale, "10.0.0.1")


@pytest.mark.parametrize("typed", ["١٢٣٤٥٦", "é", "12345６"])
def test_codes_in_other_scripts_are_refused_cleanly(
    himdesk: Himdesk, clock: FakeClock, typed: str
) -> None:
    with himdesk.unit_of_work() as uow:
        uow.users.add(User(0, "hope", "Hope Tech", Role.HIT, hash_password(PASSWORD)))
        uow.commit()
    pending = _password(himdesk, "hope")
    with himdesk.unit_of_work() as uow:
        enrollment_for(uow, pending.token)
    with himdesk.unit_of_work() as uow, pytest.raises(SecondFactorFailed):
        confirm_enrollment(uow, pending.token, typed, "10.0.0.1")


def test_a_login_code_in_another_script_is_refused_cleanly(himdesk: Himdesk, coder: User) -> None:
    pending = _password(himdesk)
    with pytest.raises(SecondFactorFailed):
        _verify(himdesk, pending, "١٢٣٤٥٦")
