"""The FHIR R4 reader maps each resource type into the incoming record, or says exactly why not."""

from __future__ import annotations

import base64
import gc
import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson
import pytest

from himdesk.domain.incoming import (
    IdentifierKind,
    IncomingChart,
    IncomingPatient,
    PatientIdentifier,
    Rejected,
    SourceRef,
    Submission,
)
from himdesk.domain.records import (
    AbnormalFlag,
    AdministrativeSex,
    DischargeDisposition,
    DocumentStatus,
    DocumentType,
    EncounterClass,
    EncounterStatus,
)
from himdesk.interop.fhir.inbound import read_fhir
from himdesk.interop.fhir.inbound_documents import REPORT_RESULTS, WITHOUT_TEXT
from himdesk.interop.fhir.inbound_people import clinician_from_display
from himdesk.interop.fhir.inbound_results import NOT_NUMERIC, WITH_COMPARATOR

LOINC = "http://loinc.org"
PATIENT_REF = {"reference": "Patient/p1"}


def fhir(kind: str, value: str) -> SourceRef:
    return SourceRef("urn:fhir", f"{kind}/{value}")


def patient(**changes: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": "p1",
        "name": [
            {"use": "usual", "family": "Usual", "given": ["Nick"]},
            {"use": "official", "family": "Rivera", "given": ["Ana", "Maria", "Luz"]},
        ],
        "gender": "female",
        "birthDate": "1961-04-30",
    }
    return resource | changes


def bundle(*resources: dict[str, Any], bundle_type: str = "collection") -> bytes:
    entries = [
        {"fullUrl": f"http://example.org/fhir/{r['resourceType']}/{r.get('id', i)}", "resource": r}
        for i, r in enumerate(resources)
    ]
    return orjson.dumps(
        {"resourceType": "Bundle", "id": "b1", "type": bundle_type, "entry": entries}
    )


def read(content: bytes | dict[str, Any], label: str = "in.json") -> Submission | Rejected:
    raw = orjson.dumps(content) if isinstance(content, dict) else content
    items = list(read_fhir(raw, label))
    assert len(items) == 1
    return items[0]


def submitted(*resources: dict[str, Any]) -> Submission:
    result = read(bundle(*resources))
    assert isinstance(result, Submission), result
    return result


def rejection(*resources: dict[str, Any]) -> Rejected:
    result = read(bundle(*resources))
    assert isinstance(result, Rejected), result
    return result


def assert_rejected(resource: dict[str, Any], where: str, expected: str) -> None:
    problem = rejection(resource)
    assert problem.where == f"entry 0 ({resource['resourceType']}/{resource['id']}) {where}"
    assert expected in problem.problem


def chart(submission: Submission) -> IncomingChart:
    assert len(submission.charts) == 1
    return submission.charts[0]


def not_held(submission: Submission) -> dict[str, int]:
    return dict(submission.not_held)


# --- Patient -------------------------------------------------------------------------------


def test_a_patient_takes_the_official_name_with_the_second_given_name_as_middle() -> None:
    incoming = chart(submitted(patient())).patient
    assert isinstance(incoming, IncomingPatient)
    assert (incoming.family_name, incoming.given_name, incoming.middle_name) == (
        "Rivera",
        "Ana",
        "Maria Luz",
    )
    assert incoming.birth_on == date(1961, 4, 30)
    assert incoming.sex is AdministrativeSex.FEMALE
    assert incoming.source == fhir("Patient", "p1")


def test_a_patients_identifiers_become_mrns_and_a_normalized_ssn() -> None:
    identifiers = [
        {"type": {"coding": [{"code": "MR"}]}, "system": "urn:oid:1.2.3", "value": "A-77"},
        {"system": "https://other.example/ids", "value": "X9"},
        {"system": "http://hl7.org/fhir/sid/us-ssn", "value": "123456789"},
        {"type": {"coding": [{"code": "DL"}]}, "system": "urn:oid:2.16.840", "value": "S999"},
        {"value": "no-system"},
        {"type": {"coding": [{"code": "SS"}]}, "system": "urn:ssa", "value": "000-12-3456"},
    ]
    incoming = chart(submitted(patient(identifier=identifiers))).patient
    assert isinstance(incoming, IncomingPatient)
    assert incoming.identifiers == (
        PatientIdentifier(IdentifierKind.MRN, "urn:oid:1.2.3", "A-77"),
        PatientIdentifier(IdentifierKind.MRN, "https://other.example/ids", "X9"),
        PatientIdentifier(IdentifierKind.SSN, "http://hl7.org/fhir/sid/us-ssn", "123-45-6789"),
        PatientIdentifier(IdentifierKind.OTHER, "urn:oid:2.16.840", "S999"),
    )


def test_a_patients_home_address_and_phone_are_kept_in_the_records_form() -> None:
    incoming = chart(
        submitted(
            patient(
                address=[
                    {"use": "work", "line": ["1 Work Rd"], "city": "Elsewhere"},
                    {
                        "use": "home",
                        "line": ["12 Elm St", "Apt 4"],
                        "city": "Salem",
                        "state": "Massachusetts",
                        "postalCode": "01970",
                    },
                ],
                telecom=[
                    {"system": "email", "value": "a@example.org"},
                    {"system": "phone", "value": "617 555 0100", "use": "work"},
                    {"system": "phone", "value": "+1 (978) 555-0199", "use": "home"},
                ],
            )
        )
    ).patient
    assert isinstance(incoming, IncomingPatient)
    assert incoming.address.one_line() == "12 Elm St, Apt 4, Salem, MA 01970"
    assert incoming.phone == "(978) 555-0199"


def test_a_patient_abroad_keeps_the_phone_as_sent_and_no_us_state() -> None:
    address = [{"city": "Melbourne", "state": "Vic", "postalCode": "3000", "country": "AU"}]
    telecom = [{"system": "phone", "value": "(03) 5555 6473"}]
    incoming = chart(submitted(patient(address=address, telecom=telecom))).patient
    assert isinstance(incoming, IncomingPatient)
    assert (incoming.address.state, incoming.phone) == ("", "(03) 5555 6473")


def test_a_patient_without_a_birth_date_is_rejected_naming_entry_and_field() -> None:
    problem = rejection(patient(birthDate=None))
    assert problem.where == "entry 0 (Patient/p1) birthDate"
    assert "date of birth" in problem.problem


@pytest.mark.parametrize(
    ("changes", "where", "expected"),
    [
        ({"birthDate": "1961"}, "birthDate", "expected a full date YYYY-MM-DD"),
        ({"birthDate": "1961-02-30"}, "birthDate", "is not a real date"),
        ({"birthDate": 1961}, "birthDate", "expected a string, found a number"),
        ({"gender": "mail"}, "gender", "expected male, female, other or unknown"),
        ({"name": [{"family": ["Rivera"]}]}, "name[0].family", "expected a string, found an array"),
        ({"name": {"family": "Rivera"}}, "name", "expected an array of objects, found an object"),
        ({"name": [{"family": "R" * 61}]}, "name[0].family", "the record keeps at most 60"),
        ({"telecom": [{"system": "phone", "value": "9" * 21}]}, "telecom[0].value", "at most 20"),
        ({"id": 7}, "id", "expected a string, found a number"),
    ],
)
def test_a_patient_with_a_wrong_field_is_rejected_with_what_was_expected(
    changes: dict[str, Any], where: str, expected: str
) -> None:
    problem = rejection(patient(**changes))
    assert problem.where.endswith(f") {where}") or problem.where.endswith(f" {where}")
    assert expected in problem.problem


# --- Practitioner and clinicians known by a display only ------------------------------------


def test_a_practitioner_brings_its_npi_name_and_qualification() -> None:
    practitioner = {
        "resourceType": "Practitioner",
        "id": "dr1",
        "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}],
        "name": [{"family": "Osler", "given": ["William"], "prefix": ["Dr."]}],
        "qualification": [{"code": {"coding": [{"code": "MD"}], "text": "Doctor of Medicine"}}],
    }
    (clinician,) = submitted(practitioner).clinicians
    assert (clinician.family_name, clinician.given_name) == ("Osler", "William")
    assert (clinician.npi, clinician.credentials) == ("1234567893", "MD")
    assert clinician.source == fhir("Practitioner", "dr1")


def test_the_specialty_himdesk_exports_as_an_extension_is_read_back() -> None:
    practitioner = {
        "resourceType": "Practitioner",
        "id": "dr1",
        "name": [{"family": "Seven", "given": ["Henry"]}],
        "extension": [
            {"url": "http://example.org/other", "valueString": "ignored"},
            {"url": "urn:himdesk:fhir:extension:specialty", "valueString": "Cardiology"},
        ],
    }
    (clinician,) = submitted(practitioner).clinicians
    assert clinician.specialty == "Cardiology"


def test_a_practitioner_with_a_malformed_npi_is_rejected() -> None:
    practitioner = {
        "resourceType": "Practitioner",
        "id": "dr1",
        "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "NPI-12"}],
    }
    assert rejection(practitioner).where == "entry 0 (Practitioner/dr1) identifier[0].value"


@pytest.mark.parametrize(
    ("display", "expected"),
    [
        ("Dr. Jane Doe", ("Doe", "Jane", "")),
        ("Dr Adam Careful", ("Careful", "Adam", "")),
        ("Jane Q. Doe, MD", ("Doe", "Jane", "MD")),
        ("Jane Doe M.D.", ("Doe", "Jane", "M.D.")),
        ("Doe, Jane", ("Doe", "Jane", "")),
        ("Prof. Smith", ("Smith", "", "")),
    ],
)
def test_a_clinician_is_made_from_a_display_name_without_titles(
    display: str, expected: tuple[str, str, str]
) -> None:
    clinician = clinician_from_display(display, fhir("Practitioner", "x"))
    assert clinician is not None
    assert (clinician.family_name, clinician.given_name, clinician.credentials) == expected


def test_a_display_of_titles_alone_makes_no_clinician() -> None:
    assert clinician_from_display("Dr.", fhir("Practitioner", "x")) is None
    assert clinician_from_display("  ", fhir("Practitioner", "x")) is None


# --- Encounter -------------------------------------------------------------------------------


def encounter(**changes: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": "e1",
        "status": "finished",
        "class": {"code": "IMP"},
        "subject": PATIENT_REF,
        "period": {"start": "2024-03-01T08:00:00-05:00", "end": "2024-03-04T10:30:00-05:00"},
    }
    return resource | changes


def test_a_finished_inpatient_encounter_is_a_discharge_with_disposition_and_attending() -> None:
    resource = encounter(
        identifier=[{"value": "has spaces, not a visit number"}, {"value": "V-2024-001"}],
        type=[{"text": "Inpatient admission"}],
        hospitalization={
            "dischargeDisposition": {
                "coding": [{"system": "http://www.nubc.org/patient-discharge", "code": "01"}]
            }
        },
        participant=[
            {"individual": {"reference": "Practitioner/other", "display": "Dr. Other Person"}},
            {
                "type": [{"coding": [{"code": "ATND"}]}],
                "individual": {"reference": "Practitioner/att", "display": "Dr. Ada Attending"},
            },
        ],
    )
    submission = submitted(patient(), resource)
    (incoming,) = chart(submission).encounters
    assert incoming.encounter_class is EncounterClass.INPATIENT
    assert incoming.status is EncounterStatus.DISCHARGED
    assert incoming.admitted_at == datetime(2024, 3, 1, 13, 0, tzinfo=UTC)
    assert incoming.discharged_at == datetime(2024, 3, 4, 15, 30, tzinfo=UTC)
    assert incoming.discharge_disposition is DischargeDisposition.HOME
    assert incoming.account_number == "V-2024-001"
    assert incoming.service == "Inpatient admission"
    assert incoming.attending == fhir("Practitioner", "att")
    assert [(c.family_name, c.given_name) for c in submission.clinicians] == [("Attending", "Ada")]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("AMB", EncounterClass.OUTPATIENT),
        ("EMER", EncounterClass.EMERGENCY),
        ("OBSENC", EncounterClass.OBSERVATION),
        ("ACUTE", EncounterClass.INPATIENT),
    ],
)
def test_encounter_class_codes_map_to_the_records_classes(
    code: str, expected: EncounterClass
) -> None:
    (incoming,) = chart(submitted(encounter(**{"class": {"code": code}}))).encounters
    assert incoming.encounter_class is expected


def test_an_encounter_in_progress_has_no_discharge_time_and_hl7_dispositions_map() -> None:
    resource = encounter(
        status="in-progress",
        hospitalization={"dischargeDisposition": {"coding": [{"code": "snf"}]}},
        participant=[{"individual": {"reference": "Practitioner/unknown"}}],
    )
    (incoming,) = chart(submitted(resource)).encounters
    assert incoming.status is EncounterStatus.IN_PROGRESS
    assert incoming.discharged_at is None
    assert incoming.discharge_disposition is DischargeDisposition.SKILLED_NURSING
    assert incoming.attending is None  # not in the bundle and no display to name it


@pytest.mark.parametrize(
    ("changes", "where", "expected"),
    [
        ({"period": {"end": "2024-03-04"}}, "period.start", "is missing"),
        ({"class": {"code": "XYZ"}}, "class.code", "expected one of AMB, IMP"),
        ({"class": [{"code": "IMP"}]}, "class", "expected an object, found an array"),
        ({"status": "unknown"}, "status", "expected one of planned"),
        ({"period": {"start": "yesterday"}}, "period.start", "expected a FHIR dateTime"),
    ],
)
def test_an_encounter_the_record_cannot_file_is_rejected(
    changes: dict[str, Any], where: str, expected: str
) -> None:
    assert_rejected(encounter(**changes), where, expected)


# --- Condition and Procedure -----------------------------------------------------------------


def condition(**changes: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "id": "c1",
        "subject": PATIENT_REF,
        "code": {
            "coding": [
                {"system": "http://snomed.info/sct", "code": "44054006", "display": "Diabetes"},
                {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E11.9", "display": "T2DM"},
            ]
        },
        "recordedDate": "2024-03-02",
    }
    return resource | changes


def test_a_condition_prefers_its_icd10cm_code_and_keeps_the_display() -> None:
    (diagnosis,) = chart(submitted(condition())).diagnoses
    assert (diagnosis.code, diagnosis.code_system) == ("E11.9", "http://hl7.org/fhir/sid/icd-10-cm")
    assert diagnosis.description == "T2DM"
    assert diagnosis.documented_at == datetime(2024, 3, 2, tzinfo=UTC)


def test_a_condition_without_dates_is_documented_when_its_encounter_began() -> None:
    resource = condition(recordedDate=None, encounter={"reference": "Encounter/e1"})
    (diagnosis,) = chart(submitted(encounter(), resource)).diagnoses
    assert diagnosis.documented_at == datetime(2024, 3, 1, 13, 0, tzinfo=UTC)
    assert diagnosis.encounter == fhir("Encounter", "e1")


def test_a_refuted_condition_is_counted_not_filed() -> None:
    refuted = condition(verificationStatus={"coding": [{"code": "refuted"}]})
    submission = submitted(refuted)
    assert submission.charts == ()
    assert not_held(submission) == {"Condition refuted": 1}


def test_a_condition_with_no_time_at_all_is_rejected() -> None:
    problem = rejection(condition(recordedDate=None, onsetString="last winter"))
    assert problem.where == "entry 0 (Condition/c1) recordedDate"


def test_a_condition_code_longer_than_the_record_keeps_is_rejected() -> None:
    code = {"coding": [{"system": "urn:x", "code": "C" * 21}]}
    assert rejection(condition(code=code)).where == "entry 0 (Condition/c1) code.coding.code"


def test_a_procedure_takes_its_period_start_and_performer() -> None:
    procedure = {
        "resourceType": "Procedure",
        "id": "pr1",
        "status": "completed",
        "subject": PATIENT_REF,
        "code": {"text": "Appendectomy"},
        "performedPeriod": {"start": "2024-03-02T09:00:00Z", "end": "2024-03-02T10:00:00Z"},
        "performer": [{"actor": {"reference": "Practitioner/dr1"}}],
    }
    practitioner = {"resourceType": "Practitioner", "id": "dr1", "name": [{"family": "Cut"}]}
    (incoming,) = chart(submitted(procedure, practitioner)).procedures
    assert incoming.description == "Appendectomy"
    assert incoming.performed_at == datetime(2024, 3, 2, 9, 0, tzinfo=UTC)
    assert incoming.performed_by == fhir("Practitioner", "dr1")


def test_a_procedure_not_done_is_counted_and_one_without_a_time_is_rejected() -> None:
    base = {"resourceType": "Procedure", "id": "pr1", "subject": PATIENT_REF, "code": {"text": "X"}}
    assert not_held(submitted(base | {"status": "not-done"})) == {"Procedure not done": 1}
    problem = rejection(base | {"status": "completed", "performedString": "last year"})
    assert problem.where == "entry 0 (Procedure/pr1) performed[x]"


# --- Observation -----------------------------------------------------------------------------


def observation(**changes: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "subject": PATIENT_REF,
        "code": {"coding": [{"system": LOINC, "code": "2345-7", "display": "Glucose"}]},
        "effectiveDateTime": "2024-03-02T07:15:00+00:00",
        "valueQuantity": {"value": 182.04999, "unit": "mg/dL"},
        "referenceRange": [{"low": {"value": 70}, "high": {"value": 99}}],
        "interpretation": [{"coding": [{"code": "H"}]}],
    }
    return resource | changes


def test_a_numeric_observation_keeps_value_unit_range_and_flag() -> None:
    (result,) = chart(submitted(observation())).observations
    assert (result.code, result.code_system, result.display) == ("2345-7", LOINC, "Glucose")
    assert (result.value, result.unit) == (Decimal("182.050"), "mg/dL")
    assert (result.reference_low, result.reference_high) == (Decimal("70"), Decimal("99"))
    assert result.flag is AbnormalFlag.HIGH
    assert result.observed_at == datetime(2024, 3, 2, 7, 15, tzinfo=UTC)


def test_components_become_one_result_each_under_the_observations_id() -> None:
    def component(code: str, value: float) -> dict[str, Any]:
        return {"code": {"coding": [{"system": LOINC, "code": code}]}, "valueQuantity": {
            "value": value, "unit": "mmHg"}}  # fmt: skip

    blood_pressure = observation(
        valueQuantity=None,
        interpretation=None,
        referenceRange=None,
        component=[component("8480-6", 120), component("8462-4", 80), {"code": {"text": "x"}}],
    )
    submission = submitted(blood_pressure)
    systolic, diastolic = chart(submission).observations
    assert (systolic.source, systolic.value) == (fhir("Observation", "o1#0"), Decimal("120"))
    assert (diastolic.source, diastolic.code) == (fhir("Observation", "o1#1"), "8462-4")
    assert not_held(submission) == {NOT_NUMERIC: 1}


@pytest.mark.parametrize(
    ("changes", "counted_as"),
    [
        ({"valueQuantity": None, "valueCodeableConcept": {"text": "Positive"}}, NOT_NUMERIC),
        ({"valueQuantity": None, "valueString": "trace"}, NOT_NUMERIC),
        ({"valueQuantity": None, "dataAbsentReason": {"text": "lost"}}, NOT_NUMERIC),
        ({"valueQuantity": {"value": 5, "comparator": "<", "unit": "mg/L"}}, WITH_COMPARATOR),
    ],
)
def test_an_observation_without_a_plain_number_is_counted_never_dropped(
    changes: dict[str, Any], counted_as: str
) -> None:
    submission = submitted(observation(**changes))
    assert submission.charts == ()
    assert not_held(submission) == {counted_as: 1}


@pytest.mark.parametrize(
    ("codes", "value", "expected"),
    [
        (["HH"], 500, AbnormalFlag.CRITICAL_HIGH),
        (["LL"], 20, AbnormalFlag.CRITICAL_LOW),
        (["L"], 60, AbnormalFlag.LOW),
        (["N"], 80, AbnormalFlag.NORMAL),
        (["A"], 50, AbnormalFlag.LOW),
        (["A"], 150, AbnormalFlag.HIGH),
        (["AA"], 10, AbnormalFlag.CRITICAL_LOW),
        ([], 150, AbnormalFlag.NORMAL),
    ],
)
def test_interpretation_codes_become_abnormal_flags(
    codes: list[str], value: int, expected: AbnormalFlag
) -> None:
    interpretation = [{"coding": [{"code": code} for code in codes]}]
    resource = observation(interpretation=interpretation, valueQuantity={"value": value})
    (result,) = chart(submitted(resource)).observations
    assert result.flag is expected


def test_a_result_without_its_own_time_takes_its_reports_time_and_encounter() -> None:
    report = {
        "resourceType": "DiagnosticReport",
        "id": "r1",
        "status": "final",
        "subject": PATIENT_REF,
        "code": {"text": "Panel"},
        "encounter": {"reference": "Encounter/e1"},
        "effectiveDateTime": "2024-03-03T06:00:00Z",
        "result": [{"reference": "Observation/o1"}],
    }
    submission = submitted(observation(effectiveDateTime=None), report)
    (result,) = chart(submission).observations
    assert result.observed_at == datetime(2024, 3, 3, 6, 0, tzinfo=UTC)
    assert result.encounter == fhir("Encounter", "e1")
    assert not_held(submission) == {REPORT_RESULTS: 1}


def test_a_panel_member_takes_the_time_of_the_panel_its_report_lists() -> None:
    panel = observation(
        id="panel", valueQuantity=None, effectiveDateTime=None,
        hasMember=[{"reference": "Observation/o1"}],
    )  # fmt: skip
    report = {
        "resourceType": "DiagnosticReport",
        "id": "r1",
        "status": "final",
        "subject": PATIENT_REF,
        "code": {"text": "Panel"},
        "issued": "2024-03-03T06:00:00Z",
        "result": [{"reference": "Observation/panel"}],
    }
    submission = submitted(observation(effectiveDateTime=None), panel, report)
    (result,) = chart(submission).observations
    assert result.observed_at == datetime(2024, 3, 3, 6, 0, tzinfo=UTC)
    assert not_held(submission) == {NOT_NUMERIC: 1, REPORT_RESULTS: 1}


def test_a_clinician_contained_or_behind_a_practitioner_role_is_found() -> None:
    role = {
        "resourceType": "PractitionerRole",
        "id": "role1",
        "practitioner": {"reference": "Practitioner/dr9", "display": "Dr. Nine Role"},
    }
    contained = condition(
        contained=[{"resourceType": "Practitioner", "id": "me", "name": [{"family": "Inside"}]}],
        recorder={"reference": "#me"},
    )
    resource = encounter(participant=[{"individual": {"reference": "PractitionerRole/role1"}}])
    submission = submitted(role, contained, resource)
    (incoming,) = chart(submission).encounters
    assert incoming.attending == fhir("Practitioner", "dr9")
    assert chart(submission).diagnoses[0].documented_by == fhir("Practitioner", "c1#me")
    assert {c.family_name for c in submission.clinicians} == {"Inside", "Role"}
    assert not_held(submission) == {"PractitionerRole": 1}


@pytest.mark.parametrize(
    ("changes", "where", "expected"),
    [
        ({"valueQuantity": {"value": "182"}}, "valueQuantity.value", "expected a number"),
        ({"valueQuantity": {"value": True}}, "valueQuantity.value", "found true/false"),
        ({"valueQuantity": {"value": 1e12}}, "valueQuantity.value", "beyond what the record"),
        ({"valueQuantity": {"value": 1, "unit": "u" * 21}}, "valueQuantity.unit", "at most 20"),
        ({"effectiveDateTime": None}, "effective[x]", "expected effectiveDateTime"),
        ({"effectiveDateTime": "2024-13-01"}, "effectiveDateTime", "is not a real date"),
        ({"referenceRange": [{"low": {"value": "7"}}]}, "referenceRange[0].low.value", "number"),
        ({"code": {"coding": "2345-7"}}, "code.coding", "expected an array"),
    ],
)
def test_an_observation_with_a_wrong_field_is_rejected(
    changes: dict[str, Any], where: str, expected: str
) -> None:
    assert_rejected(observation(**changes), where, expected)


def test_a_time_that_leaves_the_calendar_when_moved_to_utc_is_rejected() -> None:
    assert_rejected(
        observation(effectiveDateTime="0001-01-01T00:00:00+01:00"),
        "effectiveDateTime",
        "out of the range of dates",
    )


def test_an_observation_about_no_patient_or_a_group_is_counted() -> None:
    orphan = observation(subject=None)
    group = observation(id="o2", subject={"reference": "Group/g1"})
    assert not_held(submitted(orphan, group)) == {
        "Observation without a patient": 1,
        "Observation about a Group": 1,
    }


# --- Medications and allergies ---------------------------------------------------------------


def medication_request(**changes: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": "m1",
        "status": "active",
        "intent": "order",
        "subject": PATIENT_REF,
        "encounter": {"reference": "Encounter/e1"},
        "medicationCodeableConcept": {
            "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "197361"}],
            "text": "Amlodipine 5 MG Oral Tablet",
        },
        "authoredOn": "2024-03-02T22:30:00-05:00",
        "dosageInstruction": [
            {
                "text": "one tablet daily",
                "route": {"text": "oral"},
                "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
                "doseAndRate": [{"doseQuantity": {"value": 5, "unit": "mg"}}],
            }
        ],
    }
    return resource | changes


def test_a_medication_request_keeps_drug_dose_route_and_frequency() -> None:
    (medication,) = chart(submitted(medication_request())).medications
    assert (medication.name, medication.code) == ("Amlodipine 5 MG Oral Tablet", "197361")
    assert medication.started_on == date(2024, 3, 2)  # the day as the prescriber wrote it
    assert (medication.dose, medication.route, medication.frequency) == (
        "5 mg",
        "oral",
        "once a day",
    )
    assert medication.encounter == fhir("Encounter", "e1")


def test_a_medication_named_by_reference_is_read_from_the_bundle_or_contained() -> None:
    drug = {"resourceType": "Medication", "id": "drug1", "code": {"text": "Metformin 500 mg"}}
    by_bundle = medication_request(
        medicationCodeableConcept=None, medicationReference={"reference": "Medication/drug1"}
    )
    contained = medication_request(
        id="m2",
        contained=[{"resourceType": "Medication", "id": "x", "code": {"text": "Insulin"}}],
        medicationCodeableConcept=None,
        medicationReference={"reference": "#x"},
    )
    submission = submitted(by_bundle, drug, contained)
    assert [m.name for m in chart(submission).medications] == ["Metformin 500 mg", "Insulin"]
    assert submission.not_held == ()  # the Medication is filed inside the order


def test_a_medication_request_without_any_start_is_rejected() -> None:
    problem = rejection(medication_request(authoredOn=None))
    assert problem.where == "entry 0 (MedicationRequest/m1) authoredOn"


def test_a_medication_request_naming_a_missing_contained_resource_is_rejected() -> None:
    resource = medication_request(
        medicationCodeableConcept=None, medicationReference={"reference": "#nowhere"}
    )
    problem = rejection(resource)
    assert problem.where == "entry 0 (MedicationRequest/m1) medicationReference.reference"
    assert "not among the contained resources" in problem.problem


def test_a_medication_statement_keeps_its_period_and_a_not_taken_one_is_counted() -> None:
    statement = {
        "resourceType": "MedicationStatement",
        "id": "s1",
        "status": "completed",
        "subject": PATIENT_REF,
        "medicationCodeableConcept": {"text": "Aspirin 81 mg"},
        "effectivePeriod": {"start": "2023-01-05", "end": "2023-06-30"},
        "dosage": [{"timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}}}],
    }
    not_taken = statement | {"id": "s2", "status": "not-taken"}
    submission = submitted(statement, not_taken)
    (medication,) = chart(submission).medications
    assert (medication.started_on, medication.ended_on) == (date(2023, 1, 5), date(2023, 6, 30))
    assert medication.frequency == "2 times a day"
    assert not_held(submission) == {"MedicationStatement not taken": 1}


def allergy(**changes: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "AllergyIntolerance",
        "id": "a1",
        "patient": PATIENT_REF,
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "91936005"}],
                 "text": "Penicillin"},
        "criticality": "high",
        "recordedDate": "2020-05-01T10:00:00Z",
        "reaction": [{"manifestation": [{"text": "Hives"}, {"text": "Wheezing"}]}],
    }  # fmt: skip
    return resource | changes


def test_an_allergy_keeps_substance_reactions_and_criticality_as_severity() -> None:
    (incoming,) = chart(submitted(allergy())).allergies
    assert (incoming.substance, incoming.code) == ("Penicillin", "91936005")
    assert incoming.reaction == "Hives; Wheezing"
    assert incoming.severity == "high criticality"
    assert incoming.recorded_on == date(2020, 5, 1)


def test_an_allergy_severity_in_the_records_own_words_comes_back_from_its_extension() -> None:
    extension = [
        {"url": "urn:himdesk:fhir:extension:allergy-severity", "valueString": "Moderate to severe"}
    ]
    (incoming,) = chart(submitted(allergy(extension=extension))).allergies
    assert incoming.severity == "Moderate to severe"


def test_an_allergy_prefers_the_reactions_severity_and_needs_a_substance() -> None:
    severe = allergy(reaction=[{"manifestation": [{"text": "Rash"}], "severity": "severe"}])
    (incoming,) = chart(submitted(severe)).allergies
    assert incoming.severity == "severe"
    assert rejection(allergy(code=None)).where == "entry 0 (AllergyIntolerance/a1) code"


# --- Documents -------------------------------------------------------------------------------


def encoded(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def document(**changes: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "id": "d1",
        "status": "current",
        "docStatus": "final",
        "subject": PATIENT_REF,
        "type": {"coding": [{"system": LOINC, "code": "18842-5", "display": "Discharge summary"}]},
        "date": "2024-03-04T16:00:00Z",
        "author": [{"reference": "Practitioner/dr1", "display": "Dr. Grace Writer"}],
        "content": [
            {"attachment": {"contentType": "application/pdf", "data": encoded("%PDF")}},
            {"attachment": {"contentType": "text/plain; charset=utf-8", "data": encoded("Home.")}},
        ],
        "context": {"encounter": [{"reference": "Encounter/e1"}]},
    }
    return resource | changes


def test_a_document_with_plain_text_is_filed_with_its_type_author_and_encounter() -> None:
    submission = submitted(document())
    (incoming,) = chart(submission).documents
    assert incoming.document_type is DocumentType.DISCHARGE_SUMMARY
    assert (incoming.type_code, incoming.title, incoming.text) == (
        "18842-5",
        "Discharge summary",
        "Home.",
    )
    assert incoming.status is DocumentStatus.SIGNED
    assert incoming.author == fhir("Practitioner", "dr1")
    assert incoming.encounter == fhir("Encounter", "e1")
    assert [c.family_name for c in submission.clinicians] == ["Writer"]


def test_an_html_document_becomes_plain_text_and_an_unknown_type_a_clinical_note() -> None:
    html = "<html><style>p{}</style><body><h1>Note</h1><p>Seen &amp; examined.</p></body></html>"
    resource = document(
        docStatus="preliminary",
        type={"coding": [{"system": LOINC, "code": "34746-8", "display": "Nurse note"}]},
        content=[{"attachment": {"contentType": "text/html", "data": encoded(html)}}],
    )
    (incoming,) = chart(submitted(resource)).documents
    assert incoming.text == "Note\nSeen & examined."
    assert (incoming.document_type, incoming.type_code) == (DocumentType.CLINICAL_NOTE, "34746-8")
    assert incoming.status is DocumentStatus.DRAFT


def test_html_with_office_style_conditional_sections_reads_as_its_text() -> None:
    html = "<p><![if !supportLists]>1.<![endif]>Pain <![unknown[ x ]]>improved</p>"
    resource = document(
        content=[{"attachment": {"contentType": "text/html", "data": encoded(html)}}]
    )
    assert chart(submitted(resource)).documents[0].text == "1.Pain improved"


def test_himdesks_own_document_kind_signature_time_and_amended_status_are_read_back() -> None:
    kind = {"system": "urn:himdesk:document-type", "code": "addendum", "display": "Addendum"}
    resource = document(
        docStatus="amended",
        type={"coding": [{"system": LOINC, "code": "55107-7"}, kind]},
        extension=[
            {"url": "urn:himdesk:fhir:extension:signed-at", "valueDateTime": "2024-03-05T09:00:00Z"}
        ],
    )
    (incoming,) = chart(submitted(resource)).documents
    assert (incoming.document_type, incoming.type_code) == (DocumentType.ADDENDUM, "55107-7")
    assert incoming.status is DocumentStatus.AMENDED
    assert incoming.signed_at == datetime(2024, 3, 5, 9, 0, tzinfo=UTC)


def test_a_document_without_attached_text_is_counted() -> None:
    linked = document(content=[{"attachment": {"contentType": "text/plain", "url": "http://x/1"}}])
    assert not_held(submitted(linked)) == {WITHOUT_TEXT: 1}


def test_a_document_whose_text_is_in_a_binary_of_the_bundle_is_filed() -> None:
    binary = {"resourceType": "Binary", "id": "bin1", "contentType": "text/plain",
              "data": encoded("From the binary.")}  # fmt: skip
    resource = document(content=[{"attachment": {"url": "Binary/bin1"}}])
    submission = submitted(resource, binary)
    assert chart(submission).documents[0].text == "From the binary."
    assert submission.not_held == ()


@pytest.mark.parametrize(
    ("attachment", "expected"),
    [
        ({"contentType": "text/plain", "data": "not base64!"}, "expected base64"),
        ({"contentType": "text/plain; charset=klingon", "data": "SGk="}, "unknown character set"),
        ({"contentType": "text/plain", "data": base64.b64encode(b"\xff\xfe").decode()}, "utf-8"),
    ],
)
def test_a_document_with_undecodable_text_is_rejected(
    attachment: dict[str, str], expected: str
) -> None:
    problem = rejection(document(content=[{"attachment": attachment}]))
    assert problem.where.startswith("entry 0 (DocumentReference/d1) content[0].attachment")
    assert expected in problem.problem


def test_a_report_with_a_presented_form_becomes_a_radiology_document() -> None:
    report = {
        "resourceType": "DiagnosticReport",
        "id": "r1",
        "status": "final",
        "category": [{"coding": [{"code": "RAD"}]}],
        "subject": PATIENT_REF,
        "code": {"text": "Chest X-ray"},
        "issued": "2024-03-02T12:00:00Z",
        "presentedForm": [{"contentType": "text/plain", "data": encoded("No acute disease.")}],
    }
    (incoming,) = chart(submitted(report)).documents
    assert incoming.document_type is DocumentType.RADIOLOGY_REPORT
    assert (incoming.title, incoming.text) == ("Chest X-ray", "No acute disease.")
    assert incoming.source == fhir("DiagnosticReport", "r1")


# --- Inputs, references and what the record does not hold --------------------------------------


def test_types_the_record_does_not_hold_are_counted_by_resource_type() -> None:
    claim = {"resourceType": "Claim", "id": "cl1"}
    organization = {"resourceType": "Organization", "id": "org1"}
    immunization = {"resourceType": "Immunization", "id": "im1"}
    wrong = {"resourceType": "Observation", "id": "o9", "status": "entered-in-error"}
    submission = submitted(claim, claim | {"id": "cl2"}, organization, immunization, wrong)
    assert not_held(submission) == {
        "Claim": 2,
        "Organization": 1,
        "Immunization": 1,
        "Observation entered in error": 1,
    }


def test_references_resolve_through_urn_uuids_absolute_urls_and_history() -> None:
    uuid = "urn:uuid:4f1c8e3a-0000-4000-8000-000000000001"
    entries = [
        {"fullUrl": uuid, "resource": patient(id=None)},
        {"fullUrl": "urn:uuid:aa", "resource": observation(id="o1", subject={"reference": uuid})},
        {"resource": observation(id="o2", subject={"reference": "http://x/fhir/Patient/p2/_history/3"})},
    ]  # fmt: skip
    result = read({"resourceType": "Bundle", "type": "transaction", "entry": entries})
    assert isinstance(result, Submission)
    first, second = result.charts
    assert isinstance(first.patient, IncomingPatient)
    assert first.patient.source == fhir("Patient", "4f1c8e3a-0000-4000-8000-000000000001")
    assert [o.source for o in first.observations] == [fhir("Observation", "o1")]
    assert second.patient == fhir("Patient", "p2")


def test_a_patient_contained_in_the_resource_becomes_the_charts_patient() -> None:
    newborn = patient(id="newborn", name=[{"family": "Baby", "given": ["Boy"]}])
    resource = observation(contained=[newborn], subject={"reference": "#newborn"})
    incoming = chart(submitted(resource)).patient
    assert isinstance(incoming, IncomingPatient)
    assert (incoming.source, incoming.family_name) == (fhir("Patient", "o1#newborn"), "Baby")


def test_a_reference_of_no_known_form_is_rejected() -> None:
    problem = rejection(observation(subject={"reference": "Patient?identifier=123"}))
    assert problem.where == "entry 0 (Observation/o1) subject.reference"


def test_ndjson_is_one_submission_with_a_chart_per_patient() -> None:
    lines = [
        observation(),
        observation(id="o2", subject={"reference": "Patient/p2"}),
        observation(id="o3"),
    ]
    content = b"\n".join(orjson.dumps(line) for line in lines) + b"\n\n"
    result = read(content, "Observation.ndjson")
    assert isinstance(result, Submission)
    assert result.message_type == "NDJSON"
    assert [(c.patient, len(c.observations)) for c in result.charts] == [
        (fhir("Patient", "p1"), 2),
        (fhir("Patient", "p2"), 1),
    ]


def test_ndjson_is_recognized_without_its_suffix_and_a_bad_line_is_named() -> None:
    good = orjson.dumps(observation())
    assert isinstance(read(good + b"\n" + good.replace(b'"o1"', b'"o2"'), "export"), Submission)
    problem = read(good + b'\n{"resourceType": "Observation",,}', "x.ndjson")
    assert isinstance(problem, Rejected)
    assert problem.where.startswith("line 2, column ")


def test_a_submission_carries_the_fingerprint_of_the_exact_bytes_and_the_bundle_id() -> None:
    content = bundle(patient(), bundle_type="transaction")
    result = read(b"\xef\xbb\xbf" + content)
    assert isinstance(result, Submission)
    assert result.fingerprint == hashlib.sha256(b"\xef\xbb\xbf" + content).hexdigest()
    assert (result.message_type, result.control_id) == ("Bundle/transaction", "b1")
    assert result.label == "in.json"


@pytest.mark.parametrize(
    ("content", "where", "expected"),
    [
        (b'{"resourceType": "Patient",\n  "id": }', "line 2, column 9", "not well-formed JSON"),
        (b"[1, 2]", "", "expected a FHIR resource"),
        (b'{"id": "x"}', "resourceType", "is missing"),
        (b'{"resourceType": "Patientt"}', "resourceType", "not a FHIR R4 resource type"),
        (b'{"resourceType": "Bundle", "type": "message"}', "Bundle.type", "transaction, batch"),
        (b'{"resourceType": "Bundle", "type": "batch", "entry": {}}', "Bundle.entry", "array"),
        (b'{"resourceType": "Bundle", "type": "batch", "entry": [{"request": {"method": "GET",'
         b' "url": "Patient/1"}}]}', "entry 0", "has no resource (it asks GET Patient/1)"),
        (b'{"resourceType": "Bundle", "type": "batch", "entry": [{"resource": 3}]}',
         "entry 0 resource", "expected a FHIR resource"),
    ],
)  # fmt: skip
def test_input_that_is_not_a_readable_fhir_file_is_rejected_as_a_whole(
    content: bytes, where: str, expected: str
) -> None:
    problem = read(content)
    assert isinstance(problem, Rejected)
    assert (problem.where, expected in problem.problem) == (where, True), problem.problem


def test_the_same_resource_twice_in_one_bundle_is_rejected() -> None:
    problem = rejection(observation(), observation(valueQuantity={"value": 1}))
    assert problem.where == "entry 1 (Observation/o1)"
    assert "appears twice" in problem.problem


def test_reading_leaves_the_garbage_collector_as_it_found_it() -> None:
    read(bundle(patient()))
    assert gc.isenabled()
    gc.disable()
    try:
        read(bundle(patient()))
        assert not gc.isenabled()
    finally:
        gc.enable()
