"""The record as FHIR R4 resources: each mapper, and every resource valid for R4B models."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from himdesk.domain.incoming import IdentifierKind, PatientIdentifier
from himdesk.domain.patient_record import PatientRecord
from himdesk.domain.records import (
    AbnormalFlag,
    Address,
    AdministrativeSex,
    Allergy,
    ClinicalDocument,
    Clinician,
    Diagnosis,
    DischargeDisposition,
    DocumentStatus,
    DocumentType,
    Encounter,
    EncounterClass,
    EncounterStatus,
    Medication,
    Observation,
    Patient,
    Procedure,
)
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.interop.fhir import outbound
from himdesk.interop.fhir.vocabulary import system_uri

AT = datetime(2026, 11, 2, 14, 30, tzinfo=UTC)
PATIENT = Patient("HIMDESK-GENERAL", "M0000001", "Nguyen", "Linh", date(1961, 4, 9),
                  AdministrativeSex.FEMALE, "Thi", Address("12 Elm St", "Springfield", "MA",
                  "01103"), "(555) 010-0199", "123-45-6789", id=1, version=2)  # fmt: skip
DOCTOR = Clinician(5, "1000000001", "Osler", "William", "MD", "Internal Medicine")
NURSE = Clinician(6, "", "Jones", "Ann", "RN", "")
STAY = Encounter(1, EncounterClass.INPATIENT, AT, "A1", EncounterStatus.DISCHARGED,
                 AT.replace(day=6), 5, DischargeDisposition.SKILLED_NURSING, "Medicine",
                 id=10)  # fmt: skip
NOTE = ClinicalDocument(1, 10, DocumentType.DISCHARGE_SUMMARY, 5, AT, "Discharge summary",
                        "Discharged to SNF. Café au lait.", DocumentStatus.SIGNED, 5,
                        AT.replace(hour=18), id=20)  # fmt: skip
SODIUM = Observation(1, 10, "2951-2", "Sodium", Decimal("128.000"), "mmol/L", AT,
                     Decimal("135.000"), Decimal("145.000"), AbnormalFlag.LOW,
                     "http://loinc.org", id=30)  # fmt: skip
PROBLEM = Diagnosis(1, 10, "Hyponatremia", 5, AT, True, code="E87.1",
                    code_system="http://hl7.org/fhir/sid/icd-10-cm", id=40)  # fmt: skip
XRAY = Procedure(1, 10, "Chest X-ray", None, AT, laterality="", id=50)
FUROSEMIDE = Medication(1, 10, "Furosemide", "40 mg", "PO", "daily", date(2026, 10, 1),
                        date(2026, 11, 6), "4603", "RXNORM", id=60)  # fmt: skip
PENICILLIN = Allergy(1, "Penicillin", "Hives", "severe", date(2020, 1, 5), id=70)
RECORD = PatientRecord(
    PATIENT, (PatientIdentifier(IdentifierKind.MRN, "urn:oid:1.2.3", "X9"),), (STAY,), (NOTE,),
    (SODIUM,), (PROBLEM,), (XRAY,), (FUROSEMIDE,), (PENICILLIN,), (DOCTOR, NURSE),
)  # fmt: skip


def valid(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource, after checking it against the fhir.resources R4B model of its type."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resource


def test_the_whole_record_maps_to_valid_resources_with_the_patient_first() -> None:
    resources = [valid(r) for r in outbound.record_resources(RECORD)]
    assert [r["resourceType"] for r in resources] == [
        "Patient", "Practitioner", "Practitioner", "Encounter", "Condition", "Procedure",
        "Observation", "MedicationRequest", "AllergyIntolerance", "DocumentReference"]  # fmt: skip


def test_the_patient_carries_the_hospital_mrn_other_identifiers_and_the_ssn_held() -> None:
    patient = valid(outbound.patient_resource(PATIENT, RECORD.identifiers))
    systems = [(i.get("system"), i["value"]) for i in patient["identifier"]]
    assert systems == [("urn:himdesk:mrn:HIMDESK-GENERAL", "M0000001"),
                       ("urn:oid:1.2.3", "X9"),
                       ("http://hl7.org/fhir/sid/us-ssn", "123-45-6789")]  # fmt: skip
    assert patient["identifier"][0]["type"]["coding"][0]["code"] == "MR"
    assert patient["name"] == [{"use": "official", "family": "Nguyen", "given": ["Linh", "Thi"]}]
    assert (patient["gender"], patient["birthDate"]) == ("female", "1961-04-09")
    street = {"line": ["12 Elm St"], "city": "Springfield", "state": "MA", "postalCode": "01103"}
    assert patient["address"] == [street]


def test_a_patient_without_ssn_street_or_phone_leaves_them_out() -> None:
    bare = replace(PATIENT, ssn="", phone="", address=Address(city="Springfield", state="MA"))
    patient = valid(outbound.patient_resource(bare))
    assert [i["value"] for i in patient["identifier"]] == ["M0000001"]
    assert "telecom" not in patient and patient["address"] == [{"city": "Springfield",
                                                                 "state": "MA"}]  # fmt: skip


def test_a_practitioner_has_the_npi_only_when_known() -> None:
    doctor = valid(outbound.practitioner_resource(DOCTOR))
    nurse = valid(outbound.practitioner_resource(NURSE))
    assert doctor["identifier"] == [{"system": "http://hl7.org/fhir/sid/us-npi",
                                     "value": "1000000001"}]  # fmt: skip
    assert "identifier" not in nurse and nurse["name"][0]["suffix"] == ["RN"]


def test_a_resident_is_marked_beside_the_specialty() -> None:
    resident = valid(outbound.practitioner_resource(replace(DOCTOR, is_resident=True)))
    assert resident["extension"] == [
        {"url": "urn:himdesk:fhir:extension:specialty", "valueString": "Internal Medicine"},
        {"url": "urn:himdesk:fhir:extension:resident", "valueBoolean": True},
    ]
    assert "extension" not in valid(outbound.practitioner_resource(NURSE))


def test_an_encounter_has_class_period_attending_disposition_and_account_number() -> None:
    encounter = valid(outbound.encounter_resource(STAY, "HIMDESK-GENERAL", "", 40))
    assert encounter["class"]["code"] == "IMP" and encounter["status"] == "finished"
    assert encounter["period"] == {"start": "2026-11-02T14:30:00+00:00",
                                   "end": "2026-11-06T14:30:00+00:00"}  # fmt: skip
    participant = encounter["participant"][0]
    assert participant["type"][0]["coding"][0]["code"] == "ATND"
    assert participant["individual"] == {"reference": "Practitioner/5"}
    codes = [c["code"] for c in encounter["hospitalization"]["dischargeDisposition"]["coding"]]
    assert codes == ["03", "snf"]
    assert encounter["identifier"][0]["value"] == "A1"
    assert encounter["serviceType"] == {"text": "Medicine"}
    assert encounter["diagnosis"] == [{"condition": {"reference": "Condition/40"}, "rank": 1}]


@pytest.mark.parametrize(
    ("kind", "code"),
    [(EncounterClass.OUTPATIENT, "AMB"), (EncounterClass.EMERGENCY, "EMER"),
     (EncounterClass.OBSERVATION, "OBSENC")],
)  # fmt: skip
def test_each_encounter_class_has_its_act_code(kind: EncounterClass, code: str) -> None:
    open_visit = replace(
        STAY, encounter_class=kind, status=EncounterStatus.IN_PROGRESS, discharged_at=None,
        discharge_disposition=None, attending_id=None,
    )  # fmt: skip
    encounter = valid(outbound.encounter_resource(open_visit, "H"))
    assert encounter["class"]["code"] == code and encounter["status"] == "in-progress"
    assert "end" not in encounter["period"] and "hospitalization" not in encounter


def test_a_condition_has_its_code_text_encounter_and_recorded_date() -> None:
    condition = valid(outbound.condition_resource(PROBLEM, 1))
    assert condition["code"] == {
        "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E87.1",
                    "display": "Hyponatremia"}], "text": "Hyponatremia"}  # fmt: skip
    assert condition["encounter"] == {"reference": "Encounter/10"}
    assert condition["recordedDate"] == "2026-11-02T14:30:00+00:00"
    assert condition["recorder"] == {"reference": "Practitioner/5"}


def test_an_uncoded_condition_keeps_its_text_alone() -> None:
    uncoded = replace(PROBLEM, code="", code_system="", encounter_id=None)
    condition = valid(outbound.condition_resource(uncoded, 1))
    assert condition["code"] == {"text": "Hyponatremia"}
    assert condition["category"][0]["coding"][0]["code"] == "problem-list-item"


def test_a_procedure_has_its_time_and_no_performer_when_unknown() -> None:
    procedure = valid(outbound.procedure_resource(XRAY, 1))
    assert procedure["performedDateTime"] == "2026-11-02T14:30:00+00:00"
    assert "performer" not in procedure and procedure["code"] == {"text": "Chest X-ray"}


def test_a_result_has_a_ucum_quantity_reference_range_and_interpretation() -> None:
    result = valid(outbound.observation_resource(SODIUM, 1))
    ucum = {"system": "http://unitsofmeasure.org", "code": "mmol/L"}
    assert result["valueQuantity"] == {"value": 128, "unit": "mmol/L", **ucum}
    assert result["referenceRange"][0]["low"]["value"] == 135
    assert result["interpretation"][0]["coding"][0]["code"] == "L"
    assert result["category"][0]["coding"][0]["code"] == "laboratory"
    assert result["code"]["coding"][0] == {"system": "http://loinc.org", "code": "2951-2",
                                           "display": "Sodium"}  # fmt: skip


def test_a_result_with_a_free_text_unit_and_fractional_value_is_not_coded_in_ucum() -> None:
    odd = replace(SODIUM, value=Decimal("0.040"), unit="cells per hpf", code_system="",
                  reference_low=None, reference_high=None)  # fmt: skip
    result = valid(outbound.observation_resource(odd, 1))
    assert result["valueQuantity"] == {"value": 0.04, "unit": "cells per hpf"}
    assert "referenceRange" not in result and "system" not in result["code"]["coding"][0]


def test_a_medication_order_has_its_dose_route_and_status_by_end_date() -> None:
    order = valid(outbound.medication_resource(FUROSEMIDE, 1))
    assert order["status"] == "completed" and order["authoredOn"] == "2026-10-01"
    assert order["medicationCodeableConcept"]["coding"][0]["system"] == (
        "http://www.nlm.nih.gov/research/umls/rxnorm")  # fmt: skip
    dosage = order["dosageInstruction"][0]
    assert dosage["text"] == "40 mg PO daily" and dosage["route"] == {"text": "PO"}
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 40
    bounds = dosage["timing"]["repeat"]["boundsPeriod"]
    assert bounds == {"start": "2026-10-01", "end": "2026-11-06"}
    assert dosage["timing"]["code"] == {"text": "daily"}
    ongoing = replace(FUROSEMIDE, ended_on=None, dose="1-2 tabs")
    written = valid(outbound.medication_resource(ongoing, 1))
    assert written["status"] == "active" and written["dosageInstruction"][0]["text"] == "1-2 tabs"


def test_an_allergy_has_substance_reaction_severity_and_criticality() -> None:
    allergy = valid(outbound.allergy_resource(PENICILLIN, 1))
    assert allergy["code"] == {"text": "Penicillin"} and allergy["criticality"] == "high"
    assert allergy["reaction"] == [{"manifestation": [{"text": "Hives"}], "severity": "severe"}]
    assert allergy["patient"] == {"reference": "Patient/1"}


def test_a_document_has_its_loinc_type_status_author_text_and_encounter() -> None:
    document = valid(outbound.document_resource(NOTE, 1))
    assert [c["code"] for c in document["type"]["coding"]] == ["18842-5", "discharge_summary"]
    assert document["docStatus"] == "final" and document["author"] == [
        {"reference": "Practitioner/5"}]  # fmt: skip
    attachment = document["content"][0]["attachment"]
    assert base64.b64decode(attachment["data"]).decode() == "Discharged to SNF. Café au lait."
    assert attachment["contentType"].startswith("text/plain")
    assert document["context"] == {"encounter": [{"reference": "Encounter/10"}]}
    assert document["extension"][0]["valueDateTime"] == "2026-11-02T18:30:00+00:00"


def test_a_received_document_keeps_the_senders_loinc_type_and_its_label() -> None:
    received = replace(NOTE, document_type=DocumentType.CLINICAL_NOTE, type_code="68608-9",
                       author_id=None, status=DocumentStatus.DRAFT, signed_by_id=None,
                       signed_at=None, sensitivity=SensitiveCategory.SUBSTANCE_USE)  # fmt: skip
    document = valid(outbound.document_resource(received, 1))
    assert document["type"]["coding"][0] == {"system": "http://loinc.org", "code": "68608-9"}
    assert "author" not in document and document["docStatus"] == "preliminary"
    assert [s["code"] for s in document["meta"]["security"]] == ["R", "ETH"]


def test_a_side_is_a_snomed_coded_laterality_qualifier_on_the_body_site() -> None:
    condition = valid(outbound.condition_resource(replace(PROBLEM, laterality="left"), 1))
    (site,) = condition["bodySite"]
    (qualifier,) = site["extension"]
    assert qualifier["url"] == (
        "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier")  # fmt: skip
    assert qualifier["valueCodeableConcept"] == {
        "text": "left",
        "coding": [{"system": "http://snomed.info/sct", "code": "7771000", "display": "Left"}],
    }
    assert site["text"] == "left"


@pytest.mark.parametrize(
    ("side", "code"),
    [("right", "24028007"), ("Bilateral", "51440002"), ("R", "24028007"), ("medial", None)],
)
def test_each_side_has_its_snomed_code_and_other_words_only_their_text(
    side: str, code: str | None
) -> None:
    procedure = valid(outbound.procedure_resource(replace(XRAY, laterality=side), 1))
    concept = procedure["bodySite"][0]["extension"][0]["valueCodeableConcept"]
    assert concept["text"] == side
    assert [c["code"] for c in concept.get("coding", [])] == ([code] if code else [])


def test_a_procedure_that_sent_tissue_to_pathology_says_so_and_others_say_nothing() -> None:
    removed = valid(outbound.procedure_resource(replace(XRAY, tissue_removed=True), 1))
    assert removed["extension"] == [
        {"url": "urn:himdesk:fhir:extension:tissue-removed", "valueBoolean": True}]  # fmt: skip
    plain = valid(outbound.procedure_resource(XRAY, 1))
    assert "extension" not in plain and "bodySite" not in plain


def test_a_principal_diagnosis_is_marked_on_the_condition_itself() -> None:
    marked = {"url": "urn:himdesk:fhir:extension:principal-diagnosis", "valueBoolean": True}
    assert valid(outbound.condition_resource(PROBLEM, 1))["extension"] == [marked]
    secondary = valid(outbound.condition_resource(replace(PROBLEM, is_principal=False), 1))
    assert "extension" not in secondary


def test_a_cosigned_note_names_its_signer_and_the_cosigner_with_the_times() -> None:
    cosigned = replace(NOTE, author_id=6, signed_by_id=6, requires_cosignature=True,
                       cosigned_by_id=5, cosigned_at=AT.replace(hour=20))  # fmt: skip
    document = valid(outbound.document_resource(cosigned, 1, base="https://h.example/fhir/R4"))
    assert document["authenticator"] == {"reference": "https://h.example/fhir/R4/Practitioner/6"}
    assert {e["url"].rsplit(":", 1)[1]: e for e in document["extension"]} == {
        "signed-at": {"url": "urn:himdesk:fhir:extension:signed-at",
                      "valueDateTime": "2026-11-02T18:30:00+00:00"},
        "cosignature-required": {"url": "urn:himdesk:fhir:extension:cosignature-required",
                                 "valueBoolean": True},
        "cosigned-by": {"url": "urn:himdesk:fhir:extension:cosigned-by",
                        "valueReference": {"reference": "https://h.example/fhir/R4/Practitioner/5"}},
        "cosigned-at": {"url": "urn:himdesk:fhir:extension:cosigned-at",
                        "valueDateTime": "2026-11-02T20:30:00+00:00"},
    }  # fmt: skip


@pytest.mark.parametrize(
    ("label", "code"),
    [(SensitiveCategory.BEHAVIORAL_HEALTH, "BH"), (SensitiveCategory.SUBSTANCE_USE, "ETH"),
     (SensitiveCategory.HIV_STI, "HIV"), (SensitiveCategory.REPRODUCTIVE_HEALTH, "SEX"),
     (SensitiveCategory.VIP, "CEL"), (SensitiveCategory.EMPLOYEE, "EMP")],
)  # fmt: skip
def test_every_sensitivity_label_is_restricted_with_its_act_code(
    label: SensitiveCategory, code: str
) -> None:
    document = valid(outbound.document_resource(replace(NOTE, sensitivity=label), 1))
    confidentiality, sensitivity = document["meta"]["security"]
    assert (confidentiality["system"], confidentiality["code"]) == (
        "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "R")  # fmt: skip
    assert (sensitivity["system"], sensitivity["code"]) == (
        "http://terminology.hl7.org/CodeSystem/v3-ActCode", code)  # fmt: skip


def test_references_are_absolute_under_a_base() -> None:
    result = outbound.observation_resource(SODIUM, 1, base="https://h.example/fhir/R4/")
    assert result["subject"] == {"reference": "https://h.example/fhir/R4/Patient/1"}


@pytest.mark.parametrize(
    ("named", "uri"),
    [("2.16.840.1.113883.6.96", "http://snomed.info/sct"), ("LN", "http://loinc.org"),
     ("1.2.3.4", "urn:oid:1.2.3.4"), ("http://loinc.org", "http://loinc.org"), ("", ""),
     ("LOCAL", "urn:himdesk:code-system:LOCAL")],
)  # fmt: skip
def test_code_systems_are_written_as_fhir_uris(named: str, uri: str) -> None:
    assert system_uri(named) == uri


def test_a_part_that_was_never_stored_cannot_be_written() -> None:
    with pytest.raises(ValueError, match="stored"):
        outbound.observation_resource(replace(SODIUM, id=None), 1)
