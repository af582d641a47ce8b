"""The review queues: a held import resolved or discarded, rejected input handled."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.import_records import QueueStatus
from himdesk.domain.incoming import (
    IdentifierKind,
    PatientIdentifier,
    PatientMergeRequest,
    SourceRef,
    Submission,
)
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.services import import_reviews as reviews
from himdesk.services.errors import Conflict, NotFound
from himdesk.services.imports import import_submission, record_rejection
from himdesk.services.ports import UnitOfWork
from himdesk.services.review_queues import QueueView, held_imports, rejected_inputs
from himdesk.storage.submission_codec import decode_submission, encode_submission
from tests.fakes import ChartBuilder
from tests.integration.test_imports import rows, run
from tests.submissions import IMPORTER, a_chart, a_patient, a_submission

HIT = Actor(user_id=42, username="hugo", role=Role.HIT)


def held_import(himdesk: Himdesk, submission: Submission | None = None) -> tuple[int, int]:
    """An import held because its patient may be the hospital's Anneli Lindqvist: (hold, her)."""
    with himdesk.unit_of_work() as uow:
        known = ChartBuilder(uow).patient(
            family="Lindqvist", given="Anneli", born=date(1958, 3, 14)
        )
        uow.commit()
    outcome = run(himdesk, submission or a_submission())
    assert outcome.status == "held" and outcome.hold_id and known.id
    return outcome.hold_id, known.id


def test_a_held_chart_is_shown_beside_its_candidates_with_reasons(himdesk: Himdesk) -> None:
    hold_id, known = held_import(himdesk)
    with himdesk.unit_of_work() as uow:
        (listed,) = held_imports(uow, HIT, QueueView.OPEN)
        review = reviews.open_hold(uow, HIT, hold_id)
    assert listed.id == hold_id and "different given name" in listed.reason
    (chart,) = review.charts
    assert chart.incoming.given_name == "Astrid"
    (candidate,) = chart.candidates
    assert candidate.patient and candidate.patient.id == known
    assert "same birth date" in candidate.candidate.reasons


def test_linking_a_held_chart_to_the_patient_imports_it_there(himdesk: Himdesk) -> None:
    hold_id, known = held_import(himdesk)
    with himdesk.unit_of_work() as uow:
        outcome = reviews.resolve_hold(uow, HIT, hold_id, {0: known})
    assert outcome.status == "imported" and outcome.patient_ids == (known,)
    assert "patients" not in outcome.counts
    with himdesk.unit_of_work() as uow:
        assert len(uow.chart.encounters(known)) == 1
        assert held_imports(uow, HIT, QueueView.OPEN) == []
    assert run(himdesk, a_submission()).status == "unchanged"


def test_making_a_new_patient_for_a_held_chart_registers_one(himdesk: Himdesk) -> None:
    hold_id, known = held_import(himdesk)
    with himdesk.unit_of_work() as uow:
        outcome = reviews.resolve_hold(uow, HIT, hold_id, {0: None})
    assert outcome.counts["patients"] == 1 and outcome.patient_ids != (known,)


def test_a_hold_decided_once_cannot_be_decided_again(himdesk: Himdesk) -> None:
    hold_id, known = held_import(himdesk)
    with himdesk.unit_of_work() as uow:
        reviews.discard_hold(uow, HIT, hold_id)
    with himdesk.unit_of_work() as uow, pytest.raises(Conflict, match="already discarded by hugo"):
        reviews.resolve_hold(uow, HIT, hold_id, {0: known})
    assert run(himdesk, a_submission()).status == "held"  # the same file comes back for review


def test_a_decision_must_be_a_candidate_offered_for_that_chart(himdesk: Himdesk) -> None:
    hold_id, _known = held_import(himdesk)
    before = rows(himdesk)
    with himdesk.unit_of_work() as uow, pytest.raises(InvalidInput) as refused:
        reviews.resolve_hold(uow, HIT, hold_id, {0: 99999})
    assert "chart_0" in refused.value.errors
    with himdesk.unit_of_work() as uow, pytest.raises(InvalidInput):
        reviews.resolve_hold(uow, HIT, hold_id, {})
    assert rows(himdesk) == before


def test_an_unknown_hold_is_not_found(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(NotFound):
        reviews.open_hold(uow, HIT, 404)


def test_a_restricted_candidate_is_shown_without_a_name_to_a_role_without_the_privilege(
    himdesk: Himdesk,
) -> None:
    hold_id, known = held_import(himdesk)
    with himdesk.unit_of_work() as uow:
        uow.access.add_restriction(known, SensitiveCategory.VIP, "board member", "pia", uow.clock())
        uow.commit()
        hit_view = reviews.open_hold(uow, HIT, hold_id)
        manager_view = reviews.open_hold(uow, IMPORTER, hold_id)
    assert hit_view.charts[0].candidates[0].patient is None
    assert manager_view.charts[0].candidates[0].patient is not None


def reject_one(uow: UnitOfWork) -> int:
    return record_rejection(
        uow,
        IMPORTER,
        format="hl7v2",
        label="feed.hl7 message 2",
        channel="mllp",
        reason="message 2, PID-7: not a date",
        payload=b"MSH|^~\\&|LAB\rPID|1||123",
        message_type="ADT^A01",
        control_id="MSG0002",
    )


def test_a_rejection_is_queued_encrypted_read_back_and_handled_with_a_note(
    himdesk: Himdesk,
) -> None:
    with himdesk.unit_of_work() as uow:
        rejection_id = reject_one(uow)
    with himdesk.engine.connect() as c:
        stored = c.exec_driver_sql("SELECT payload_encrypted FROM interface_rejections").scalar()
    assert b"PID|1" not in bytes(stored)
    with himdesk.unit_of_work() as uow:
        (listed,) = rejected_inputs(uow, HIT, QueueView.OPEN)
        assert (listed.message_type, listed.control_id) == ("ADT^A01", "MSG0002")
        opened = reviews.open_rejection(uow, HIT, rejection_id)
        assert opened.payload == b"MSH|^~\\&|LAB\rPID|1||123"
        with pytest.raises(InvalidInput):
            reviews.resolve_rejection(uow, HIT, rejection_id, "  ")
        reviews.resolve_rejection(uow, HIT, rejection_id, "Lab resent with a valid DOB.")
        assert rejected_inputs(uow, HIT, QueueView.OPEN) == []
        with pytest.raises(Conflict, match="already marked handled by hugo"):
            reviews.resolve_rejection(uow, HIT, rejection_id, "again")
        assert uow.import_reviews.find_rejection(rejection_id).status is QueueStatus.RESOLVED  # type: ignore[union-attr]


def test_the_queues_are_closed_to_roles_that_do_not_review_imports(himdesk: Himdesk) -> None:
    coder = Actor(user_id=5, username="cy", role=Role.CODER)
    with himdesk.unit_of_work() as uow:
        for look in (
            lambda u, a: held_imports(u, a, QueueView.OPEN),
            lambda u, a: rejected_inputs(u, a, QueueView.OPEN),
            reviews.queue_counts,
        ):
            with pytest.raises(PermissionDenied):
                look(uow, coder)


def test_the_queue_counts_say_how_many_wait(himdesk: Himdesk) -> None:
    held_import(himdesk)
    with himdesk.unit_of_work() as uow:
        reject_one(uow)
        assert reviews.queue_counts(uow, HIT) == reviews.QueueCounts(holds=1, rejections=1)


def test_importing_needs_no_review_of_a_sure_match(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow:
        assert import_submission(uow, HIT, a_submission()).status == "imported"


def test_a_held_submission_is_kept_exactly() -> None:
    by_reference = a_chart(SourceRef("hl7v2:LAB", "123"), visit="e2")
    merge = PatientMergeRequest(
        a_patient(ssn="219-09-9999"), (PatientIdentifier(IdentifierKind.MRN, "A", "9"),)
    )
    submission = replace(a_submission(a_chart(), by_reference), merges=(merge,))
    assert decode_submission(encode_submission(submission)) == submission
