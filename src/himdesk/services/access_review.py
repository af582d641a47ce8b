"""The privacy officer's audit review: flagged accesses, dispositions, and access reports."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from himdesk.domain.access import Action, Actor
from himdesk.domain.access_review import AccessFlag, Disposition
from himdesk.domain.audit import SealedAuditEvent
from himdesk.domain.demographics import InvalidInput
from himdesk.services import audit
from himdesk.services.errors import Conflict, NotFound
from himdesk.services.ports import UnitOfWork

REPORT_LIMIT = 100_000
MAX_NOTE = 1000


@dataclass(frozen=True)
class FlaggedAccess:
    flag: AccessFlag
    mrn: str


def open_flags(uow: UnitOfWork, actor: Actor, limit: int = 500) -> list[FlaggedAccess]:
    """Oldest first, so nothing waits forever; each row names the chart by MRN only."""
    audit.require(uow, actor, Action.REVIEW_ACCESS)
    flags = uow.access.open_flags(limit)
    mrns = uow.patients.mrns_of({f.patient_id for f in flags})
    audit.record(uow, actor, "audit.review.read", object_type="access-flags", object_id=len(flags))
    uow.commit()
    return [FlaggedAccess(f, mrns[f.patient_id]) for f in flags]


def close_flag(
    uow: UnitOfWork, actor: Actor, flag_id: int, disposition: str, note: str
) -> AccessFlag:
    audit.require(uow, actor, Action.REVIEW_ACCESS)
    flag = uow.access.find_flag(flag_id)
    if flag is None:
        raise NotFound("flagged access", flag_id)
    if not flag.is_open:
        raise Conflict(f"Flag {flag_id} was already closed by {flag.reviewed_by}.")
    chosen = _disposition(disposition, note)
    if not uow.access.close_flag(flag_id, chosen, actor.username, uow.clock(), note.strip()):
        raise Conflict(f"Flag {flag_id} was closed by someone else a moment ago.")
    audit.record(uow, actor, Action.REVIEW_ACCESS.value, patient_id=flag.patient_id,
                 object_type="access-flag", object_id=flag_id)  # fmt: skip
    uow.commit()
    return flag


def _disposition(value: str, note: str) -> Disposition:
    try:
        chosen = Disposition(value)
    except ValueError as err:
        raise InvalidInput({"disposition": "Choose a disposition."}) from err
    if len(note) > MAX_NOTE:
        raise InvalidInput({"note": f"Keep the note under {MAX_NOTE} characters."})
    if chosen in (Disposition.EDUCATION, Disposition.SANCTION) and not note.strip():
        raise InvalidInput({"note": "Say what happened: an inappropriate access needs a note."})
    return chosen


def patient_access_report(
    uow: UnitOfWork, actor: Actor, patient_id: int
) -> Sequence[SealedAuditEvent]:
    """Everyone who read or changed this patient's record (the 'who looked' request)."""
    audit.require(uow, actor, Action.AUDIT_REPORT, patient_id)
    uow.patients.get(patient_id)
    events = uow.audit.list_for_patient(patient_id, REPORT_LIMIT)
    audit.record(uow, actor, Action.AUDIT_REPORT.value, patient_id=patient_id,
                 object_type="patient-report", object_id=patient_id)  # fmt: skip
    uow.commit()
    return events


def patient_access_report_by_mrn(
    uow: UnitOfWork, actor: Actor, mrn: str
) -> Sequence[SealedAuditEvent]:
    audit.require(uow, actor, Action.AUDIT_REPORT)
    patient = uow.patients.find_by_mrn(mrn.strip().upper())
    if patient is None or patient.id is None:
        raise NotFound("patient with MRN", mrn)
    return patient_access_report(uow, actor, patient.id)


def user_access_report(uow: UnitOfWork, actor: Actor, username: str) -> Sequence[SealedAuditEvent]:
    audit.require(uow, actor, Action.AUDIT_REPORT)
    user = uow.users.find_by_username(username.strip().lower())
    if user is None:
        raise NotFound("user", username)
    events = uow.audit.list_for_user(user.username, REPORT_LIMIT)
    audit.record(uow, actor, Action.AUDIT_REPORT.value, object_type="user-report",
                 object_id=user.id)  # fmt: skip
    uow.commit()
    return events


CSV_COLUMNS = ("sequence", "occurred_at", "username", "role", "action", "outcome", "patient_id",
               "object_type", "object_id", "client_address", "purpose")  # fmt: skip


def events_as_csv(events: Sequence[SealedAuditEvent]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for event in events:
        e = event.entry
        writer.writerow([event.sequence, e.occurred_at.isoformat(), e.username, e.role, e.action,
                         e.outcome, e.patient_id or "", e.object_type, e.object_id,
                         e.client_address, e.purpose])  # fmt: skip
    return out.getvalue()
