"""`himdesk export --patient MRN`: one FHIR R4 collection Bundle of the whole record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from himdesk.bootstrap import Himdesk
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.storage import tables as t
from tests.cli.test_commands import himdesk_cli
from tests.fakes import T0, ChartBuilder


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIMDESK_DEMO_MODE", "1")


@pytest.fixture
def patient_id(himdesk: Himdesk) -> int:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        patient = build.patient()
        stay = build.inpatient_stay(patient, doctor)
        build.document(patient, stay, doctor)
        build.sodium(patient, stay, "128", 30)
        build.allergy(patient)
        uow.commit()
    return patient.id or 0


def test_export_prints_one_collection_bundle_with_the_whole_record(
    database_url: str, patient_id: int
) -> None:
    code, out, err = himdesk_cli(database_url, "export", "--patient", "m0000001")
    assert code == 0, err
    bundle = json.loads(out)
    Bundle.model_validate(bundle)
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["Patient", "Practitioner", "Encounter", "Observation",
                     "AllergyIntolerance", "DocumentReference"]  # fmt: skip
    patient = bundle["entry"][0]
    assert patient["fullUrl"] == f"http://localhost:8000/fhir/R4/Patient/{patient_id}"
    assert "M0000001" in [i["value"] for i in patient["resource"]["identifier"]]


def test_export_writes_to_a_file_under_the_given_base(
    database_url: str, patient_id: int, tmp_path: Path
) -> None:
    target = tmp_path / "ehi.json"
    options = ["--format", "fhir", "--out", str(target), "--base", "https://h.example/fhir/R4/"]
    code, out, err = himdesk_cli(database_url, "export", "--patient", "M0000001", *options)
    assert code == 0, err
    assert out == "" and "wrote 6 resources" in err
    bundle = json.loads(target.read_text())
    assert bundle["entry"][0]["fullUrl"] == f"https://h.example/fhir/R4/Patient/{patient_id}"


def test_the_export_is_audited_as_a_disclosure(
    database_url: str, himdesk: Himdesk, patient_id: int
) -> None:
    code, _out, err = himdesk_cli(database_url, "export", "--patient", "M0000001")
    assert code == 0, err
    with himdesk.unit_of_work() as uow:
        actions = [e.entry.action for e in uow.audit.list_for_patient(patient_id, 50)]
    assert actions.count("record.export") == 1


def test_an_unknown_mrn_is_a_clean_error(database_url: str, patient_id: int) -> None:
    code, out, err = himdesk_cli(database_url, "export", "--patient", "M9999999")
    assert code == 1 and out == ""
    assert "No patient with MRN M9999999 was found." in err
    assert "Traceback" not in err


def test_only_the_fhir_format_is_offered(database_url: str, patient_id: int) -> None:
    code, _out, err = himdesk_cli(database_url, "export", "--patient", "M0000001",
                                  "--format", "csv")  # fmt: skip
    assert code == 2 and "fhir" in err


def test_a_vip_chart_is_not_exported_from_the_command_line(
    database_url: str, himdesk: Himdesk, patient_id: int
) -> None:
    with himdesk.unit_of_work() as uow:
        uow.access.add_restriction(patient_id, SensitiveCategory.VIP, "Board member", "po", T0)
        uow.commit()
    code, out, err = himdesk_cli(database_url, "export", "--patient", "M0000001")
    assert code == 1 and out == ""
    assert "MRN M0000001 is a restricted (VIP or employee) chart" in err
    assert "--reason TEXT" in err


REASON = "Patient's request for a copy, ROI 2026-0412"


@pytest.fixture
def labelled(himdesk: Himdesk, patient_id: int) -> int:
    """A note labelled behavioral health in the patient's stay."""
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        (stay,) = uow.chart.encounters(patient_id)
        doctor = uow.clinicians.get_many({stay.attending_id or 0})[stay.attending_id or 0]
        label = SensitiveCategory.BEHAVIORAL_HEALTH
        note = build.document(uow.patients.get(patient_id), stay, doctor,
                              text="Therapy session.", sensitivity=label)  # fmt: skip
        uow.commit()
    return note.id or 0


def _documents(out: str) -> list[dict[str, object]]:
    entries = json.loads(out)["entry"]
    return [e["resource"] for e in entries if e["resource"]["resourceType"] == "DocumentReference"]


def test_labelled_documents_stay_out_without_a_reason(database_url: str, labelled: int) -> None:
    code, out, err = himdesk_cli(database_url, "export", "--patient", "M0000001")
    assert code == 0, err
    assert str(labelled) not in [d["id"] for d in _documents(out)]


def test_with_a_reason_labelled_documents_go_out_with_their_labels(
    database_url: str, labelled: int
) -> None:
    code, out, err = himdesk_cli(database_url, "export", "--patient", "M0000001",
                                 "--reason", REASON)  # fmt: skip
    assert code == 0, err
    (note,) = [d for d in _documents(out) if d["id"] == str(labelled)]
    codes = {c["code"] for c in note["meta"]["security"]}  # type: ignore[index]
    assert {"R", "BH"} <= codes


def test_the_reason_is_kept_in_the_audit_trail_and_opens_nothing_later(
    database_url: str, himdesk: Himdesk, patient_id: int, labelled: int
) -> None:
    code, _out, err = himdesk_cli(database_url, "export", "--patient", "M0000001",
                                  "--reason", REASON)  # fmt: skip
    assert code == 0, err
    with himdesk.unit_of_work() as uow:
        events = [e.entry for e in uow.audit.list_for_patient(patient_id, 10)]
    (stated,) = [e for e in events if e.action == "record.reason"]
    assert (stated.username.startswith("cli:"), stated.object_type) == (True, "access-grant")
    g = t.access_grants.c
    with himdesk.engine.connect() as db:
        grant = db.execute(select(g.reason, g.granted_at, g.expires_at).where(
            g.id == int(stated.object_id))).one()  # fmt: skip
    assert grant.reason == REASON
    assert grant.expires_at == grant.granted_at  # the next command finds nothing open


def test_a_vip_chart_goes_out_with_a_stated_reason(
    database_url: str, himdesk: Himdesk, patient_id: int
) -> None:
    with himdesk.unit_of_work() as uow:
        uow.access.add_restriction(patient_id, SensitiveCategory.VIP, "Board member", "po", T0)
        uow.commit()
    code, out, err = himdesk_cli(database_url, "export", "--patient", "M0000001",
                                 "--reason", REASON)  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["entry"][0]["resource"]["id"] == str(patient_id)


def test_a_reason_too_short_is_refused_naming_the_option(
    database_url: str, patient_id: int
) -> None:
    code, out, err = himdesk_cli(database_url, "export", "--patient", "M0000001",
                                 "--reason", "asked")  # fmt: skip
    assert code == 1 and out == ""
    assert "reason: State why you need this record (at least 10 characters)." in err
