"""Minimum necessary at the point of access: restricted records, treatment relationships,
break-the-glass (ONC 170.315(d)(6)) and the flags that send accesses to privacy review."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from himdesk.domain.access import Action, Actor, PermissionDenied, Role
from himdesk.domain.access_review import AccessContext, AccessFlag, ReviewThresholds, flags_for
from himdesk.domain.audit import SealedAuditEvent
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.names import normalize_name
from himdesk.domain.records import Patient
from himdesk.domain.restrictions import (
    PATIENT_LEVEL,
    AccessGrant,
    AccessKind,
    Decision,
    decide,
    new_grant,
)
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.services import audit
from himdesk.services.errors import Conflict
from himdesk.services.ports import UnitOfWork

REVIEW = ReviewThresholds()
# Hours of the day are judged on the facility's clock, not UTC.
FACILITY_ZONE = ZoneInfo("America/New_York")


class ReasonRequired(Exception):
    """The record is restricted for this user: they must state a reason (or break the glass)."""

    def __init__(self, patient_id: int, decision: Decision) -> None:
        super().__init__(f"Patient {patient_id}'s record needs a stated reason to open.")
        self.patient_id = patient_id
        self.decision = decision


def chart_restrictions(uow: UnitOfWork, patient_id: int) -> frozenset[SensitiveCategory]:
    """The chart's restrictions, with those of the chart it was merged into (HL7 A40): a
    merge moves a VIP or employee marking to the surviving chart, and the registration left
    behind still names the same person."""
    categories = uow.access.restrictions(patient_id)
    survivor = uow.patient_merges.merged_into([patient_id]).get(patient_id)
    return categories | uow.access.restrictions(survivor) if survivor else categories


def _decision(uow: UnitOfWork, actor: Actor, patient_id: int, restricted_part: bool) -> Decision:
    restricted = restricted_part or bool(chart_restrictions(uow, patient_id) & PATIENT_LEVEL)
    return decide(actor.role, restricted, _treats(uow, actor, patient_id))


def _treats(uow: UnitOfWork, actor: Actor, patient_id: int) -> bool:
    if actor.role is not Role.CLINICIAN:
        return True  # HIM staff work under operations, not treatment relationships
    if actor.clinician_id is None:
        return False
    return uow.access.treatment_relationship(actor.clinician_id, patient_id)


def check_access(
    uow: UnitOfWork, actor: Actor, patient_id: int, sensitivity: SensitiveCategory | None = None
) -> AccessGrant | None:
    """Allow, or raise ReasonRequired / PermissionDenied; returns the grant relied on."""
    decision = _decision(uow, actor, patient_id, sensitivity is not None)
    if decision is Decision.OPEN:
        return None
    if decision is Decision.DENIED:
        audit.record(uow, actor, Action.READ_CHART.value, patient_id=patient_id, outcome="denied")
        uow.commit()
        raise PermissionDenied(actor, Action.BREAK_GLASS)
    grant = uow.access.active_grant(actor.user_id, patient_id, uow.clock())
    if grant is None:
        audit.record(uow, actor, Action.READ_CHART.value, patient_id=patient_id,
                     outcome="reason-required")  # fmt: skip
        uow.commit()
        raise ReasonRequired(patient_id, decision)
    return grant


def has_active_grant(uow: UnitOfWork, actor: Actor, patient_id: int) -> bool:
    return uow.access.active_grant(actor.user_id, patient_id, uow.clock()) is not None


def request_access(uow: UnitOfWork, actor: Actor, patient_id: int, reason: str) -> AccessGrant:
    """State a reason (privileged) or break the glass; the grant is time-limited and audited."""
    audit.require(uow, actor, Action.READ_CHART, patient_id)
    uow.patients.get(patient_id)
    # Asked for the chart's restricted parts too, so the grant also opens labelled documents.
    decision = _decision(uow, actor, patient_id, restricted_part=True)
    if decision is Decision.DENIED:
        audit.require(uow, actor, Action.BREAK_GLASS, patient_id)
    grant = uow.access.add_grant(
        new_grant(actor.user_id, patient_id, decision, reason, uow.clock())
    )
    action = "record.break_glass" if grant.kind is AccessKind.BREAK_GLASS else "record.reason"
    event = audit.record(uow, actor, action, patient_id=patient_id, object_type="access-grant",
                         object_id=grant.id)  # fmt: skip
    if grant.kind is AccessKind.BREAK_GLASS:
        flag = AccessContext(AccessKind.BREAK_GLASS, frozenset(), "", "", False, True,
                             uow.clock(), 0, 0)  # fmt: skip
        _save_flags(uow, actor, patient_id, event, flag)
    uow.commit()
    return grant


def flag_chart_access(
    uow: UnitOfWork, actor: Actor, patient: Patient, event: SealedAuditEvent
) -> None:
    """Send this chart opening to privacy review when a review rule matches (same transaction)."""
    assert patient.id is not None  # noqa: S101
    now = uow.clock()
    context = AccessContext(
        grant_kind=None,
        patient_categories=chart_restrictions(uow, patient.id),
        patient_family_norm=normalize_name(patient.family_name),
        user_family_norm=_family_norm(actor.display_name),
        is_clinician=actor.role is Role.CLINICIAN,
        treatment_relationship=_treats(uow, actor, patient.id),
        local_time=now.astimezone(FACILITY_ZONE),
        charts_recently=uow.access.charts_opened_since(
            actor.user_id, now - timedelta(minutes=REVIEW.many_charts_minutes)
        ),
        charts_last_hour=uow.access.charts_opened_since(actor.user_id, now - timedelta(hours=1)),
    )
    _save_flags(uow, actor, patient.id, event, context)


def _family_norm(display_name: str) -> str:
    words = display_name.replace(",", " ").split()
    if "," in display_name and words:
        return normalize_name(words[0])  # "Nguyen, Linh"
    return normalize_name(words[-1]) if len(words) > 1 else ""


def _save_flags(
    uow: UnitOfWork, actor: Actor, patient_id: int, event: SealedAuditEvent, ctx: AccessContext
) -> None:
    for rule in flags_for(ctx, REVIEW):
        uow.access.add_flag(
            AccessFlag(event.sequence, actor.user_id, actor.username, patient_id, rule, uow.clock())
        )


def restrict_patient(
    uow: UnitOfWork, actor: Actor, patient_id: int, category: str, reason: str
) -> None:
    """Mark a chart VIP or employee (the privacy officer's or HIM manager's decision)."""
    audit.require(uow, actor, Action.SET_RESTRICTION, patient_id)
    chosen = next((c for c in PATIENT_LEVEL if c.value == category), None)
    errors = {}
    if chosen is None:
        errors["category"] = "Choose VIP patient or employee patient."
    if not reason.strip():
        errors["reason"] = "Give the reason for restricting the chart."
    if chosen is None or errors:
        raise InvalidInput(errors)
    uow.patients.get(patient_id)
    if chosen in uow.access.restrictions(patient_id):
        raise Conflict(f"The chart is already marked {chosen.label}.")
    uow.access.add_restriction(patient_id, chosen, reason.strip()[:500], actor.username,
                               uow.clock())  # fmt: skip
    audit.record(uow, actor, Action.SET_RESTRICTION.value, patient_id=patient_id,
                 object_type="restriction", object_id=chosen.value)  # fmt: skip
    uow.commit()
