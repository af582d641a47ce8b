"""The import review queues: held submissions (unsure patient matches) and rejected input.

A reviewer compares a held chart's incoming patient with the candidates side by side and
links it to one of them or makes a new patient: the held submission is then applied whole
with those decisions. Rejected input is read (decrypted, audited) and marked handled with a
note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from himdesk.domain.access import Action, Actor, is_permitted
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.import_records import (
    HoldCandidate,
    ImportHold,
    InterfaceRejection,
    QueueStatus,
)
from himdesk.domain.incoming import IncomingPatient, Rejected
from himdesk.domain.records import Patient
from himdesk.domain.restrictions import PATIENT_LEVEL
from himdesk.services import audit
from himdesk.services.errors import Conflict, NotFound
from himdesk.services.imports import HELD, ImportOutcome, apply_submission
from himdesk.services.ports import UnitOfWork

MAX_NOTE = 500


@dataclass(frozen=True)
class ShownCandidate:
    """A candidate beside the incoming patient; `patient` None when the reviewer's role may
    not see this restricted (VIP, employee) chart's name."""

    candidate: HoldCandidate
    mrn: str
    patient: Patient | None


@dataclass(frozen=True)
class HeldChart:
    index: int
    incoming: IncomingPatient
    candidates: tuple[ShownCandidate, ...]


@dataclass(frozen=True)
class HoldReview:
    hold: ImportHold
    charts: tuple[HeldChart, ...]


@dataclass(frozen=True)
class QueueCounts:
    holds: int
    rejections: int


def queue_counts(uow: UnitOfWork, actor: Actor) -> QueueCounts:
    """How many holds and rejections wait (counts only, no patient data)."""
    audit.require(uow, actor, Action.IMPORT_RECORDS)
    holds, rejections = uow.import_reviews.count_open()
    uow.commit()
    return QueueCounts(holds, rejections)


def open_hold(uow: UnitOfWork, actor: Actor, hold_id: int) -> HoldReview:
    """The held charts with their candidates side by side (an audited read)."""
    audit.require(uow, actor, Action.REVIEW_IMPORTS)
    hold = _hold(uow, hold_id)
    assert hold.submission is not None  # noqa: S101 - find_hold reads it
    ids = {c.patient_id for c in hold.candidates}
    patients = uow.patients.get_many(ids)
    hidden = _hidden(uow, actor, ids)
    charts = []
    for index in hold.unsure_charts:
        incoming = hold.submission.charts[index].patient
        assert isinstance(incoming, IncomingPatient)  # noqa: S101 - only these are matched
        shown = tuple(
            ShownCandidate(c, patients[c.patient_id].mrn,
                           None if c.patient_id in hidden else patients[c.patient_id])
            for c in hold.candidates if c.chart == index and c.patient_id in patients
        )  # fmt: skip
        charts.append(HeldChart(index, incoming, shown))
    audit.record(uow, actor, "import.hold.read", object_type="import-hold", object_id=hold_id)
    uow.commit()
    return HoldReview(hold, tuple(charts))


def resolve_hold(
    uow: UnitOfWork, actor: Actor, hold_id: int, decisions: Mapping[int, int | None]
) -> ImportOutcome:
    """Import the held submission with the reviewer's choice for each unsure chart."""
    audit.require(uow, actor, Action.REVIEW_IMPORTS)
    hold = _open(uow, hold_id)
    assert hold.submission is not None  # noqa: S101 - find_hold reads it
    _check_decisions(hold, decisions)
    try:
        outcome = apply_submission(uow, actor, hold.submission, channel="review",
                                   decisions=decisions)  # fmt: skip
    except Rejected as rejected:
        raise Conflict(f"The held import cannot be applied: {rejected}. Discard it and "
                       "correct it at the source.") from rejected  # fmt: skip
    if outcome.status == HELD:
        raise Conflict("Another chart of this import now matches more than one patient; "
                       "reload the page and decide again.")  # fmt: skip
    chosen = next(iter(outcome.patient_ids), None)
    _close(uow, actor, hold_id, QueueStatus.RESOLVED, chosen)
    uow.commit()
    return outcome


def decide_hold(
    uow: UnitOfWork, actor: Actor, hold_id: int, decision: str, choices: Mapping[str, str]
) -> ImportOutcome | None:
    """A reviewer's form: "discard", or "import" with `chart_<n>` = a patient id or "new"."""
    audit.require(uow, actor, Action.REVIEW_IMPORTS)
    if decision == "discard":
        discard_hold(uow, actor, hold_id)
        return None
    if decision != "import":
        raise InvalidInput({"decision": "Choose to import with the patients chosen, or discard."})
    decisions: dict[int, int | None] = {}
    for name, value in choices.items():
        index, choice = name.removeprefix("chart_"), value.strip()
        if (
            not name.startswith("chart_")
            or not _whole_number(index)
            or not (choice == "new" or _whole_number(choice))
        ):
            raise InvalidInput({name[:40]: "Choose one of the patients shown, or a new patient."})
        decisions[int(index)] = None if choice == "new" else int(choice)
    return resolve_hold(uow, actor, hold_id, decisions)


def _whole_number(text: str) -> bool:
    # ASCII digits only: "²" is a digit to str.isdigit() but no number to int().
    return text.isascii() and text.isdigit() and len(text) <= 10


def discard_hold(uow: UnitOfWork, actor: Actor, hold_id: int) -> None:
    audit.require(uow, actor, Action.REVIEW_IMPORTS)
    _open(uow, hold_id)
    _close(uow, actor, hold_id, QueueStatus.DISCARDED, None)
    uow.commit()


def open_rejection(uow: UnitOfWork, actor: Actor, rejection_id: int) -> InterfaceRejection:
    """The rejection with what arrived, decrypted (it may hold PHI: an audited read)."""
    audit.require(uow, actor, Action.REVIEW_IMPORTS)
    found = uow.import_reviews.find_rejection(rejection_id)
    if found is None:
        raise NotFound("interface rejection", rejection_id)
    audit.record(uow, actor, "import.rejection.read", object_type="interface-rejection",
                 object_id=rejection_id)  # fmt: skip
    uow.commit()
    return found


def resolve_rejection(uow: UnitOfWork, actor: Actor, rejection_id: int, note: str) -> None:
    audit.require(uow, actor, Action.REVIEW_IMPORTS)
    note = note.strip()
    if not note or len(note) > MAX_NOTE or not note.replace("\n", " ").isprintable():
        raise InvalidInput(
            {"note": f"Say what was done about it in plain text (1–{MAX_NOTE} characters)."}
        )
    found = uow.import_reviews.find_rejection(rejection_id)
    if found is None:
        raise NotFound("interface rejection", rejection_id)
    if not uow.import_reviews.close_rejection(rejection_id, (uow.clock(), actor.username), note):
        raise Conflict(f"This rejection was already marked handled by {found.resolved_by}.")
    audit.record(uow, actor, "import.rejection.resolve", object_type="interface-rejection",
                 object_id=rejection_id)  # fmt: skip
    uow.commit()


def _hold(uow: UnitOfWork, hold_id: int) -> ImportHold:
    hold = uow.import_reviews.find_hold(hold_id)
    if hold is None:
        raise NotFound("import hold", hold_id)
    return hold


def _open(uow: UnitOfWork, hold_id: int) -> ImportHold:
    hold = _hold(uow, hold_id)
    if hold.status is not QueueStatus.OPEN:
        when = hold.resolved_at.strftime("%Y-%m-%d %H:%M") if hold.resolved_at else ""
        raise Conflict(f"This hold was already {hold.status.value} by {hold.resolved_by} "
                       f"{when}.".replace("  ", " "))  # fmt: skip
    return hold


def _close(
    uow: UnitOfWork, actor: Actor, hold_id: int, status: QueueStatus, patient: int | None
) -> None:
    if not uow.import_reviews.close_hold(hold_id, status, (uow.clock(), actor.username), patient):
        raise Conflict("Someone else decided this hold meanwhile; reload the queue.")
    audit.record(uow, actor, f"import.hold.{status.value}", patient_id=patient,
                 object_type="import-hold", object_id=hold_id)  # fmt: skip


def _check_decisions(hold: ImportHold, decisions: Mapping[int, int | None]) -> None:
    """A decision for every unsure chart, each a candidate offered for it or a new patient."""
    errors = {}
    for index in hold.unsure_charts:
        offered = {c.patient_id for c in hold.candidates if c.chart == index}
        if index not in decisions:
            errors[f"chart_{index}"] = "Choose one of the patients shown, or a new patient."
        elif decisions[index] is not None and decisions[index] not in offered:
            errors[f"chart_{index}"] = "Choose one of the patients shown for this chart."
    if set(decisions) - set(hold.unsure_charts):
        errors["form"] = "Decisions were given for charts that need none."
    if errors:
        raise InvalidInput(errors)


def _hidden(uow: UnitOfWork, actor: Actor, ids: set[int]) -> set[int]:
    """Candidates whose names this reviewer's role may not see (VIP and employee charts)."""
    if is_permitted(actor.role, Action.READ_RESTRICTED):
        return set()
    restricted = uow.access.restrictions_of(ids)
    return {pid for pid, categories in restricted.items() if categories & PATIENT_LEVEL}
