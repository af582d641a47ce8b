"""`himdesk keys status` and `himdesk keys rotate`, in-process against each backend."""

from __future__ import annotations

import json

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.config import DEMO_FIELD_KEY
from himdesk.storage.crypto import key_bytes, key_id_of_key
from tests.cli.test_commands import himdesk_cli
from tests.fakes import ChartBuilder

NEW_KEY = "the-new-field-key-for-cli-tests"
DEMO_ID = key_id_of_key(key_bytes(DEMO_FIELD_KEY))
NEW_ID = key_id_of_key(key_bytes(NEW_KEY))


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    # The test databases are written with the demo key, which only demo mode accepts.
    monkeypatch.setenv("HIMDESK_DEMO_MODE", "1")
    monkeypatch.delenv("HIMDESK_FIELD_KEY", raising=False)
    monkeypatch.delenv("HIMDESK_FIELD_KEYS_RETIRED", raising=False)


@pytest.fixture
def five_patients(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        for n in range(1, 6):
            build.patient(mrn=f"M{n:07d}", ssn=f"123-45-{n:04d}")
        uow.commit()


def _new_key_current(monkeypatch: pytest.MonkeyPatch, *, keep_demo_readable: bool) -> None:
    monkeypatch.setenv("HIMDESK_FIELD_KEY", NEW_KEY)
    if keep_demo_readable:
        monkeypatch.setenv("HIMDESK_FIELD_KEYS_RETIRED", DEMO_FIELD_KEY)
    else:
        monkeypatch.delenv("HIMDESK_FIELD_KEYS_RETIRED", raising=False)


def test_keys_status_counts_values_per_key_id(database_url: str, five_patients: None) -> None:
    code, out, err = himdesk_cli(database_url, "keys", "status", "--json")
    assert code == 0, err
    status = json.loads(out)
    assert status["current_key_id"] == DEMO_ID
    assert status["columns"] == {"patients.ssn_encrypted": {DEMO_ID: 5}}
    assert (status["to_rotate"], status["unreadable_key_ids"]) == (0, [])


def test_keys_rotate_moves_everything_to_the_new_key_and_the_old_one_can_go(
    database_url: str, five_patients: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _new_key_current(monkeypatch, keep_demo_readable=True)
    code, out, err = himdesk_cli(database_url, "keys", "status", "--json")
    assert json.loads(out)["to_rotate"] == 5, err
    code, out, err = himdesk_cli(database_url, "keys", "rotate", "--batch", "2", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert (report["key_id"], report["rotated"], report["batches"]) == (NEW_ID, 5, 3)
    assert (report["remaining"], report["by_key"]) == (0, {NEW_ID: 5})
    _new_key_current(monkeypatch, keep_demo_readable=False)
    code, out, err = himdesk_cli(database_url, "patient", "show", "M0000003", "--json")
    assert code == 0, err
    assert json.loads(out)["ssn"] == "123-45-0003"


def test_keys_rotate_without_json_reports_on_stderr(
    database_url: str, five_patients: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _new_key_current(monkeypatch, keep_demo_readable=True)
    code, out, err = himdesk_cli(database_url, "keys", "rotate")
    assert code == 0 and out == ""
    assert f"re-encrypted 5 values to key {NEW_ID}" in err
    assert "0 under other keys" in err


def test_a_value_under_a_key_no_longer_configured_fails_clearly(
    database_url: str, five_patients: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _new_key_current(monkeypatch, keep_demo_readable=False)
    code, out, err = himdesk_cli(database_url, "patient", "show", "M0000001", "--json")
    assert code == 1 and out == ""
    assert f"key id {DEMO_ID}" in err and "HIMDESK_FIELD_KEYS_RETIRED" in err
    assert "Traceback" not in err and "0001" not in err
    code, out, err = himdesk_cli(database_url, "keys", "status", "--json")
    assert code == 0 and json.loads(out)["unreadable_key_ids"] == [DEMO_ID]
    code, _out, err = himdesk_cli(database_url, "keys", "rotate", "--json")
    assert code == 1 and f"key id {DEMO_ID}" in err and "Traceback" not in err


def test_a_batch_size_out_of_range_is_refused(database_url: str, five_patients: None) -> None:
    code, _out, err = himdesk_cli(database_url, "keys", "rotate", "--batch", "0")
    assert code == 2 and "--batch" in err
