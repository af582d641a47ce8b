"""Patients' amendment requests (45 CFR 164.526) through the services, on every backend."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.domain.amendments import AmendmentRequest, AmendmentStatus, Denial, DenialGround
from himdesk.domain.demographics import DemographicsForm, InvalidInput
from himdesk.services.amendments import (
    accept_demographics_amendment,
    accept_document_amendment,
    deny_request,
    file_disagreement,
    open_case,
    open_requests,
    record_request,
)
from himdesk.services.charts import demographics_history, open_chart, read_document
from himdesk.services.errors import Conflict, NotFound
from tests.fakes import ChartBuilder

HIT = Actor(user_id=3, username="hana", role=Role.HIT)
MANAGER = Actor(user_id=8, username="mia", role=Role.HIM_MANAGER)
CODER = Actor(user_id=4, username="cora", role=Role.CODER)
CHANGE = "The note says I smoke. I have never smoked."


@pytest.fixture
def chart_ids(himdesk: Himdesk) -> dict[str, int]:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        patient = build.patient()
        stay = build.inpatient_stay(patient, doctor)
        note = build.document(patient, stay, doctor, text="Social history: smoker, 1 ppd.")
        draft = build.document(patient, stay, doctor, signed=False)
        other = build.patient(mrn="M0000002", family="Okafor", given="Chidi")
        other_note = build.document(other, build.inpatient_stay(other, doctor, "A2"), doctor)
        uow.commit()
    ids = {"patient": patient.id, "note": note.id, "draft": draft.id, "other_note": other_note.id}
    return {k: v or 0 for k, v in ids.items()}


def _record(
    himdesk: Himdesk, ids: dict[str, int], target: str = "document", actor: Actor = HIT
) -> AmendmentRequest:
    target_id = ids["note"] if target == "document" else ids["patient"]
    with himdesk.unit_of_work() as uow:
        return record_request(uow, actor, (ids["patient"], target, target_id), CHANGE, "2026-10-30")


def _corrected(**changes: str) -> DemographicsForm:
    form = DemographicsForm(
        family_name="Nguyen", given_name="Linh", middle_name="Thi", birth_on="1961-04-09",
        sex="F", address_line="12 Elm St", city="Springfield", state="MA", postal_code="01103",
        phone="(555) 010-0199", ssn="***-**-6789", reason="",
    )  # fmt: skip
    return DemographicsForm(**{**asdict(form), **changes})


def test_a_request_is_due_60_days_after_receipt_and_waits_on_the_managers_worklist(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    saved = _record(himdesk, chart_ids)
    assert (saved.received_on, saved.due_on) == (date(2026, 10, 30), date(2026, 12, 29))
    assert saved.received_by == "hana"
    with himdesk.unit_of_work() as uow:
        waiting = open_requests(uow, MANAGER)
    assert [(w.request.id, w.mrn, w.patient_name) for w in waiting] == [
        (saved.id, "M0000001", "Nguyen, Linh")
    ]


def test_accepting_a_document_request_appends_the_amendment_and_keeps_the_original(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    saved = _record(himdesk, chart_ids)
    assert saved.id is not None
    with himdesk.unit_of_work() as uow:
        accepted = accept_document_amendment(uow, MANAGER, saved.id, "Never smoker.")
    assert (accepted.status, accepted.amended_version) == (AmendmentStatus.ACCEPTED, 2)
    with himdesk.unit_of_work() as uow:
        view = read_document(uow, CODER, chart_ids["patient"], chart_ids["note"])
    assert view.document.version == 2 and view.document.status.value == "amended"
    assert view.document.text.startswith("Social history: smoker, 1 ppd.\n\nAddendum")
    assert view.document.text.endswith("Never smoker.")
    assert [(v.version, v.snapshot["text"][:30]) for v in view.history] == [
        (1, "Social history: smoker, 1 ppd."),
        (2, "Social history: smoker, 1 ppd."),
    ]
    assert f"request {saved.id} accepted" in view.history[1].reason
    assert [(a.id, a.status) for a in view.amendments] == [(saved.id, AmendmentStatus.ACCEPTED)]
    with himdesk.unit_of_work() as uow:
        assert open_requests(uow, MANAGER) == []


def test_accepting_a_demographics_request_corrects_them_as_a_new_version(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    saved = _record(himdesk, chart_ids, target="demographics")
    assert saved.id is not None
    with himdesk.unit_of_work() as uow:
        accepted = accept_demographics_amendment(
            uow, MANAGER, saved.id, _corrected(address_line="14 Elm St"), expected_version=1
        )
    assert (accepted.amended_version, accepted.amendment_text) == (2, "Corrected: address line")
    with himdesk.unit_of_work() as uow:
        history = demographics_history(uow, CODER, chart_ids["patient"])
    assert history.banner.patient.address.line == "14 Elm St"
    assert [v.version for v in history.versions] == [1, 2]
    assert [a.status for a in history.amendments] == [AmendmentStatus.ACCEPTED]


def test_demographics_with_errors_on_acceptance_write_nothing(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    saved = _record(himdesk, chart_ids, target="demographics")
    assert saved.id is not None
    with himdesk.unit_of_work() as uow, pytest.raises(InvalidInput) as refused:
        accept_demographics_amendment(uow, MANAGER, saved.id, _corrected(state="ZZ"), 1)
    assert "state" in refused.value.errors
    with himdesk.unit_of_work() as uow:
        assert uow.patients.get(chart_ids["patient"]).version == 1
        assert open_case(uow, MANAGER, saved.id).request.is_open


def test_a_denial_needs_a_ground_and_keeps_the_patients_disagreement(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    saved = _record(himdesk, chart_ids)
    assert saved.id is not None
    with himdesk.unit_of_work() as uow, pytest.raises(InvalidInput) as refused:
        deny_request(uow, MANAGER, saved.id, Denial(""))
    assert "ground" in refused.value.errors
    denial = Denial("accurate_and_complete", "The author confirmed it.", "It is wrong.", "")
    with himdesk.unit_of_work() as uow:
        denied = deny_request(uow, MANAGER, saved.id, denial)
    assert denied.status is AmendmentStatus.DENIED
    with himdesk.unit_of_work() as uow:
        view = read_document(uow, CODER, chart_ids["patient"], chart_ids["note"])
    assert view.document.version == 1
    [shown] = view.amendments
    assert (shown.denial_ground, shown.disagreement) == (
        DenialGround.ACCURATE_AND_COMPLETE,
        "It is wrong.",
    )


def test_a_decided_request_cannot_be_decided_again(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    saved = _record(himdesk, chart_ids)
    assert saved.id is not None
    with himdesk.unit_of_work() as uow:
        accept_document_amendment(uow, MANAGER, saved.id, "Never smoker.")
    with himdesk.unit_of_work() as uow, pytest.raises(Conflict, match="already accepted"):
        deny_request(uow, MANAGER, saved.id, Denial("accurate_and_complete"))
    with himdesk.unit_of_work() as uow, pytest.raises(Conflict, match="decision is final"):
        accept_document_amendment(uow, MANAGER, saved.id, "Again.")
    with himdesk.unit_of_work() as uow:
        assert uow.chart.document(chart_ids["note"]).version == 2  # type: ignore[union-attr]


def test_a_statement_of_disagreement_can_be_filed_after_the_denial(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    saved = _record(himdesk, chart_ids)
    assert saved.id is not None
    with himdesk.unit_of_work() as uow:
        deny_request(uow, MANAGER, saved.id, Denial("not_created_here"))
    with himdesk.unit_of_work() as uow:
        file_disagreement(uow, HIT, saved.id, "I still disagree.", "The record stands.")
    with himdesk.unit_of_work() as uow:
        chart = open_chart(uow, CODER, chart_ids["patient"])
    assert [(a.disagreement, a.rebuttal) for a in chart.amendments] == [
        ("I still disagree.", "The record stands.")
    ]


def test_a_coder_may_neither_record_nor_decide_and_a_technician_may_not_decide(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    with pytest.raises(PermissionDenied):
        _record(himdesk, chart_ids, actor=CODER)
    saved = _record(himdesk, chart_ids)
    assert saved.id is not None
    for actor in (CODER, HIT):
        with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
            deny_request(uow, actor, saved.id, Denial("not_created_here"))
        with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
            accept_document_amendment(uow, actor, saved.id, "Never smoker.")
        with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
            open_requests(uow, actor)
    with himdesk.unit_of_work() as uow:
        assert open_case(uow, MANAGER, saved.id).request.is_open


def test_requests_name_a_document_of_the_same_patient_that_is_signed(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    pid = chart_ids["patient"]
    with himdesk.unit_of_work() as uow, pytest.raises(NotFound):
        record_request(uow, HIT, (pid, "document", chart_ids["other_note"]), CHANGE, "2026-10-30")
    with himdesk.unit_of_work() as uow, pytest.raises(Conflict, match="draft"):
        record_request(uow, HIT, (pid, "document", chart_ids["draft"]), CHANGE, "2026-10-30")
    with himdesk.unit_of_work() as uow, pytest.raises(InvalidInput):
        record_request(uow, HIT, (pid, "lab result", 1), CHANGE, "2026-10-30")
    with himdesk.unit_of_work() as uow:
        assert uow.amendments.list_for_patient(pid) == []


def test_reads_and_writes_are_audited_by_id_without_the_requests_words(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    saved = _record(himdesk, chart_ids)
    assert saved.id is not None
    with himdesk.unit_of_work() as uow:
        open_case(uow, MANAGER, saved.id)
        deny_request(uow, MANAGER, saved.id, Denial("not_created_here", "Outside lab.", "No."))
    with himdesk.unit_of_work() as uow:
        events = [e.entry for e in uow.audit.iterate() if e.entry.action.startswith("amendment")]
    assert [(e.action, e.object_id, e.patient_id) for e in events] == [
        ("amendment.record", str(saved.id), chart_ids["patient"]),
        ("amendment.read", str(saved.id), chart_ids["patient"]),
        ("amendment.decide", f"{saved.id}/denied", chart_ids["patient"]),
    ]
    words = {"smoke", "Outside", "No."}
    assert not [e for e in events for w in words if w in repr(e)]
