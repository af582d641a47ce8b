"""Every shared FHIR sample is read: into submissions, or rejected for a specific, correct reason.

The official FHIR R4 examples include files the record cannot take (message bundles, requests
without resources, patients without a birth date); each is expected here by file, place and
reason, so a change in what the reader accepts shows up as a failing line in this table. The
Synthea bundles all map, and every resource is accounted for: filed, or counted as not held,
with expected counts worked out independently from the JSON itself.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from himdesk.domain.incoming import IdentifierKind, IncomingPatient, Rejected, Submission
from himdesk.interop.fhir.inbound import UNEXPECTED, read_fhir
from himdesk.interop.fhir.inbound_documents import REPORT_RESULTS
from himdesk.interop.fhir.inbound_results import NOT_NUMERIC

NOT_IMPORTABLE_BUNDLE = "expected one of transaction"
NO_BIRTH_DATE = "needs the patient's date of birth"
NO_ORDER_DATE = "no dosage timing says when it started"
TWICE = "appears twice in the input"
NO_RESOURCE = "has no resource"
NO_EFFECTIVE_TIME = "expected effectiveDateTime"
NO_CONDITION_DATE = "no onset or encounter says when"
NO_ENCOUNTER_START = "needs when the encounter began"
NO_DRUG = "expected a medicationCodeableConcept"
NO_PROCEDURE_CODE = "expected a code or text naming the procedure"
NO_PERFORMED_TIME = "expected performedDateTime"
NOT_JSON = "is not well-formed JSON"

# file -> (where, part of the reason)
EXPECTED_REJECTIONS = {
    "Bundle-10bb101f-a121-4264-a920-67be9cb82c74.json": ("Bundle.type", NOT_IMPORTABLE_BUNDLE),
    "Bundle-3a0707d3-549e-4467-b8b8-5a2ab3800efe.json": ("Bundle.type", NOT_IMPORTABLE_BUNDLE),
    "Bundle-b248b1b2-1686-4b94-9936-37d7a5f94b51.json": (
        "entry 1 (Patient/2) birthDate",
        NO_BIRTH_DATE,
    ),
    "Bundle-bundle-example.json": ("entry 0 (MedicationRequest/3123) authoredOn", NO_ORDER_DATE),
    "Bundle-bundle-references.json": ("entry 6 (Observation/14)", TWICE),
    "Bundle-bundle-request-medsallergies.json": ("entry 0", NO_RESOURCE),
    "Bundle-bundle-request-simplesummary.json": ("entry 0", NO_RESOURCE),
    "Bundle-bundle-response-medsallergies.json": ("Bundle.type", NOT_IMPORTABLE_BUNDLE),
    "Bundle-bundle-response-simplesummary.json": ("Bundle.type", NOT_IMPORTABLE_BUNDLE),
    "Bundle-bundle-response.json": ("Bundle.type", NOT_IMPORTABLE_BUNDLE),
    "Bundle-bundle-transaction.json": ("entry 5", NO_RESOURCE),
    "Bundle-father.json": (
        "entry 5 (MedicationRequest/124a6916-5d84-4b8c-b250-10cefb8e6e86) authoredOn",
        NO_ORDER_DATE,
    ),
    "Condition-example2.json": ("Condition/example2 recordedDate", NO_CONDITION_DATE),
    "Condition-family-history.json": ("Condition/family-history recordedDate", NO_CONDITION_DATE),
    "Encounter-example.json": ("Encounter/example period.start", NO_ENCOUNTER_START),
    "Encounter-f001.json": ("Encounter/f001 period.start", NO_ENCOUNTER_START),
    "Encounter-f002.json": ("Encounter/f002 period.start", NO_ENCOUNTER_START),
    "Encounter-f003.json": ("Encounter/f003 period.start", NO_ENCOUNTER_START),
    "Encounter-f201.json": ("Encounter/f201 period.start", NO_ENCOUNTER_START),
    "Encounter-f202.json": ("Encounter/f202 period.start", NO_ENCOUNTER_START),
    "Encounter-xcda.json": ("Encounter/xcda period.start", NO_ENCOUNTER_START),
    "MedicationRequest-medrx0323.json": ("MedicationRequest/medrx0323 medication[x]", NO_DRUG),
    "MedicationRequest-medrx0329.json": ("MedicationRequest/medrx0329 medication[x]", NO_DRUG),
    "MedicationStatement-example007.json": (
        "MedicationStatement/example007 effective[x]",
        NO_EFFECTIVE_TIME,
    ),
    "Observation-bmd.json": ("Observation/bmd effective[x]", NO_EFFECTIVE_TIME),
    "Patient-dicom.json": ("Patient/dicom birthDate", NO_BIRTH_DATE),
    "Patient-ihe-pcd.json": ("Patient/ihe-pcd birthDate", NO_BIRTH_DATE),
    "Patient-infant-fetal.json": ("Patient/infant-fetal birthDate", NO_BIRTH_DATE),
    "Patient-pat1.json": ("Patient/pat1 birthDate", NO_BIRTH_DATE),
    "Patient-pat2.json": ("Patient/pat2 birthDate", NO_BIRTH_DATE),
    "Procedure-appendectomy-narrative.json": (
        "Procedure/appendectomy-narrative code",
        NO_PROCEDURE_CODE,
    ),
    "Procedure-colon-biopsy.json": ("Procedure/colon-biopsy performed[x]", NO_PERFORMED_TIME),
    "Procedure-colonoscopy.json": ("Procedure/colonoscopy performed[x]", NO_PERFORMED_TIME),
    "README.txt": ("line 1, column 1", NOT_JSON),
}


def _read(path: Path) -> Submission | Rejected:
    items = list(read_fhir(path.read_bytes(), path.name))
    assert len(items) == 1, path.name
    return items[0]


def test_every_official_example_is_read_or_rejected_for_its_expected_reason(
    shared_data: Path,
) -> None:
    rejections: dict[str, tuple[str, str]] = {}
    submissions = 0
    for path in sorted((shared_data / "fhir_r4_examples").iterdir()):
        result = _read(path)
        if isinstance(result, Rejected):
            assert result.problem != UNEXPECTED, path.name
            reason = EXPECTED_REJECTIONS.get(path.name, ("", "?"))[1]
            rejections[path.name] = (result.where, reason if reason in result.problem else "")
        else:
            submissions += 1
    assert rejections == EXPECTED_REJECTIONS
    assert submissions == 711 + 1 - len(EXPECTED_REJECTIONS)  # 711 examples and a README


def test_rejections_of_the_examples_name_the_entry_and_field(shared_data: Path) -> None:
    reasons = Counter(reason for _where, reason in EXPECTED_REJECTIONS.values())
    assert reasons[NO_BIRTH_DATE] == 6
    assert reasons[NOT_IMPORTABLE_BUNDLE] == 5
    result = _read(shared_data / "fhir_r4_examples" / "Bundle-bundle-transaction.json")
    assert isinstance(result, Rejected)
    assert result.problem.startswith("has no resource (it asks DELETE Patient/234)")


def test_example_resources_of_types_the_record_does_not_hold_are_counted(
    shared_data: Path,
) -> None:
    result = _read(shared_data / "fhir_r4_examples" / "Claim-100150.json")
    assert isinstance(result, Submission)
    assert (result.charts, dict(result.not_held)) == ((), {"Claim": 1})


def _expected_from_json(bundle: dict[str, Any]) -> Counter[str]:
    """What the record should file and count for a Synthea bundle, worked out independently."""
    expected: Counter[str] = Counter()
    plain = {
        "Patient": "patients",
        "Practitioner": "clinicians",
        "Encounter": "encounters",
        "Condition": "diagnoses",
        "Procedure": "procedures",
        "MedicationRequest": "medications",
        "AllergyIntolerance": "allergies",
    }
    for entry in bundle["entry"]:
        resource = entry["resource"]
        kind = resource["resourceType"]
        if kind in plain:
            expected[plain[kind]] += 1
        elif kind == "Observation":
            parts = [resource, *resource.get("component", [])]
            numeric = sum("valueQuantity" in part for part in parts)
            expected["observations"] += numeric
            expected[NOT_NUMERIC] += len(parts) - numeric - ("component" in resource)
        elif kind == "DiagnosticReport":
            expected["documents" if "presentedForm" in resource else REPORT_RESULTS] += 1
        else:
            expected[kind] += 1
    return expected


def _found(submission: Submission) -> Counter[str]:
    found: Counter[str] = Counter(dict(submission.not_held))
    found["clinicians"] += len(submission.clinicians)
    for chart in submission.charts:
        found["patients"] += isinstance(chart.patient, IncomingPatient)
        for part in ("encounters", "documents", "observations", "diagnoses", "procedures",
                     "medications", "allergies"):  # fmt: skip
            found[part] += len(getattr(chart, part))
    return +found


def test_every_synthea_bundle_maps_with_every_resource_accounted_for(shared_data: Path) -> None:
    paths = sorted((shared_data / "synthea_fhir_r4" / "bundles").glob("*.json"))
    assert len(paths) == 100
    totals: Counter[str] = Counter()
    for path in paths:
        result = _read(path)
        assert isinstance(result, Submission), f"{path.name}: {result}"
        expected = _expected_from_json(json.loads(path.read_bytes()))
        assert _found(result) == +expected, path.name
        assert result.message_type == "Bundle/transaction"
        totals += expected
    assert totals["patients"] == 100
    assert totals["observations"] > 12_000 and totals["Claim"] > 3_000


@pytest.mark.parametrize("index", [0, 41, 99])
def test_synthea_references_resolve_within_the_bundle(shared_data: Path, index: int) -> None:
    path = sorted((shared_data / "synthea_fhir_r4" / "bundles").glob("*.json"))[index]
    result = _read(path)
    assert isinstance(result, Submission)
    (chart,) = result.charts
    encounters = {e.source for e in chart.encounters}
    clinicians = {c.source for c in result.clinicians}
    linked = [*chart.observations, *chart.diagnoses, *chart.procedures, *chart.medications]
    assert all(part.encounter in encounters for part in linked)
    assert all(e.attending in clinicians for e in chart.encounters if e.attending)
    assert any(e.attending for e in chart.encounters)
    assert isinstance(chart.patient, IncomingPatient)
    mrns = {i.system for i in chart.patient.identifiers if i.kind is IdentifierKind.MRN}
    assert "http://hospital.smarthealthit.org" in mrns
    assert chart.patient.ssn == ""  # Synthea's SSNs start with 999, never issued: left out
