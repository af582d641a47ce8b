"""Every shared C-CDA sample reads as a submission or a clean, specific rejection.

The collections (../shared/data/ccda, see its README.txt): HL7's approved C-CDA R2.1 examples
(mostly section and entry fragments), the SMART vendor samples, Microsoft's FHIR-Converter
samples and the ccda-to-fhir test fixtures (also mostly fragments).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from himdesk.domain.incoming import IncomingPatient, Rejected, SourceRef, Submission
from himdesk.domain.records import (
    AbnormalFlag,
    AdministrativeSex,
    DischargeDisposition,
    DocumentType,
    EncounterClass,
)
from himdesk.interop.ccda.reader import read_ccda

Outcomes = dict[str, list[tuple[Path, Submission | Rejected]]]

# What each collection gives, by kind: "mapped" documents and rejections by reason.
EXPECTED = {
    "ccda_to_fhir_pypi_fixtures": {"mapped": 15, "fragment": 131},
    # Snippets that are not well-formed alone (an undeclared xsi: prefix) are fragments too;
    # the 5 "not XML" are stubbed <ClinicalDocument>s with the same flaw, the 5 outside the
    # namespace are header examples without xmlns.
    "hl7_ccda_examples": {
        "mapped": 20,
        "fragment": 418,
        "not XML": 5,
        "outside the HL7 v3 namespace": 5,
    },
    "microsoft_fhir_converter": {"mapped": 22},
    # Kinsights' sample gives its own effectiveTime as "-08".
    "smart_sample_ccdas": {"mapped": 116, "ClinicalDocument/effectiveTime/@value": 1},
}


def sample_files(collection: Path) -> list[Path]:
    """The sample documents of a collection, without its read-me, licence and FHIR outputs."""
    return [
        path
        for path in sorted(collection.rglob("*"))
        if path.is_file()
        and path.suffix.lower() not in {".md", ".json"}
        and not path.name.lower().startswith(("readme", "license"))
    ]


@pytest.fixture(scope="module")
def outcomes(shared_data: Path) -> Outcomes:
    found: Outcomes = {}
    for name in EXPECTED:
        for path in sample_files(shared_data / "ccda" / name):
            [outcome] = list(read_ccda(path.read_bytes(), path.name))
            found.setdefault(name, []).append((path, outcome))
    return found


def kind(outcome: Submission | Rejected) -> str:
    if isinstance(outcome, Submission):
        return "mapped"
    if "(a fragment, not a document)" in outcome.problem:
        return "fragment"
    if "not well-formed XML" in outcome.problem:
        return "not XML"
    if "namespace" in outcome.problem:
        return "outside the HL7 v3 namespace"
    return outcome.where


def one(outcomes: Outcomes, collection: str, name: str) -> Submission | Rejected:
    return next(o for path, o in outcomes[collection] if path.name == name)


def submission(outcomes: Outcomes, collection: str, name: str) -> Submission:
    outcome = one(outcomes, collection, name)
    assert isinstance(outcome, Submission), outcome
    return outcome


def test_every_sample_gives_a_submission_or_a_specific_rejection(outcomes: Outcomes) -> None:
    for path, outcome in (item for found in outcomes.values() for item in found):
        assert isinstance(outcome, Submission | Rejected), path
        if isinstance(outcome, Rejected):
            assert outcome.where and outcome.problem, path
            assert "could not be read" not in outcome.problem, (path, outcome)


def test_full_documents_map_and_fragments_are_rejected_as_fragments(outcomes: Outcomes) -> None:
    counted = {name: dict(Counter(kind(o) for _, o in found)) for name, found in outcomes.items()}
    assert counted == EXPECTED


def test_every_document_of_the_hl7_documents_folder_and_of_emerge_maps(
    outcomes: Outcomes,
) -> None:
    for collection, folder in [
        ("hl7_ccda_examples", "Documents"),
        ("smart_sample_ccdas", "EMERGE"),
    ]:
        found = [o for path, o in outcomes[collection] if folder in path.parts]
        assert found
        assert all(isinstance(o, Submission) for o in found), folder


def test_every_mapped_document_has_a_patient_a_document_and_its_narrative(
    outcomes: Outcomes,
) -> None:
    mapped = [o for found in outcomes.values() for _, o in found if isinstance(o, Submission)]
    for outcome in mapped:
        [chart] = outcome.charts
        assert isinstance(chart.patient, IncomingPatient)
        [received] = chart.documents
        assert received.text.strip(), outcome.label
        # Every clinician a part points at travels with the submission.
        named = {c.source for c in outcome.clinicians}
        pointed = {e.attending for e in chart.encounters} | {received.author}
        pointed |= {d.documented_by for d in chart.diagnoses}
        pointed |= {p.performed_by for p in chart.procedures}
        assert pointed - {None} <= named, outcome.label


def test_the_hl7_discharge_summary_reads_field_by_field(outcomes: Outcomes) -> None:
    summary = submission(outcomes, "hl7_ccda_examples", "Discharge_Summary.xml")
    [chart] = summary.charts
    patient = chart.patient
    assert isinstance(patient, IncomingPatient)
    assert (patient.given_name, patient.family_name) == ("Isabella", "Jones")
    assert (patient.birth_on, patient.sex) == (date(2005, 5, 1), AdministrativeSex.FEMALE)
    assert patient.source == SourceRef("cda:2.16.840.1.113883.19.5.99999.2", "998991")
    [received] = chart.documents
    assert received.document_type is DocumentType.DISCHARGE_SUMMARY
    assert received.title == "Community Health and Hospitals: Discharge Summary"
    assert "HOSPITAL COURSE:\nPatient presented with dark stools" in received.text
    stay = chart.encounters[0]
    assert stay.source == received.encounter
    assert stay.encounter_class is EncounterClass.INPATIENT
    assert stay.discharge_disposition is DischargeDisposition.HOME
    admission = next(d for d in chart.diagnoses if d.encounter == stay.source)
    assert (admission.code, admission.description) == ("74400008", "Appendicitis")
    penicillin = next(a for a in chart.allergies if a.code == "7980")
    assert (penicillin.reaction, penicillin.severity) == ("Nausea", "Moderate to severe")


def test_an_emerge_patient_reads_field_by_field(outcomes: Outcomes) -> None:
    [chart] = submission(outcomes, "smart_sample_ccdas", "Patient-0.xml").charts
    patient = chart.patient
    assert isinstance(patient, IncomingPatient)
    assert (patient.given_name, patient.family_name, patient.birth_on) == (
        "Bernice",
        "Maxwell",
        date(1940, 8, 5),
    )
    assert patient.ssn == ""  # 111-00-2330: group 00 is never issued
    hypertension = next(d for d in chart.diagnoses if d.code == "59621000")
    assert hypertension.description == "Essential hypertension"
    assert [e.encounter_class for e in chart.encounters].count(EncounterClass.INPATIENT) == 1
    assert any(m.code == "858828" for m in chart.medications)


def test_the_cerner_referral_summary_reads_field_by_field(outcomes: Outcomes) -> None:
    [chart] = submission(
        outcomes, "smart_sample_ccdas", "Transition_of_Care_Referral_Summary.xml"
    ).charts
    patient = chart.patient
    assert isinstance(patient, IncomingPatient)
    assert (patient.given_name, patient.family_name, patient.birth_on) == (
        "Steve",
        "Williamson",
        date(1947, 4, 7),
    )
    glucose = next(o for o in chart.observations if o.code == "2339-0")
    assert (glucose.value, glucose.unit, glucose.flag) == (
        Decimal("185"),
        "mg/dL",
        AbnormalFlag.HIGH,
    )
    assert {a.substance for a in chart.allergies} == {"Codeine", "Penicillin G"}


def test_a_pdf_document_is_kept_with_a_note_and_counted(outcomes: Outcomes) -> None:
    pdf = submission(outcomes, "microsoft_fhir_converter", "CDA_with_Embedded_PDF.ccda")
    assert dict(pdf.not_held)["Attached application/pdf content"] == 1
    assert "application/pdf" in pdf.charts[0].documents[0].text


def test_the_kinsights_sample_is_rejected_for_its_document_time(outcomes: Outcomes) -> None:
    rejected = one(outcomes, "smart_sample_ccdas", "kinsights-sample-timmy.xml")
    assert isinstance(rejected, Rejected)
    assert rejected.where == "ClinicalDocument/effectiveTime/@value"
