"""`himdesk export --patient MRN`: one FHIR R4 collection Bundle of the whole record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle

from himdesk.bootstrap import Himdesk
from himdesk.domain.sensitivity import SensitiveCategory
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
    assert "restricted" in err
