"""A patient's request to amend their record: HIPAA 45 CFR 164.526, ONC 170.315(d)(4).

A request is recorded by HIM staff, then decided once by the HIM manager: accepted (the
record is amended and the request names the new version) or denied on one of the grounds
of 164.526(a)(2). A decision never goes back. A denied request keeps the patient's
statement of disagreement and the HIM rebuttal (164.526(d)), shown with the record part.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from himdesk.domain.demographics import InvalidInput
from himdesk.domain.records import ClinicalDocument, DocumentStatus

RESPONSE_DAYS = 60  # 164.526(b)(2): act on the request no later than 60 days after receipt
MAX_TEXT = 5000
MAX_EXPLANATION = 2000
OLDEST_RECEIPT_DAYS = 365


class AmendmentTarget(enum.StrEnum):
    """The part of the designated record set the patient wants amended."""

    DOCUMENT = "document"
    DEMOGRAPHICS = "demographics"

    @property
    def label(self) -> str:
        return "Clinical document" if self is AmendmentTarget.DOCUMENT else "Demographics"


class AmendmentStatus(enum.StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DENIED = "denied"


class DenialGround(enum.StrEnum):
    """The only reasons 164.526(a)(2) allows for denying an amendment."""

    NOT_CREATED_HERE = "not_created_here"
    NOT_IN_RECORD_SET = "not_in_record_set"
    NOT_AVAILABLE_FOR_INSPECTION = "not_available_for_inspection"
    ACCURATE_AND_COMPLETE = "accurate_and_complete"

    @property
    def label(self) -> str:
        return _GROUND_LABELS[self]


_GROUND_LABELS = {
    DenialGround.NOT_CREATED_HERE: "Not created by this covered entity — 164.526(a)(2)(i)",
    DenialGround.NOT_IN_RECORD_SET: "Not part of the designated record set — 164.526(a)(2)(ii)",
    DenialGround.NOT_AVAILABLE_FOR_INSPECTION: (
        "Not available for inspection under 164.524 — 164.526(a)(2)(iii)"
    ),
    DenialGround.ACCURATE_AND_COMPLETE: "Accurate and complete — 164.526(a)(2)(iv)",
}


class AmendmentRuleBroken(ValueError):
    """The request's state does not allow the step (e.g. deciding it a second time)."""


@dataclass(frozen=True)
class AmendmentRequest:
    patient_id: int
    target: AmendmentTarget
    target_id: int
    requested_change: str
    received_on: date
    due_on: date
    received_by: str
    recorded_at: datetime
    status: AmendmentStatus = AmendmentStatus.REQUESTED
    decided_by: str = ""
    decided_at: datetime | None = None
    amended_version: int | None = None
    amendment_text: str = ""
    denial_ground: DenialGround | None = None
    denial_explanation: str = ""
    disagreement: str = ""
    rebuttal: str = ""
    id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.status is AmendmentStatus.REQUESTED

    def days_left(self, today: date) -> int:
        """Days until the response is due; negative once it is overdue."""
        return (self.due_on - today).days


def new_request(
    patient_id: int,
    target: tuple[AmendmentTarget, int],
    requested_change: str,
    received_on: str,
    received_by: str,
    now: datetime,
) -> AmendmentRequest:
    """Validate a request as typed; every field error is named, nothing is half-made."""
    errors: dict[str, str] = {}
    change = _text(requested_change, "requested_change", MAX_TEXT, errors, required=True)
    received = _receipt_date(received_on, now.date(), errors)
    if errors:
        raise InvalidInput(errors)
    assert received is not None  # noqa: S101 - guaranteed by no errors
    return AmendmentRequest(
        patient_id=patient_id,
        target=target[0],
        target_id=target[1],
        requested_change=change,
        received_on=received,
        due_on=received + timedelta(days=RESPONSE_DAYS),
        received_by=received_by,
        recorded_at=now,
    )


def accept(
    request: AmendmentRequest, by: str, at: datetime, amended_version: int, text: str = ""
) -> AmendmentRequest:
    _still_open(request)
    return replace(
        request,
        status=AmendmentStatus.ACCEPTED,
        decided_by=by,
        decided_at=at,
        amended_version=amended_version,
        amendment_text=text,
    )


@dataclass(frozen=True)
class Denial:
    """The denial as typed on the form (164.526(d)(1)): ground, basis, and the statements."""

    ground: str
    explanation: str = ""
    disagreement: str = ""
    rebuttal: str = ""


def deny(request: AmendmentRequest, by: str, at: datetime, denial: Denial) -> AmendmentRequest:
    _still_open(request)
    errors: dict[str, str] = {}
    ground = _ground(denial.ground, errors)
    explanation = _text(denial.explanation, "explanation", MAX_EXPLANATION, errors)
    disagreement, rebuttal = _statements(denial.disagreement, denial.rebuttal, errors)
    if errors:
        raise InvalidInput(errors)
    return replace(
        request,
        status=AmendmentStatus.DENIED,
        decided_by=by,
        decided_at=at,
        denial_ground=ground,
        denial_explanation=explanation,
        disagreement=disagreement,
        rebuttal=rebuttal,
    )


def file_disagreement(
    request: AmendmentRequest, disagreement: str, rebuttal: str
) -> AmendmentRequest:
    """The patient's statement of disagreement, received after the denial (164.526(d)(2))."""
    if request.status is not AmendmentStatus.DENIED:
        raise AmendmentRuleBroken("A statement of disagreement answers a denied request only.")
    if request.disagreement:
        raise AmendmentRuleBroken("This denial already has the patient's statement.")
    errors: dict[str, str] = {}
    statement, answer = _statements(disagreement, rebuttal, errors)
    if not statement and "disagreement" not in errors:
        errors["disagreement"] = "Type the patient's statement of disagreement."
    if errors:
        raise InvalidInput(errors)
    return replace(request, disagreement=statement, rebuttal=answer)


def amendment_text(text: str) -> str:
    """The text to append to a document when accepting; refused when empty or too long."""
    errors: dict[str, str] = {}
    kept = _text(text, "amendment_text", MAX_TEXT, errors, required=True)
    if errors:
        raise InvalidInput(errors)
    return kept


def append_amendment(
    document: ClinicalDocument, request: AmendmentRequest, text: str, by: str, at: datetime
) -> ClinicalDocument:
    """The document as a new version with the accepted amendment appended as an addendum.

    The earlier text stays word for word above the addendum (and in the version history);
    the signatures still attest to that text, so they are kept, and the addendum names who
    appended it and under which request.
    """
    if document.status is DocumentStatus.DRAFT:
        raise AmendmentRuleBroken("A draft is not yet part of the legal record; sign it first.")
    heading = (
        f"Addendum — patient amendment request {request.id}, accepted {at.date().isoformat()} "
        f"by {by} (45 CFR 164.526)"
    )
    return replace(
        document,
        text=f"{document.text.rstrip()}\n\n{heading}\n{text}",
        status=DocumentStatus.AMENDED,
        version=document.version + 1,
    )


def _still_open(request: AmendmentRequest) -> None:
    if not request.is_open:
        raise AmendmentRuleBroken(
            f"Amendment request {request.id} was already {request.status.value}; "
            "a decision is final."
        )


def _text(
    value: str, field: str, limit: int, errors: dict[str, str], *, required: bool = False
) -> str:
    value = value.strip()
    if required and not value:
        errors[field] = "This text is required."
    elif len(value) > limit:
        errors[field] = f"Keep this under {limit} characters (it has {len(value)})."
    return value


def _receipt_date(value: str, today: date, errors: dict[str, str]) -> date | None:
    try:
        received = date.fromisoformat(value.strip())
    except ValueError:
        errors["received_on"] = "Enter the date the request was received as YYYY-MM-DD."
        return None
    if received > today:
        errors["received_on"] = "The date received cannot be in the future."
    elif (today - received).days > OLDEST_RECEIPT_DAYS:
        errors["received_on"] = f"The date received is more than {OLDEST_RECEIPT_DAYS} days ago."
    return received


def _ground(value: str, errors: dict[str, str]) -> DenialGround | None:
    if not value.strip():
        errors["ground"] = "Choose the ground for the denial (45 CFR 164.526(a)(2))."
        return None
    try:
        return DenialGround(value.strip())
    except ValueError:
        errors["ground"] = "Choose one of the four grounds of 45 CFR 164.526(a)(2)."
        return None


def _statements(disagreement: str, rebuttal: str, errors: dict[str, str]) -> tuple[str, str]:
    statement = _text(disagreement, "disagreement", MAX_TEXT, errors)
    answer = _text(rebuttal, "rebuttal", MAX_TEXT, errors)
    if answer and not statement and "disagreement" not in errors:
        errors["rebuttal"] = "A rebuttal answers the patient's statement; record that first."
    return statement, answer
