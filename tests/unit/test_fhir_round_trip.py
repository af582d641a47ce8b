"""What the outbound mapping writes, the inbound reader reads back: record -> FHIR -> incoming.

The outbound mapping is the inverse of `read_fhir` for everything the incoming contract
carries, so an import -> export -> import round trip loses nothing the record holds.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from tests.unit.test_fhir_outbound import RECORD

from himdesk.domain.incoming import IncomingChart, IncomingPatient, SourceRef, Submission
from himdesk.domain.patient_record import PatientRecord
from himdesk.domain.records import DocumentStatus, DocumentType, EncounterClass
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.interop.fhir.inbound import read_fhir
from himdesk.interop.fhir.outbound import record_resources


def read_back(record: PatientRecord) -> Submission:
    resources = record_resources(record)
    entries = [{"fullUrl": f"https://h.example/fhir/R4/{r['resourceType']}/{r['id']}",
                "resource": r} for r in resources]  # fmt: skip
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    (submission,) = read_fhir(json.dumps(bundle).encode(), "round-trip.json")
    assert isinstance(submission, Submission), submission
    return submission


def ref(kind: str, part_id: Any) -> SourceRef:
    return SourceRef("urn:fhir", f"{kind}/{part_id}")


@pytest.fixture
def chart() -> IncomingChart:
    (only,) = read_back(RECORD).charts
    return only


def test_the_patient_comes_back_with_demographics_and_identifiers(chart: IncomingChart) -> None:
    p, back = RECORD.patient, chart.patient
    assert isinstance(back, IncomingPatient)
    assert (back.family_name, back.given_name, back.middle_name, back.birth_on, back.sex) == (
        p.family_name, p.given_name, p.middle_name, p.birth_on, p.sex)  # fmt: skip
    assert (back.address, back.phone, back.ssn) == (p.address, p.phone, p.ssn)
    assert [(i.system, i.value) for i in back.identifiers[:2]] == [
        ("urn:himdesk:mrn:HIMDESK-GENERAL", "M0000001"), ("urn:oid:1.2.3", "X9")]  # fmt: skip


@pytest.mark.parametrize("resident", [False, True])
def test_clinicians_come_back_with_npi_credentials_and_whether_residents(resident: bool) -> None:
    record = replace(
        RECORD,
        clinicians=(RECORD.clinicians[0], replace(RECORD.clinicians[1], is_resident=resident)),
    )
    clinicians = read_back(record).clinicians
    assert [(c.source, c.family_name, c.given_name, c.npi, c.credentials, c.specialty,
             c.is_resident) for c in clinicians] == [
        (ref("Practitioner", c.id), c.family_name, c.given_name, c.npi, c.credentials, c.specialty,
         c.is_resident)
        for c in record.clinicians
    ]  # fmt: skip


@pytest.mark.parametrize("kind", list(EncounterClass))
def test_encounters_come_back_whole(kind: EncounterClass) -> None:
    stay = replace(RECORD.encounters[0], encounter_class=kind)
    (back,) = read_back(replace(RECORD, encounters=(stay,))).charts[0].encounters
    assert (back.encounter_class, back.admitted_at, back.discharged_at, back.status) == (
        stay.encounter_class, stay.admitted_at, stay.discharged_at, stay.status)  # fmt: skip
    assert (back.account_number, back.discharge_disposition, back.service) == (
        stay.account_number, stay.discharge_disposition, stay.service)  # fmt: skip
    assert back.attending == ref("Practitioner", stay.attending_id)


@pytest.mark.parametrize("status", list(DocumentStatus))
def test_documents_come_back_with_type_text_author_and_encounter(status: DocumentStatus) -> None:
    note = replace(RECORD.documents[0], status=status)
    (back,) = read_back(replace(RECORD, documents=(note,))).charts[0].documents
    assert (back.document_type, back.title, back.text, back.authored_at) == (
        note.document_type, note.title, note.text, note.authored_at)  # fmt: skip
    assert (back.status, back.signed_at) == (status, note.signed_at)
    assert (back.author, back.encounter) == (ref("Practitioner", 5), ref("Encounter", 10))
    assert back.type_code == "18842-5"


@pytest.mark.parametrize("kind", list(DocumentType))
def test_every_document_type_comes_back_as_itself(kind: DocumentType) -> None:
    note = replace(RECORD.documents[0], document_type=kind)
    (back,) = read_back(replace(RECORD, documents=(note,))).charts[0].documents
    assert back.document_type is kind


def test_results_diagnoses_procedures_medications_and_allergies_come_back(
    chart: IncomingChart,
) -> None:
    (o,), (result,) = RECORD.observations, chart.observations
    assert (result.code, result.code_system, result.display, result.value, result.unit) == (
        o.code, o.code_system, o.display, o.value, o.unit)  # fmt: skip
    assert (result.reference_low, result.reference_high, result.flag, result.observed_at) == (
        o.reference_low, o.reference_high, o.flag, o.observed_at)  # fmt: skip
    (d,), (diagnosis,) = RECORD.diagnoses, chart.diagnoses
    assert (diagnosis.description, diagnosis.code, diagnosis.code_system) == (
        d.description, d.code, d.code_system)  # fmt: skip
    assert diagnosis.documented_by == ref("Practitioner", d.documented_by_id)
    (p,), (procedure,) = RECORD.procedures, chart.procedures
    assert (procedure.description, procedure.performed_at) == (p.description, p.performed_at)
    (m,), (medication,) = RECORD.medications, chart.medications
    assert (medication.name, medication.dose, medication.route, medication.frequency) == (
        m.name, m.dose, m.route, m.frequency)  # fmt: skip
    assert (medication.started_on, medication.ended_on, medication.code) == (
        m.started_on, m.ended_on, m.code)  # fmt: skip
    (a,), (allergy,) = RECORD.allergies, chart.allergies
    assert (allergy.substance, allergy.reaction, allergy.severity, allergy.recorded_on) == (
        a.substance, a.reaction, a.severity, a.recorded_on)  # fmt: skip


@pytest.mark.parametrize("dose", ["40 mg", "0.5 mg", "1-2 tabs", ""])
def test_a_dose_comes_back_as_written(dose: str) -> None:
    order = replace(RECORD.medications[0], dose=dose, ended_on=None)
    (back,) = read_back(replace(RECORD, medications=(order,))).charts[0].medications
    assert (back.dose, back.ended_on, back.frequency) == (dose, None, "daily")


@pytest.mark.parametrize(
    "severity",
    ["mild", "moderate", "severe", "Severe", "high criticality", "moderate to severe", ""],
)
@pytest.mark.parametrize("reaction", ["Hives", ""])
def test_an_allergy_severity_comes_back_as_written(severity: str, reaction: str) -> None:
    allergy = replace(RECORD.allergies[0], severity=severity, reaction=reaction)
    (back,) = read_back(replace(RECORD, allergies=(allergy,))).charts[0].allergies
    assert back.severity == severity


# --- what qualifies a diagnosis, procedure or document ---------------------------------------


@pytest.mark.parametrize("encounter_id", [10, None], ids=["encounter", "problem list"])
@pytest.mark.parametrize("principal", [True, False])
def test_a_principal_diagnosis_comes_back_principal(principal: bool, encounter_id: int) -> None:
    problem = replace(RECORD.diagnoses[0], is_principal=principal, encounter_id=encounter_id)
    (back,) = read_back(replace(RECORD, diagnoses=(problem,))).charts[0].diagnoses
    assert back.is_principal is principal


@pytest.mark.parametrize("side", ["left", "right", "bilateral", "Left", "L", "medial", ""])
def test_a_side_comes_back_as_written_on_diagnoses_and_procedures(side: str) -> None:
    problem = replace(RECORD.diagnoses[0], laterality=side)
    operation = replace(RECORD.procedures[0], laterality=side)
    record = replace(RECORD, diagnoses=(problem,), procedures=(operation,))
    (back,) = read_back(record).charts
    assert (back.diagnoses[0].laterality, back.procedures[0].laterality) == (side, side)


@pytest.mark.parametrize("removed", [True, False])
def test_tissue_sent_to_pathology_comes_back(removed: bool) -> None:
    operation = replace(RECORD.procedures[0], tissue_removed=removed)
    (back,) = read_back(replace(RECORD, procedures=(operation,))).charts[0].procedures
    assert back.tissue_removed is removed


def test_a_residents_note_comes_back_with_its_signer_and_the_attendings_cosignature() -> None:
    cosigned_at = RECORD.documents[0].authored_at.replace(hour=20)
    note = replace(RECORD.documents[0], author_id=6, signed_by_id=6, requires_cosignature=True,
                   cosigned_by_id=5, cosigned_at=cosigned_at)  # fmt: skip
    (back,) = read_back(replace(RECORD, documents=(note,))).charts[0].documents
    assert (back.author, back.signed_by, back.signed_at) == (
        ref("Practitioner", 6), ref("Practitioner", 6), note.signed_at)  # fmt: skip
    assert (back.requires_cosignature, back.cosigned_by, back.cosigned_at) == (
        True, ref("Practitioner", 5), cosigned_at)  # fmt: skip


def test_a_note_awaiting_its_cosignature_comes_back_awaiting_it() -> None:
    note = replace(RECORD.documents[0], requires_cosignature=True)
    (back,) = read_back(replace(RECORD, documents=(note,))).charts[0].documents
    assert (back.requires_cosignature, back.cosigned_by, back.cosigned_at) == (True, None, None)


def test_a_note_signed_by_someone_other_than_its_author_names_the_signer() -> None:
    note = replace(RECORD.documents[0], signed_by_id=6)
    (back,) = read_back(replace(RECORD, documents=(note,))).charts[0].documents
    assert (back.author, back.signed_by) == (ref("Practitioner", 5), ref("Practitioner", 6))


@pytest.mark.parametrize("label", [*SensitiveCategory, None])
def test_a_sensitivity_label_comes_back_as_the_same_category(
    label: SensitiveCategory | None,
) -> None:
    note = replace(RECORD.documents[0], sensitivity=label)
    (back,) = read_back(replace(RECORD, documents=(note,))).charts[0].documents
    assert back.sensitivity is label
