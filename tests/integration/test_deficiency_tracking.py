"""Deficiencies are kept as work: opened when found, cleared with who and when, and the
chart's status follows them from awaiting analysis to complete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.domain.chart_review import ChartStatus, Resolution, TrackedDeficiency
from himdesk.domain.records import DocumentStatus, DocumentType
from himdesk.services.completeness import analyze_charts, complete_review, waive_deficiency
from himdesk.services.documents import sign_document
from himdesk.services.errors import Conflict, NotFound
from tests.fakes import ChartBuilder, FakeClock

HIT = Actor(user_id=5, username="hana", role=Role.HIT)


@dataclass(frozen=True)
class Stay:
    patient_id: int
    encounter_id: int
    summary_id: int
    attending: Actor


@pytest.fixture
def stay(himdesk: Himdesk) -> Stay:
    """A discharged stay whose only deficiency is an unsigned discharge summary."""
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        patient = build.patient()
        encounter = build.inpatient_stay(patient, doctor)
        build.document(patient, encounter, doctor, DocumentType.HISTORY_AND_PHYSICAL,
                       text="H&P. Alert and oriented.",
                       at=encounter.admitted_at + timedelta(hours=3))  # fmt: skip
        summary = build.document(patient, encounter, doctor, signed=False)
        uow.commit()
    assert patient.id and encounter.id and summary.id
    attending = Actor(9, "osler", Role.CLINICIAN, clinician_id=doctor.id)
    return Stay(patient.id, encounter.id, summary.id, attending)


def _history(himdesk: Himdesk, encounter_id: int) -> list[TrackedDeficiency]:
    with himdesk.unit_of_work() as uow:
        return list(uow.chart_reviews.history(encounter_id))


def _status(himdesk: Himdesk, encounter_id: int) -> ChartStatus:
    with himdesk.unit_of_work() as uow:
        return uow.chart_reviews.reviews([encounter_id])[encounter_id].status


def test_a_deficiency_found_is_kept_open_with_who_found_it(himdesk: Himdesk, stay: Stay) -> None:
    with himdesk.unit_of_work() as uow:
        findings = analyze_charts(uow, HIT, stay.encounter_id)
    [tracked] = _history(himdesk, stay.encounter_id)
    assert [f.deficiency.kind.value for f in findings] == ["unsigned_document"]
    assert tracked.is_open and tracked.found_by == "hana"
    assert tracked.deficiency.document_id == stay.summary_id
    assert _status(himdesk, stay.encounter_id) is ChartStatus.AWAITING_ANALYSIS


def test_analysing_again_does_not_open_the_same_deficiency_twice(
    himdesk: Himdesk, stay: Stay
) -> None:
    for _ in range(3):
        with himdesk.unit_of_work() as uow:
            analyze_charts(uow, HIT, stay.encounter_id)
    assert len(_history(himdesk, stay.encounter_id)) == 1


def test_signing_the_document_clears_its_deficiency_with_who_and_when(
    himdesk: Himdesk, stay: Stay, clock: FakeClock
) -> None:
    with himdesk.unit_of_work() as uow:
        analyze_charts(uow, HIT, stay.encounter_id)
    clock.advance(hours=2)
    with himdesk.unit_of_work() as uow:
        sign_document(uow, stay.attending, stay.patient_id, stay.summary_id)
    [tracked] = _history(himdesk, stay.encounter_id)
    assert not tracked.is_open
    assert (tracked.cleared_by, tracked.cleared_at) == ("osler", clock.now)
    assert tracked.resolution is Resolution.FIXED


def test_completing_the_review_with_deficiencies_open_leaves_the_chart_incomplete_until_they_clear(
    himdesk: Himdesk, stay: Stay
) -> None:
    with himdesk.unit_of_work() as uow:
        review = complete_review(uow, HIT, stay.encounter_id)
    assert review.status is ChartStatus.INCOMPLETE and review.reviewed_by == "hana"
    with himdesk.unit_of_work() as uow:
        sign_document(uow, stay.attending, stay.patient_id, stay.summary_id)
    assert _status(himdesk, stay.encounter_id) is ChartStatus.COMPLETE


def test_completing_the_review_of_a_clean_chart_completes_it(himdesk: Himdesk, stay: Stay) -> None:
    with himdesk.unit_of_work() as uow:
        sign_document(uow, stay.attending, stay.patient_id, stay.summary_id)
    assert _status(himdesk, stay.encounter_id) is ChartStatus.AWAITING_ANALYSIS
    with himdesk.unit_of_work() as uow:
        review = complete_review(uow, HIT, stay.encounter_id)
    assert review.status is ChartStatus.COMPLETE and review.completed_at is not None


def test_a_waived_deficiency_is_kept_with_its_reason_and_does_not_return(
    himdesk: Himdesk, stay: Stay
) -> None:
    with himdesk.unit_of_work() as uow:
        analyze_charts(uow, HIT, stay.encounter_id)
    [tracked] = _history(himdesk, stay.encounter_id)
    with himdesk.unit_of_work() as uow:
        waive_deficiency(uow, HIT, tracked.id, "Dictation system outage; signed on paper.")
    with himdesk.unit_of_work() as uow:
        findings = analyze_charts(uow, HIT, stay.encounter_id)
    [waived] = _history(himdesk, stay.encounter_id)
    assert findings == []
    assert waived.resolution is Resolution.WAIVED and "outage" in waived.resolution_note


def test_waiving_needs_a_reason_and_an_open_deficiency(himdesk: Himdesk, stay: Stay) -> None:
    with himdesk.unit_of_work() as uow:
        analyze_charts(uow, HIT, stay.encounter_id)
    [tracked] = _history(himdesk, stay.encounter_id)
    with himdesk.unit_of_work() as uow, pytest.raises(Conflict, match="reason"):
        waive_deficiency(uow, HIT, tracked.id, "   ")
    with himdesk.unit_of_work() as uow, pytest.raises(NotFound):
        waive_deficiency(uow, HIT, 987654, "no such thing")
    assert _history(himdesk, stay.encounter_id)[0].is_open


def test_a_fixed_problem_that_comes_back_is_a_new_deficiency(
    himdesk: Himdesk, stay: Stay, clock: FakeClock
) -> None:
    with himdesk.unit_of_work() as uow:
        analyze_charts(uow, HIT, stay.encounter_id)
        sign_document(uow, stay.attending, stay.patient_id, stay.summary_id)
    with himdesk.unit_of_work() as uow:
        summary = uow.chart.document(stay.summary_id)
        assert summary is not None
        summary.status, summary.signed_at, summary.signed_by_id = DocumentStatus.DRAFT, None, None
        uow.chart.update_document(summary)
        uow.commit()
    clock.advance(days=1)
    with himdesk.unit_of_work() as uow:
        analyze_charts(uow, HIT, stay.encounter_id)
    first, second = _history(himdesk, stay.encounter_id)
    assert not first.is_open and second.is_open and second.found_at == clock.now


def test_a_late_signature_is_reported_but_does_not_keep_the_chart_from_completing(
    himdesk: Himdesk, stay: Stay
) -> None:
    with himdesk.unit_of_work() as uow:
        summary = uow.chart.document(stay.summary_id)
        assert summary is not None and summary.encounter_id is not None
        encounter = uow.chart.encounter(summary.encounter_id)
        assert encounter is not None and encounter.discharged_at is not None
        summary.status = DocumentStatus.SIGNED
        summary.signed_by_id = summary.author_id
        summary.signed_at = encounter.discharged_at + timedelta(days=40)
        uow.chart.update_document(summary)
        uow.commit()
    with himdesk.unit_of_work() as uow:
        findings = analyze_charts(uow, HIT, stay.encounter_id)
        review = complete_review(uow, HIT, stay.encounter_id)
    assert [f.deficiency.rule for f in findings] == ["discharge_summary_timely"]
    assert review.status is ChartStatus.COMPLETE
    assert _history(himdesk, stay.encounter_id)[0].is_open
