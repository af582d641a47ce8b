"""Physician queries end to end: sent compliant, answered once by the addressee only, the
answer signed into the record, the deficiency cleared, the chart settled, and escalation."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.domain.chart_review import ChartStatus, Resolution, TrackedDeficiency
from himdesk.domain.completeness import DeficiencyKind
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.queries import (
    RESPONSE_TIME,
    ClinicalIndicator,
    PhysicianQuery,
    QueryForm,
    QueryOutcome,
    QueryStatus,
)
from himdesk.domain.records import Diagnosis, DocumentStatus, DocumentType
from himdesk.services.access_control import ReasonRequired
from himdesk.services.completeness import complete_review
from himdesk.services.errors import Conflict, NotFound
from himdesk.services.ports import UnitOfWork
from himdesk.services.queries import (
    escalate_overdue,
    open_query,
    query_worklist,
    send_query,
    start_query,
)
from himdesk.services.query_answers import answer_query, clinician_inbox
from tests.fakes import ChartBuilder, FakeClock

HIT = Actor(user_id=5, username="hana", role=Role.HIT)


@dataclass(frozen=True)
class Stay:
    patient_id: int
    encounter_id: int
    deficiency_id: int
    attending: Actor
    resident: Actor
    resident_id: int


def a_query(uow: UnitOfWork, patient_id: int) -> int:
    """An open query about the patient's latest stay to its attending (set-up, not audited)."""
    encounter = uow.chart.encounters(patient_id)[0]
    assert encounter.id is not None and encounter.attending_id is not None
    indicator = ClinicalIndicator("Sodium 128 mmol/L", "Sodium result of 2026-11-01")
    query = PhysicianQuery(encounter.id, patient_id, encounter.attending_id, "hana", uow.clock(),
                           uow.clock() + RESPONSE_TIME, "Please clarify the condition, if any.",
                           (indicator,), ())  # fmt: skip
    return uow.queries.add(query).id or 0


def its_attending(uow: UnitOfWork, patient_id: int) -> Actor:
    """The clinician user of the patient's latest stay's attending."""
    attending = uow.chart.encounters(patient_id)[0].attending_id
    return Actor(33, "osler", Role.CLINICIAN, clinician_id=attending)


@pytest.fixture
def stay(himdesk: Himdesk) -> Stay:
    """A reviewed discharged stay, complete but for its low sodium with no diagnosis."""
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        resident = build.clinician("Halsted", resident=True, npi="1000000002")
        patient = build.patient()
        encounter = build.inpatient_stay(patient, doctor)
        assert encounter.id and patient.id
        history = build.document(patient, encounter, doctor, DocumentType.HISTORY_AND_PHYSICAL,
                                 text="History and physical. Alert and oriented.")  # fmt: skip
        history.authored_at = history.signed_at = encounter.admitted_at + timedelta(hours=3)
        uow.chart.update_document(history)
        build.document(patient, encounter, doctor)
        build.sodium(patient, encounter, "128", 30)
        uow.commit()
    with himdesk.unit_of_work() as uow:
        complete_review(uow, HIT, encounter.id)
        [finding] = uow.chart_reviews.history(encounter.id)
    assert finding.deficiency.kind is DeficiencyKind.RESULT_WITHOUT_DIAGNOSIS
    attending = Actor(9, "osler", Role.CLINICIAN, clinician_id=doctor.id)
    in_training = Actor(10, "halsted", Role.CLINICIAN, clinician_id=resident.id)
    return Stay(patient.id, encounter.id, finding.id, attending, in_training, resident.id)


def _send(himdesk: Himdesk, stay: Stay, about: int | None = -1, **changes: str) -> int:
    deficiency = stay.deficiency_id if about == -1 else about
    with himdesk.unit_of_work() as uow:
        form = start_query(uow, HIT, stay.encounter_id, deficiency).form()
        query = send_query(uow, HIT, stay.encounter_id, replace(form, **changes))
    assert query.id is not None
    return query.id


def _deficiency(himdesk: Himdesk, deficiency_id: int) -> TrackedDeficiency:
    with himdesk.unit_of_work() as uow:
        found = uow.chart_reviews.find(deficiency_id)
    assert found is not None
    return found


def _status(himdesk: Himdesk, encounter_id: int) -> ChartStatus:
    with himdesk.unit_of_work() as uow:
        return uow.chart_reviews.reviews([encounter_id])[encounter_id].status


def test_the_query_form_starts_from_the_deficiency_its_evidence_and_its_assignee(
    himdesk: Himdesk, stay: Stay
) -> None:
    with himdesk.unit_of_work() as uow:
        draft = start_query(uow, HIT, stay.encounter_id, stay.deficiency_id)
    form = draft.form()
    assert form.addressee_id == str(stay.attending.clinician_id)
    assert form.indicators.startswith("Sodium: 128 mmol/L (L; reference 135–145) at ")
    assert " — Sodium result of " in form.indicators
    assert form.format == "multiple_choice" and form.options.startswith("Hyponatremia\n")
    assert form.deficiency_id == str(stay.deficiency_id) and draft.response_hours == 72


def test_a_compliant_query_is_sent_due_in_72_hours_and_audited_by_id(
    himdesk: Himdesk, stay: Stay, clock: FakeClock
) -> None:
    query_id = _send(himdesk, stay)
    with himdesk.unit_of_work() as uow:
        query = uow.queries.find(query_id)
        events = [e.entry for e in uow.audit.iterate() if e.entry.action == "query.send"]
    assert query is not None and query.status is QueryStatus.OPEN
    assert query.due_at == clock.now + timedelta(hours=72) and query.asked_by == "hana"
    assert [(e.patient_id, e.object_id) for e in events] == [(stay.patient_id, str(query_id))]


def test_a_query_without_indicators_or_to_no_clinician_is_refused_and_nothing_is_written(
    himdesk: Himdesk, stay: Stay
) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(InvalidInput) as refused:
        form = start_query(uow, HIT, stay.encounter_id, stay.deficiency_id).form()
        send_query(uow, HIT, stay.encounter_id, replace(form, indicators="", addressee_id="999"))
    assert set(refused.value.errors) == {"indicators", "addressee_id"}
    with himdesk.unit_of_work() as uow:
        assert uow.queries.all_queries() == []


def test_only_a_discharged_encounter_and_its_own_open_deficiency_can_be_queried(
    himdesk: Himdesk, stay: Stay
) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(NotFound):
        start_query(uow, HIT, 424242)
    with himdesk.unit_of_work() as uow, pytest.raises(InvalidInput) as refused:
        send_query(uow, HIT, stay.encounter_id, QueryForm(deficiency_id="424242"))
    assert "not open on this encounter" in refused.value.errors["deficiency_id"]
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        start_query(uow, stay.attending, stay.encounter_id)


def test_the_answer_is_signed_into_the_record_and_clears_the_deficiency_and_the_chart(
    himdesk: Himdesk, stay: Stay, clock: FakeClock
) -> None:
    query_id = _send(himdesk, stay)
    assert _status(himdesk, stay.encounter_id) is ChartStatus.INCOMPLETE
    clock.advance(hours=5)
    with himdesk.unit_of_work() as uow:
        done = answer_query(uow, stay.attending, query_id, "Hyponatremia", "Fluid restriction.")
    assert done.outcome is QueryOutcome.AGREED and done.coding_changed
    assert (done.answered_by, done.answered_at) == ("osler", clock.now)
    with himdesk.unit_of_work() as uow:
        assert done.addendum_id is not None
        addendum = uow.chart.document(done.addendum_id)
        diagnoses = [d for d in uow.chart.diagnoses(stay.patient_id) if d.encounter_id]
    assert addendum is not None and addendum.document_type is DocumentType.ADDENDUM
    assert addendum.status is DocumentStatus.SIGNED and addendum.signed_at == clock.now
    assert addendum.author_id == addendum.signed_by_id == stay.attending.clinician_id
    assert addendum.encounter_id == stay.encounter_id and not addendum.requires_cosignature
    assert "Answer: Hyponatremia" in addendum.text and "Sodium: 128 mmol/L" in addendum.text
    assert [(d.description, d.documented_by_id) for d in diagnoses] == [
        ("Hyponatremia", stay.attending.clinician_id)
    ]
    cleared = _deficiency(himdesk, stay.deficiency_id)
    assert (cleared.cleared_by, cleared.cleared_at) == ("osler", clock.now)
    assert cleared.resolution is Resolution.QUERY_ANSWERED
    assert _status(himdesk, stay.encounter_id) is ChartStatus.COMPLETE


def test_clinically_undetermined_closes_the_finding_for_good_without_changing_coding(
    himdesk: Himdesk, stay: Stay
) -> None:
    query_id = _send(himdesk, stay)
    with himdesk.unit_of_work() as uow:
        done = answer_query(uow, stay.attending, query_id, "Clinically undetermined", "")
    assert done.outcome is QueryOutcome.UNDETERMINED and done.coding_changed is False
    assert _deficiency(himdesk, stay.deficiency_id).resolution is Resolution.QUERY_ANSWERED
    with himdesk.unit_of_work() as uow:
        assert complete_review(uow, HIT, stay.encounter_id).status is ChartStatus.COMPLETE


def test_a_diagnosis_already_listed_is_not_added_again_nor_counted_as_a_coding_change(
    himdesk: Himdesk, stay: Stay
) -> None:
    query_id = _send(himdesk, stay)
    with himdesk.unit_of_work() as uow:
        uow.chart.add_diagnosis(Diagnosis(stay.patient_id, stay.encounter_id, "hyponatremia",
                                          stay.attending.clinician_id, uow.clock()))  # fmt: skip
        uow.commit()
    with himdesk.unit_of_work() as uow:
        done = answer_query(uow, stay.attending, query_id, "Hyponatremia", "")
        listed = [d.description for d in uow.chart.diagnoses(stay.patient_id)]
    assert done.outcome is QueryOutcome.AGREED and done.coding_changed is False
    assert listed == ["hyponatremia"]


def test_a_residents_answer_waits_for_the_attendings_cosignature(
    himdesk: Himdesk, stay: Stay
) -> None:
    _resident_writes_a_note(himdesk, stay)
    query_id = _send(himdesk, stay, addressee_id=str(stay.resident_id))
    with himdesk.unit_of_work() as uow:
        done = answer_query(uow, stay.resident, query_id, "Dilutional hyponatremia", "")
    with himdesk.unit_of_work() as uow:
        assert done.addendum_id is not None
        addendum = uow.chart.document(done.addendum_id)
        open_ = uow.chart_reviews.open_for_assignee(stay.attending.clinician_id or 0)
    assert addendum is not None and addendum.requires_cosignature
    assert [t.deficiency.kind for t in open_] == [DeficiencyKind.MISSING_COSIGNATURE]
    assert _status(himdesk, stay.encounter_id) is ChartStatus.INCOMPLETE


def test_only_the_addressee_may_answer_and_a_refusal_writes_nothing(
    himdesk: Himdesk, stay: Stay
) -> None:
    query_id = _send(himdesk, stay)
    with himdesk.unit_of_work() as uow, pytest.raises(Conflict) as refused:
        answer_query(uow, stay.resident, query_id, "Hyponatremia", "")
    assert "is for William Osler, MD; only they can answer it" in str(refused.value)
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        answer_query(uow, HIT, query_id, "Hyponatremia", "")
    with himdesk.unit_of_work() as uow:
        query = uow.queries.find(query_id)
        documents = uow.chart.encounter_documents(stay.encounter_id)
        denied = [e.entry for e in uow.audit.iterate() if e.entry.outcome == "denied"]
    assert query is not None and query.status is QueryStatus.OPEN
    assert [d.document_type for d in documents] == [DocumentType.HISTORY_AND_PHYSICAL,
                                                    DocumentType.DISCHARGE_SUMMARY]  # fmt: skip
    assert _deficiency(himdesk, stay.deficiency_id).is_open
    assert [e.username for e in denied] == ["halsted", "hana"]


def test_an_answered_query_cannot_be_answered_again(himdesk: Himdesk, stay: Stay) -> None:
    query_id = _send(himdesk, stay)
    with himdesk.unit_of_work() as uow:
        answer_query(uow, stay.attending, query_id, "Hyponatremia", "")
    with himdesk.unit_of_work() as uow, pytest.raises(Conflict, match="already answered"):
        answer_query(uow, stay.attending, query_id, "Dilutional hyponatremia", "")
    with himdesk.unit_of_work() as uow:
        addenda = [d for d in uow.chart.encounter_documents(stay.encounter_id)
                   if d.document_type is DocumentType.ADDENDUM]  # fmt: skip
    assert len(addenda) == 1


def test_an_answer_is_not_a_missing_signature_so_that_deficiency_stays_open(
    himdesk: Himdesk, stay: Stay
) -> None:
    with himdesk.unit_of_work() as uow:
        encounter = uow.chart.encounter(stay.encounter_id)
        [doctor] = [c for c in uow.clinicians.list_all() if not c.is_resident]
        assert encounter is not None
        note = ChartBuilder(uow).document(uow.patients.get(stay.patient_id), encounter, doctor,
                                          DocumentType.PROGRESS_NOTE, signed=False)  # fmt: skip
        uow.commit()
    with himdesk.unit_of_work() as uow:
        complete_review(uow, HIT, stay.encounter_id)
        unsigned = next(t for t in uow.chart_reviews.open_for_assignee(doctor.id)
                        if t.deficiency.document_id == note.id)  # fmt: skip
    with himdesk.unit_of_work() as uow:
        form = start_query(uow, HIT, stay.encounter_id, unsigned.id).form()
        query = send_query(uow, HIT, stay.encounter_id, form)
    with himdesk.unit_of_work() as uow:
        assert query.id is not None
        answer_query(uow, stay.attending, query.id, "", "I will sign it today.")
    assert _deficiency(himdesk, unsigned.id).is_open


def test_an_overdue_query_is_escalated_once_and_stays_in_the_inbox_marked(
    himdesk: Himdesk, stay: Stay, clock: FakeClock
) -> None:
    query_id = _send(himdesk, stay)
    clock.advance(hours=71)
    with himdesk.unit_of_work() as uow:
        assert escalate_overdue(uow, HIT) == []
    clock.advance(hours=2)
    with himdesk.unit_of_work() as uow:
        [escalation] = escalate_overdue(uow, HIT)
    assert escalation.listing.query.status is QueryStatus.ESCALATED
    assert escalation.escalated_to == stay.attending.clinician_id
    with himdesk.unit_of_work() as uow:
        assert escalate_overdue(uow, HIT) == []
        inbox = clinician_inbox(uow, stay.attending)
        trail = [e.entry.object_id for e in uow.audit.iterate()
                 if e.entry.action == "query.escalate" and e.entry.patient_id]  # fmt: skip
    [item] = inbox.queries
    assert item.query.id == query_id and item.query.escalated_at == clock.now
    assert item.query.is_overdue(inbox.now)
    assert trail == [f"{query_id}/escalated-to/{stay.attending.clinician_id}"]


def test_a_second_query_about_a_deficiency_still_waiting_for_an_answer_is_refused(
    himdesk: Himdesk, stay: Stay
) -> None:
    first = _send(himdesk, stay)
    with pytest.raises(InvalidInput) as refused:
        _send(himdesk, stay)
    assert f"Query {first} about this deficiency" in refused.value.errors["deficiency_id"]
    with himdesk.unit_of_work() as uow:
        assert [q.id for q in uow.queries.all_queries()] == [first]


def _resident_writes_a_note(himdesk: Himdesk, stay: Stay) -> None:
    """The resident cares for the patient too: a note of theirs is in the stay."""
    with himdesk.unit_of_work() as uow:
        encounter = uow.chart.encounter(stay.encounter_id)
        patient = uow.patients.get_many({stay.patient_id})[stay.patient_id]
        resident = uow.clinicians.get_many({stay.resident_id})[stay.resident_id]
        assert encounter is not None
        ChartBuilder(uow).document(patient, encounter, resident, DocumentType.PROGRESS_NOTE,
                                   text="Progress note. Resting comfortably.")  # fmt: skip
        uow.commit()


def test_a_query_to_a_clinician_who_never_cared_for_the_patient_is_refused(
    himdesk: Himdesk, stay: Stay
) -> None:
    with pytest.raises(InvalidInput) as refused:
        _send(himdesk, stay, addressee_id=str(stay.resident_id))
    assert "has not cared for this patient" in refused.value.errors["addressee_id"]
    with himdesk.unit_of_work() as uow:
        assert uow.queries.all_queries() == []
    _resident_writes_a_note(himdesk, stay)
    assert _send(himdesk, stay, addressee_id=str(stay.resident_id))


def test_a_query_put_to_someone_else_escalates_to_the_attending(
    himdesk: Himdesk, stay: Stay, clock: FakeClock
) -> None:
    _resident_writes_a_note(himdesk, stay)
    _send(himdesk, stay, addressee_id=str(stay.resident_id))
    clock.advance(hours=80)
    with himdesk.unit_of_work() as uow:
        [escalation] = escalate_overdue(uow, HIT)
        resident_inbox = clinician_inbox(uow, stay.resident)
    assert escalation.listing.query.addressee_id == stay.resident_id
    assert escalation.escalated_to == stay.attending.clinician_id
    assert len(resident_inbox.queries) == 1


def test_the_inbox_lists_the_clinicians_deficiencies_with_one_click_actions(
    himdesk: Himdesk, stay: Stay
) -> None:
    _send(himdesk, stay)
    with himdesk.unit_of_work() as uow:
        inbox = clinician_inbox(uow, stay.attending)
    [deficiency] = inbox.deficiencies
    assert deficiency.tracked.id == stay.deficiency_id and deficiency.action == ""
    assert deficiency.mrn == "M0000001" and deficiency.patient_name == "Nguyen, Linh T."
    assert len(inbox.queries) == 1
    with himdesk.unit_of_work() as uow, pytest.raises(Conflict, match="not linked"):
        clinician_inbox(uow, replace(stay.attending, clinician_id=None))


def test_reading_a_query_is_audited_and_others_need_a_treatment_relationship(
    himdesk: Himdesk, stay: Stay
) -> None:
    query_id = _send(himdesk, stay)
    stranger = Actor(11, "lister", Role.CLINICIAN, clinician_id=424242)
    with himdesk.unit_of_work() as uow, pytest.raises(ReasonRequired):
        open_query(uow, stranger, query_id)
    with himdesk.unit_of_work() as uow:
        case = open_query(uow, stay.attending, query_id)
        mine = open_query(uow, HIT, query_id)
    assert case.may_answer and not mine.may_answer
    with himdesk.unit_of_work() as uow:
        reads = [e.entry for e in uow.audit.iterate() if e.entry.action == "query.read"]
    assert [(e.username, e.patient_id) for e in reads] == [("osler", stay.patient_id),
                                                           ("hana", stay.patient_id)]  # fmt: skip


def test_the_worklist_lists_queries_by_status_with_their_metrics(
    himdesk: Himdesk, stay: Stay, clock: FakeClock
) -> None:
    answered_id = _send(himdesk, stay)
    clock.advance(hours=4)
    with himdesk.unit_of_work() as uow:
        answer_query(uow, stay.attending, answered_id, "Hyponatremia", "")
    waiting_id = _send(himdesk, stay, about=None, format="open_ended",
                       indicators="Sodium 128 mmol/L — Sodium result of 2026-11-01")  # fmt: skip
    with himdesk.unit_of_work() as uow:
        worklist = query_worklist(uow, HIT)
    assert [i.query.id for i in worklist.answered] == [answered_id]
    assert [i.query.id for i in worklist.open] == [waiting_id] and worklist.overdue == []
    m = worklist.metrics
    assert (m.sent, m.answered, m.median_response_hours) == (2, 1, 4.0)
    assert m.outcomes[QueryOutcome.AGREED].percent == 100.0
    assert m.coding_changed.percent == 100.0
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        query_worklist(uow, stay.attending)
