"""Amendment requests (45 CFR 164.526): due dates, the one-way decision, the denial grounds."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from himdesk.domain.amendments import (
    AmendmentRequest,
    AmendmentRuleBroken,
    AmendmentStatus,
    AmendmentTarget,
    Denial,
    DenialGround,
    accept,
    append_amendment,
    deny,
    file_disagreement,
    new_request,
)
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.records import ClinicalDocument, DocumentStatus, DocumentType

NOW = datetime(2026, 11, 2, 14, 30, tzinfo=UTC)


def _request(received_on: str = "2026-10-30", change: str = "I never smoked.") -> AmendmentRequest:
    made = new_request(7, (AmendmentTarget.DOCUMENT, 31), change, received_on, "hana", NOW)
    return replace(made, id=12)


def test_a_response_is_due_60_days_after_the_request_was_received() -> None:
    request = _request("2026-10-30")
    assert request.due_on == date(2026, 12, 29)
    assert request.status is AmendmentStatus.REQUESTED
    assert request.days_left(date(2026, 12, 30)) == -1


def test_a_request_needs_the_change_and_a_receipt_date_not_in_the_future() -> None:
    with pytest.raises(InvalidInput) as refused:
        new_request(7, (AmendmentTarget.DOCUMENT, 31), "  ", "2026-11-03", "hana", NOW)
    assert set(refused.value.errors) == {"requested_change", "received_on"}
    assert "future" in refused.value.errors["received_on"]


def test_an_unreadable_receipt_date_and_an_overlong_change_are_named() -> None:
    with pytest.raises(InvalidInput) as refused:
        new_request(7, (AmendmentTarget.DOCUMENT, 31), "x" * 5001, "10/30/2026", "hana", NOW)
    assert "YYYY-MM-DD" in refused.value.errors["received_on"]
    assert "5000" in refused.value.errors["requested_change"]


def test_accepting_names_the_new_version_and_a_decision_is_final() -> None:
    accepted = accept(_request(), "mia", NOW, amended_version=2, text="Never smoker.")
    assert (accepted.status, accepted.amended_version, accepted.decided_by) == (
        AmendmentStatus.ACCEPTED,
        2,
        "mia",
    )
    with pytest.raises(AmendmentRuleBroken, match="already accepted"):
        deny(accepted, "mia", NOW, Denial(DenialGround.ACCURATE_AND_COMPLETE.value))
    with pytest.raises(AmendmentRuleBroken):
        accept(accepted, "mia", NOW, amended_version=3)


def test_a_denial_needs_one_of_the_four_grounds() -> None:
    for ground in ("", "too busy"):
        with pytest.raises(InvalidInput) as refused:
            deny(_request(), "mia", NOW, Denial(ground))
        assert "164.526(a)(2)" in refused.value.errors["ground"]
    assert len(DenialGround) == 4


def test_a_denial_keeps_the_disagreement_and_the_rebuttal() -> None:
    denial = Denial("accurate_and_complete", "Confirmed with the author.", "It is wrong.", "Kept.")
    denied = deny(_request(), "mia", NOW, denial)
    assert denied.status is AmendmentStatus.DENIED
    assert denied.denial_ground is DenialGround.ACCURATE_AND_COMPLETE
    assert (denied.disagreement, denied.rebuttal) == ("It is wrong.", "Kept.")


def test_a_rebuttal_without_a_statement_of_disagreement_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        deny(_request(), "mia", NOW, Denial("not_in_record_set", rebuttal="We disagree."))
    assert "rebuttal" in refused.value.errors


def test_a_statement_of_disagreement_can_follow_a_denial_once() -> None:
    denied = deny(_request(), "mia", NOW, Denial("not_created_here"))
    filed = file_disagreement(denied, "I disagree.", "")
    assert filed.disagreement == "I disagree."
    with pytest.raises(AmendmentRuleBroken, match="already has"):
        file_disagreement(filed, "Again.", "")
    with pytest.raises(AmendmentRuleBroken, match="denied request only"):
        file_disagreement(_request(), "Too early.", "")


def test_an_accepted_amendment_is_appended_to_the_document_as_a_new_version() -> None:
    document = ClinicalDocument(
        patient_id=7, encounter_id=3, document_type=DocumentType.PROGRESS_NOTE, author_id=1,
        authored_at=NOW, title="Progress note", text="Smoker, 1 ppd.",
        status=DocumentStatus.SIGNED, signed_by_id=1, signed_at=NOW, id=31,
    )  # fmt: skip
    amended = append_amendment(document, _request(), "Never smoker per patient.", "mia", NOW)
    assert amended.text.startswith("Smoker, 1 ppd.\n\nAddendum — patient amendment request 12")
    assert amended.text.endswith("Never smoker per patient.")
    assert (amended.version, amended.status, amended.signed_by_id) == (
        2,
        DocumentStatus.AMENDED,
        1,
    )
