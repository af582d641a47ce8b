"""`himdesk audit verify` with signed checkpoints, and `himdesk audit checkpoint`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from himdesk.bootstrap import Himdesk
from himdesk.cli.main import app
from himdesk.domain.access import Actor, Role
from himdesk.services.audit import record

runner = CliRunner()
CLERK = Actor(user_id=1, username="hana", role=Role.HIT, client_address="10.1.1.1")


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    # The test databases use the demo keys, which only demo mode accepts.
    monkeypatch.setenv("HIMDESK_DEMO_MODE", "1")
    monkeypatch.setenv("HIMDESK_AUDIT_CHECKPOINT_EVERY", "4")


def himdesk_cli(url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", url, *args])
    return result.exit_code, result.stdout, result.stderr


def _record(himdesk: Himdesk, count: int) -> None:
    with himdesk.unit_of_work() as uow:
        for n in range(count):
            record(uow, CLERK, "chart.read", patient_id=n + 1)
        uow.commit()


def test_audit_checkpoint_signs_one_at_the_tip_and_verify_reports_it(
    database_url: str, himdesk: Himdesk
) -> None:
    _record(himdesk, 2)

    code, out, err = himdesk_cli(database_url, "audit", "checkpoint", "--json")
    assert code == 0, err
    checkpoint = json.loads(out)
    code, out, err = himdesk_cli(database_url, "audit", "verify", "--json")

    assert code == 0, err
    assert (checkpoint["number"], checkpoint["sequence"], checkpoint["event_count"]) == (1, 3, 3)
    assert len(checkpoint["signature"]) == 64
    report = json.loads(out)
    assert report["checkpoints_checked"] == 1
    assert report["last_checkpoint"] == checkpoint
    assert report["broken_checkpoint"] is None


def test_verify_json_keeps_its_fields_and_adds_the_checkpoint_ones(
    database_url: str, himdesk: Himdesk
) -> None:
    _record(himdesk, 3)

    code, out, _err = himdesk_cli(database_url, "audit", "verify", "--json")

    assert code == 0
    assert set(json.loads(out)) == {
        "intact", "checked", "total", "first_broken_event", "reason", "seconds",
        "checkpoints_checked", "broken_checkpoint", "last_checkpoint",
    }  # fmt: skip


def test_checkpoints_fall_due_every_n_events_set_in_the_environment(
    database_url: str, himdesk: Himdesk
) -> None:
    code, _out, err = himdesk_cli(database_url, "demo", "load", "--patients", "2", "--json")
    assert code == 0, err

    code, out, _err = himdesk_cli(database_url, "audit", "verify", "--json")

    report = json.loads(out)
    assert code == 0 and report["checked"] >= 8
    assert report["checkpoints_checked"] == report["checked"] // 4
    assert report["last_checkpoint"]["sequence"] == report["checked"] // 4 * 4


def test_a_cut_off_tail_fails_verify_naming_the_checkpoint(
    database_url: str, himdesk: Himdesk
) -> None:
    _record(himdesk, 3)
    himdesk_cli(database_url, "audit", "checkpoint")
    with himdesk.engine.begin() as c:
        if c.dialect.name == "postgresql":
            c.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
        else:
            c.execute(text("DROP TRIGGER audit_events_no_delete"))
        c.execute(text("DELETE FROM audit_events WHERE sequence > 2"))

    code, out, _err = himdesk_cli(database_url, "audit", "verify", "--json")
    human_code, _out, human = himdesk_cli(database_url, "audit", "verify")

    report = json.loads(out)
    assert (code, human_code) == (1, 1)
    assert (report["intact"], report["first_broken_event"]) == (False, 3)
    assert report["broken_checkpoint"] == 1
    assert report["reason"] == "events after 2 were removed: checkpoint 1 vouches for 4 events"
    assert "audit trail BROKEN at event 3: events after 2 were removed" in human


def test_checkpoints_signed_under_another_audit_key_fail_verify(
    database_url: str, himdesk: Himdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    _record(himdesk, 4)  # signed under the demo audit key
    monkeypatch.setenv("HIMDESK_AUDIT_KEY", "the key configured after a careless change")

    code, out, _err = himdesk_cli(database_url, "audit", "verify", "--json")

    assert code == 1
    assert "checkpoint 1 is not genuine" in json.loads(out)["reason"]
    assert "HIMDESK_AUDIT_KEY" in json.loads(out)["reason"]


def test_audit_checkpoint_prints_the_signature_to_keep_elsewhere(
    database_url: str, himdesk: Himdesk
) -> None:
    code, out, err = himdesk_cli(database_url, "audit", "checkpoint")

    assert code == 0, err
    assert out.startswith("checkpoint 1 vouches for events 1-1 (signed ")
    assert "signature " in out


def test_verify_says_when_no_checkpoint_was_signed_yet(database_url: str, himdesk: Himdesk) -> None:
    _record(himdesk, 2)
    code, _out, err = himdesk_cli(database_url, "audit", "verify")
    assert code == 0
    assert "audit trail intact: 2 events" in err and "no signed checkpoint yet" in err


def test_the_demo_audit_key_is_refused_outside_demo_mode(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HIMDESK_DEMO_MODE")
    monkeypatch.setenv("HIMDESK_FIELD_KEY", "a real field key for this test only")
    monkeypatch.delenv("HIMDESK_AUDIT_KEY", raising=False)

    code, _out, err = himdesk_cli(database_url, "audit", "verify")

    assert code == 1 and "HIMDESK_AUDIT_KEY" in err and "Traceback" not in err


def test_the_audit_key_is_read_from_its_key_file(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("HIMDESK_DEMO_MODE")
    monkeypatch.setenv("HIMDESK_FIELD_KEY", "a real field key for this test only")
    key_file = tmp_path / "audit.key"
    key_file.write_text("a real audit key kept in a file\n")
    monkeypatch.setenv("HIMDESK_AUDIT_KEY_FILE", str(key_file))

    code, _out, err = himdesk_cli(database_url, "audit", "checkpoint")
    assert code == 0, err
    code, _out, err = himdesk_cli(database_url, "audit", "verify")
    assert code == 0, err


def test_a_missing_or_empty_audit_key_file_is_named(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HIMDESK_AUDIT_KEY_FILE", str(tmp_path / "nowhere.key"))
    code, _out, err = himdesk_cli(database_url, "audit", "verify")
    assert code == 1 and "nowhere.key: No such file or directory" in err

    (tmp_path / "empty.key").write_text("\n")
    monkeypatch.setenv("HIMDESK_AUDIT_KEY_FILE", str(tmp_path / "empty.key"))
    code, _out, err = himdesk_cli(database_url, "audit", "verify")
    assert code == 1 and "empty.key is empty" in err
