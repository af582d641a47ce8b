"""The `himdesk` command line, run in-process against each backend."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from himdesk.bootstrap import Himdesk
from himdesk.cli.main import app
from himdesk.demo.people import mrn_for
from tests.fakes import ChartBuilder

runner = CliRunner()


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    # The test databases are encrypted with the demo key, which only demo mode accepts.
    monkeypatch.setenv("HIMDESK_DEMO_MODE", "1")


def himdesk_cli(url: str, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", url, *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def one_patient(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        patient = build.patient()
        build.document(patient, build.inpatient_stay(patient, doctor), doctor)
        uow.commit()


def test_db_upgrade_creates_a_new_sqlite_database(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/new/himdesk.db"
    code, _out, err = himdesk_cli(url, "db", "upgrade")
    assert code == 0, err
    assert (tmp_path / "new" / "himdesk.db").exists()


def test_user_add_reads_the_password_from_stdin(database_url: str, himdesk: Himdesk) -> None:
    code, _out, err = himdesk_cli(
        database_url,
        "user",
        "add",
        "rhia.smith",
        "--role",
        "him_manager",
        "--password-stdin",
        stdin="a long enough passphrase\n",
    )
    assert code == 0, err
    with himdesk.unit_of_work() as uow:
        user = uow.users.find_by_username("rhia.smith")
    assert user is not None and user.role.value == "him_manager"
    assert "passphrase" not in user.password_hash


def test_user_add_refuses_an_unknown_role_and_a_short_password(database_url: str) -> None:
    code, _out, err = himdesk_cli(
        database_url,
        "user",
        "add",
        "x",
        "--role",
        "boss",
        "--password-stdin",
        stdin="whatever-long-enough\n",
    )
    assert code == 2 and "unknown role 'boss'" in err
    code, _out, err = himdesk_cli(
        database_url, "user", "add", "x", "--role", "coder", "--password-stdin", stdin="short\n"
    )
    assert code == 1 and "at least 12 characters" in err


def test_patient_show_prints_one_json_document(database_url: str, one_patient: None) -> None:
    code, out, err = himdesk_cli(database_url, "patient", "show", "M0000001", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["mrn"] == "M0000001"
    assert shown["name"]["family"] == "Nguyen"
    assert [d["type"] for d in shown["documents"]] == ["discharge_summary"]


def test_patient_show_of_an_unknown_mrn_fails_clearly(database_url: str, one_patient: None) -> None:
    code, out, err = himdesk_cli(database_url, "patient", "show", "NOPE123", "--json")
    assert code == 1 and out == ""
    assert "No patient with MRN NOPE123 was found." in err


def test_audit_verify_passes_then_names_a_tampered_event(
    database_url: str, one_patient: None, himdesk: Himdesk
) -> None:
    for _ in range(3):
        himdesk_cli(database_url, "patient", "show", "M0000001", "--json")
    code, out, _err = himdesk_cli(database_url, "audit", "verify", "--json")
    assert code == 0 and json.loads(out)["intact"] is True
    with himdesk.engine.begin() as c:
        if c.dialect.name == "postgresql":
            c.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
        else:
            c.execute(text("DROP TRIGGER audit_events_no_update"))
        c.execute(text("UPDATE audit_events SET patient_id = 99 WHERE sequence = 2"))
    code, out, _err = himdesk_cli(database_url, "audit", "verify", "--json")
    report = json.loads(out)
    assert code == 1
    assert (report["intact"], report["first_broken_event"]) == (False, 2)


def test_a_missing_schema_is_reported_without_a_traceback(tmp_path) -> None:
    code, _out, err = himdesk_cli(f"sqlite:///{tmp_path}/empty.db", "patient", "show", "M1")
    assert code == 1
    assert "himdesk db upgrade" in err and "Traceback" not in err


def test_the_demo_key_is_refused_outside_demo_mode(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HIMDESK_DEMO_MODE")
    monkeypatch.delenv("HIMDESK_FIELD_KEY", raising=False)
    code, _out, err = himdesk_cli(database_url, "audit", "verify")
    assert code == 1 and "HIMDESK_FIELD_KEY" in err and "Traceback" not in err


def test_a_real_key_from_a_key_file_is_accepted(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("HIMDESK_DEMO_MODE")
    key_file = tmp_path / "field.key"
    key_file.write_text(base64.urlsafe_b64encode(bytes(range(32))).decode())
    monkeypatch.setenv("HIMDESK_FIELD_KEY_FILE", str(key_file))
    monkeypatch.setenv("HIMDESK_AUDIT_KEY", "a-real-audit-key-for-this-test-only")
    code, _out, err = himdesk_cli(database_url, "audit", "verify")
    assert code == 0, err


def test_demo_load_writes_a_hospital_and_one_login_per_role(
    database_url: str, himdesk: Himdesk
) -> None:
    code, out, err = himdesk_cli(
        database_url, "demo", "load", "--patients", "12", "--seed", "3", "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["patients"] == 12 and report["documents"] > 12
    with himdesk.unit_of_work() as uow:
        assert uow.users.find_by_username("demo_privacy_officer") is not None
        assert uow.patients.find_by_mrn(mrn_for(11)) is not None
    code, out, _err = himdesk_cli(database_url, "audit", "verify", "--json")
    assert code == 0 and json.loads(out)["intact"]


def test_demo_load_refuses_a_database_with_patients_unless_told_to_skip(
    database_url: str, one_patient: None
) -> None:
    code, _out, err = himdesk_cli(database_url, "demo", "load", "--patients", "5")
    assert code == 1 and "already holds patients" in err
    code, out, _err = himdesk_cli(database_url, "demo", "load", "--patients", "5", "--if-empty")
    assert code == 0 and "demo_hit" in out


def test_the_same_seed_loads_the_same_patients(tmp_path: Path) -> None:
    mrns = []
    for run in ("a", "b"):
        url = f"sqlite:///{tmp_path}/{run}.db"
        himdesk_cli(url, "db", "upgrade")
        himdesk_cli(url, "demo", "load", "--patients", "4", "--seed", "9", "--json")
        code, out, err = himdesk_cli(url, "patient", "show", mrn_for(2), "--json")
        assert code == 0, err
        shown = json.loads(out)
        mrns.append((shown["name"], shown["birth_date"], len(shown["documents"])))
    assert mrns[0] == mrns[1]


def test_a_missing_key_file_is_named_in_a_clear_error(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HIMDESK_FIELD_KEY_FILE", str(tmp_path / "nowhere.key"))
    code, _out, err = himdesk_cli(database_url, "audit", "verify")
    assert code == 1 and "nowhere.key: No such file or directory" in err


def test_the_demo_clinician_signs_as_a_clinician_with_unsigned_documents(
    database_url: str, himdesk: Himdesk
) -> None:
    code, _out, err = himdesk_cli(database_url, "demo", "load", "--patients", "60", "--json")
    assert code == 0, err
    with himdesk.unit_of_work() as uow:
        clinician = uow.users.find_by_username("demo_clinician")
    assert clinician is not None and clinician.clinician_id is not None
    with himdesk.engine.connect() as c:
        drafts = c.exec_driver_sql(
            f"SELECT count(*) FROM documents WHERE status = 'draft' "  # noqa: S608
            f"AND author_id = {clinician.clinician_id}"
        ).scalar_one()
    assert drafts >= 1
