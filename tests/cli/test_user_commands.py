"""`himdesk user add` password rules, `user unlock`, and `user totp` for demo logins only."""

from __future__ import annotations

import base64
from datetime import timedelta

import pyotp
import pytest
from typer.testing import CliRunner

from himdesk.bootstrap import Himdesk
from himdesk.cli.main import app
from himdesk.domain.access import Role
from himdesk.services.authentication import LoginFailed, hash_password, log_in
from himdesk.services.hospital import demo_totp_secret
from himdesk.services.ports import User

runner = CliRunner()


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    # The test databases are encrypted with the demo key, which only demo mode accepts.
    monkeypatch.setenv("HIMDESK_DEMO_MODE", "1")


def himdesk_cli(url: str, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", url, *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def _add(url: str, name: str, password: str) -> tuple[int, str]:
    code, _out, err = himdesk_cli(
        url, "user", "add", name, "--role", "coder", "--password-stdin", stdin=password + "\n"
    )
    return code, err


def test_user_add_refuses_a_common_password(database_url: str) -> None:
    code, err = _add(database_url, "rhia.smith", "qwerty123456")
    assert code == 1 and "list of commonly used passwords" in err


def test_user_add_refuses_a_password_containing_the_username(database_url: str) -> None:
    code, err = _add(database_url, "rhia.smith", "rhia.smith is my name")
    assert code == 1 and "may not contain the username" in err


def test_user_add_accepts_a_long_unusual_passphrase(database_url: str) -> None:
    code, err = _add(database_url, "rhia.smith", "plum tractor seventeen ladders")
    assert code == 0, err


def test_demo_load_enrolls_demo_logins_and_user_totp_prints_their_code(
    database_url: str, himdesk: Himdesk
) -> None:
    code, _out, err = himdesk_cli(database_url, "demo", "load", "--patients", "3", "--json")
    assert code == 0, err
    code, out, err = himdesk_cli(database_url, "user", "totp", "demo_hit")
    assert code == 0, err
    secret = demo_totp_secret(Role.HIT)
    assert pyotp.TOTP(secret).verify(out.strip(), valid_window=1)
    with himdesk.unit_of_work() as uow:
        analyst = uow.users.find_by_username("demo_analyst")
        assert analyst is not None and uow.authenticators.find(analyst.id) is None


def test_demo_load_prints_the_hint_for_the_authenticator_code(database_url: str) -> None:
    code, out, err = himdesk_cli(database_url, "demo", "load", "--patients", "2")
    assert code == 0, err
    assert "himdesk user totp demo_<role>" in out
    assert "roles without a second factor: analyst" in out


def test_user_totp_is_refused_outside_demo_mode(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    himdesk_cli(database_url, "demo", "load", "--patients", "2", "--json")
    monkeypatch.delenv("HIMDESK_DEMO_MODE")
    monkeypatch.setenv("HIMDESK_FIELD_KEY", base64.urlsafe_b64encode(bytes(range(32))).decode())
    monkeypatch.setenv("HIMDESK_AUDIT_KEY", "a-real-audit-key-for-this-test-only")
    code, out, err = himdesk_cli(database_url, "user", "totp", "demo_hit")
    assert code == 1 and out == ""
    assert "only in demo mode" in err


def test_user_totp_refuses_a_user_with_their_own_authenticator(
    database_url: str, himdesk: Himdesk
) -> None:
    with himdesk.unit_of_work() as uow:
        user = uow.users.add(
            User(0, "cora", "Cora Coder", Role.CODER, hash_password("a long passphrase here"))
        )
        uow.authenticators.enroll(user.id, pyotp.random_base32(), uow.clock())
        uow.commit()
    code, out, err = himdesk_cli(database_url, "user", "totp", "cora")
    assert code == 1 and out == ""
    assert "does not use a demo authenticator" in err
    code, _out, err = himdesk_cli(database_url, "user", "totp", "nobody")
    assert code == 1 and "No user nobody was found." in err


def test_user_unlock_lifts_a_pause(database_url: str, himdesk: Himdesk) -> None:
    password = "a long passphrase here"
    with himdesk.unit_of_work() as uow:
        uow.users.add(User(0, "ana", "Ana Analyst", Role.ANALYST, hash_password(password)))
        uow.commit()
    idle = timedelta(minutes=15)
    for _ in range(6):
        with himdesk.unit_of_work() as uow, pytest.raises(LoginFailed):
            log_in(uow, "ana", "wrong password!", "10.0.0.1", idle)
    code, _out, err = himdesk_cli(database_url, "user", "unlock", "ana")
    assert code == 0 and "unlocked ana" in err
    with himdesk.unit_of_work() as uow:
        assert log_in(uow, "ana", password, "10.0.0.1", idle).token


def test_reset_authenticator_sends_the_user_back_to_enrollment(
    database_url: str, himdesk: Himdesk
) -> None:
    from himdesk.domain.sign_in import SessionStage

    password = "a long passphrase here"
    with himdesk.unit_of_work() as uow:
        user = uow.users.add(User(0, "cora", "Cora Coder", Role.CODER, hash_password(password)))
        uow.authenticators.enroll(user.id, pyotp.random_base32(), uow.clock())
        uow.authenticators.replace_recovery_codes(user.id, ["0" * 64])
        uow.commit()
    code, _out, err = himdesk_cli(database_url, "user", "reset-authenticator", "cora")
    assert code == 0 and "new authenticator at their next login" in err
    with himdesk.unit_of_work() as uow:
        assert uow.authenticators.find(user.id) is None
        pending = log_in(uow, "cora", password, "10.0.0.1", timedelta(minutes=15))
    assert pending.stage is SessionStage.ENROLLING
    with himdesk.engine.connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM recovery_codes").scalar_one() == 0
