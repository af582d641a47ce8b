"""Sensitive records and who may open them (minimum necessary, 42 CFR Part 2, ONC d(6)).

A restricted record is never opened silently: a privileged user states a reason; anyone
else with chart access may break the glass, which is time-limited and goes to review.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from himdesk.domain.access import Action, Role, is_permitted
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.sensitivity import SensitiveCategory

# Categories that restrict the whole chart; the others restrict the documents they label.
PATIENT_LEVEL = frozenset({SensitiveCategory.VIP, SensitiveCategory.EMPLOYEE})


class AccessKind(enum.StrEnum):
    STATED_REASON = "stated_reason"
    BREAK_GLASS = "break_glass"


class Decision(enum.StrEnum):
    OPEN = "open"
    STATE_REASON = "state_reason"
    BREAK_GLASS = "break_glass"
    DENIED = "denied"


def decide(role: Role, restricted: bool, treatment_relationship: bool) -> Decision:
    """What a user must do before this part of a record opens for them."""
    if not is_permitted(role, Action.READ_CHART):
        return Decision.DENIED
    if restricted and is_permitted(role, Action.READ_RESTRICTED):
        return Decision.STATE_REASON
    needs_glass = restricted or (role is Role.CLINICIAN and not treatment_relationship)
    if not needs_glass:
        return Decision.OPEN
    return Decision.BREAK_GLASS if is_permitted(role, Action.BREAK_GLASS) else Decision.DENIED


GRANT_DURATION = timedelta(minutes=60)
MIN_REASON = 10
MAX_REASON = 500


@dataclass(frozen=True)
class AccessGrant:
    """Permission to open one patient's restricted record, for a limited time, with a reason."""

    user_id: int
    patient_id: int
    kind: AccessKind
    reason: str
    granted_at: datetime
    expires_at: datetime
    id: int | None = None

    def is_active(self, now: datetime) -> bool:
        return self.granted_at <= now < self.expires_at


def new_grant(
    user_id: int, patient_id: int, decision: Decision, reason: str, now: datetime
) -> AccessGrant:
    if decision not in (Decision.STATE_REASON, Decision.BREAK_GLASS):
        raise ValueError(f"no grant is needed or possible for a '{decision}' decision")
    kind = AccessKind.BREAK_GLASS if decision is Decision.BREAK_GLASS else AccessKind.STATED_REASON
    return AccessGrant(user_id, patient_id, kind, checked_reason(reason), now, now + GRANT_DURATION)


def checked_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON:
        raise InvalidInput(
            {"reason": f"State why you need this record (at least {MIN_REASON} characters)."}
        )
    if len(reason) > MAX_REASON:
        raise InvalidInput({"reason": f"Keep the reason under {MAX_REASON} characters."})
    return reason
