"""One encounter's analysis as the HIT reviews it: deficiencies, evidence, who cleared what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.domain.chart_review import ChartStatus, Resolution
from himdesk.domain.completeness import Deficiency, DeficiencyKind, Evidence, EvidenceSource
from himdesk.domain.records import DocumentType, Encounter, EncounterClass
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.services.access_control import ReasonRequired
from himdesk.services.completeness import analyze_charts, waive_deficiency
from himdesk.services.encounter_analysis import analysis_of_deficiency, encounter_analysis
from himdesk.services.errors import NotFound
from tests.fakes import T0, ChartBuilder

HIT = Actor(user_id=5, username="hana", role=Role.HIT)
SECRET = "Patient discussed relapse with the counsellor."


@dataclass(frozen=True)
class Stay:
    patient_id: int
    encounter_id: int
    note_id: int
    counselling_id: int


@pytest.fixture
def stay(himdesk: Himdesk) -> Stay:
    """An analysed stay (no H&P), and a discrepancy quoting a note, a labelled note and a result."""
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        patient = build.patient()
        encounter = build.inpatient_stay(patient, doctor)
        note = build.document(patient, encounter, doctor, text="Right knee replaced.")
        counselling = build.document(
            patient, encounter, doctor, DocumentType.PROGRESS_NOTE, text=SECRET,
            sensitivity=SensitiveCategory.SUBSTANCE_USE,
        )  # fmt: skip
        assert patient.id and encounter.id and note.id and counselling.id
        conflict = Deficiency(
            DeficiencyKind.LATERALITY_CONFLICT, "laterality_consistent",
            "Right in one document, left in another.", doctor.id, T0.date(),
            subject="knee", evidence=(
                Evidence(EvidenceSource.DOCUMENT, note.id, "Right knee replaced."),
                Evidence(EvidenceSource.DOCUMENT, counselling.id, SECRET),
                Evidence(EvidenceSource.RESULT, 9, "Sodium 128 mmol/L"),
            ),
        )  # fmt: skip
        uow.commit()
    with himdesk.unit_of_work() as uow:
        analyze_charts(uow, HIT, encounter.id)  # the H&P is missing
    with himdesk.unit_of_work() as uow:
        uow.chart_reviews.add([(encounter.id, patient.id, conflict)], T0, "hana")
        uow.commit()
    return Stay(patient.id, encounter.id, note.id, counselling.id)


def test_the_analysis_lists_open_deficiencies_with_whom_they_are_for(
    himdesk: Himdesk, stay: Stay
) -> None:
    with himdesk.unit_of_work() as uow:
        found = encounter_analysis(uow, HIT, stay.encounter_id)
    assert found.status is ChartStatus.AWAITING_ANALYSIS
    assert found.attending == "William Osler, MD" and found.days_since_discharge == 1
    kinds = sorted(line.tracked.deficiency.kind.value for line in found.open)
    assert kinds == ["laterality_conflict", "missing_document"]
    assert {line.assignee for line in found.open} == {"William Osler, MD"}
    assert found.cleared == [] and found.banner.patient.mrn == "M0000001"


def test_evidence_from_a_labelled_document_is_named_by_category_and_not_quoted(
    himdesk: Himdesk, stay: Stay
) -> None:
    with himdesk.unit_of_work() as uow:
        found = encounter_analysis(uow, HIT, stay.encounter_id)
    [conflict] = [line for line in found.open if line.tracked.deficiency.subject == "knee"]
    plain, labelled, result = conflict.evidence
    assert (plain.document_id, plain.document_title, plain.quote) == (
        stay.note_id, "Discharge summary", "Right knee replaced.")  # fmt: skip
    assert labelled.withheld and labelled.quote == ""
    assert labelled.document_id == stay.counselling_id
    assert labelled.document_title.startswith("Restricted document (Substance use")
    assert (result.document_id, result.quote) == (None, "Sodium 128 mmol/L")
    assert SECRET not in repr(found)


def test_a_waived_deficiency_is_shown_cleared_with_who_when_and_why(
    himdesk: Himdesk, stay: Stay
) -> None:
    with himdesk.unit_of_work() as uow:
        first = encounter_analysis(uow, HIT, stay.encounter_id).open[0].tracked
    with himdesk.unit_of_work() as uow:
        waive_deficiency(uow, HIT, first.id, "Scanned paper copy is signed.")
    with himdesk.unit_of_work() as uow:
        found = analysis_of_deficiency(uow, HIT, first.id)
    [cleared] = found.cleared
    assert (cleared.tracked.id, cleared.tracked.resolution) == (first.id, Resolution.WAIVED)
    assert (cleared.tracked.cleared_by, cleared.tracked.cleared_at) == ("hana", T0)
    assert cleared.tracked.resolution_note == "Scanned paper copy is signed."
    assert len(found.open) == 1


def test_only_discharged_encounters_and_known_deficiencies_have_an_analysis(
    himdesk: Himdesk, stay: Stay
) -> None:
    with himdesk.unit_of_work() as uow:
        in_house = uow.chart.add_encounter(
            Encounter(stay.patient_id, EncounterClass.INPATIENT, T0, "A9")
        )
        uow.commit()
    assert in_house.id is not None
    with himdesk.unit_of_work() as uow, pytest.raises(NotFound, match="discharged encounter"):
        encounter_analysis(uow, HIT, in_house.id)
    with himdesk.unit_of_work() as uow, pytest.raises(NotFound, match="424242"):
        encounter_analysis(uow, HIT, 424242)
    with himdesk.unit_of_work() as uow, pytest.raises(NotFound, match="deficiency"):
        analysis_of_deficiency(uow, HIT, 424242)


def test_a_coder_may_not_open_the_analysis(himdesk: Himdesk, stay: Stay) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        encounter_analysis(uow, Actor(7, "cody", Role.CODER), stay.encounter_id)


def test_a_vip_chart_needs_a_stated_reason_before_its_analysis_opens(
    himdesk: Himdesk, stay: Stay
) -> None:
    with himdesk.unit_of_work() as uow:
        uow.access.add_restriction(stay.patient_id, SensitiveCategory.VIP, "Board member",
                                   "pia", T0 - timedelta(days=1))  # fmt: skip
        uow.commit()
    with himdesk.unit_of_work() as uow, pytest.raises(ReasonRequired):
        encounter_analysis(uow, HIT, stay.encounter_id)
