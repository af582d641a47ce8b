"""Recording and checking the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from himdesk.domain.access import Action, Actor, PermissionDenied, is_permitted
from himdesk.domain.audit import AuditEntry, ChainBreak, SealedAuditEvent, verify_chain
from himdesk.services.ports import UnitOfWork


def record(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    *,
    patient_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
    outcome: str = "success",
) -> SealedAuditEvent:
    """Write one audit event in the caller's transaction (it commits with the work)."""
    return uow.audit.append(
        AuditEntry(
            occurred_at=uow.clock(),
            user_id=actor.user_id,
            username=actor.username,
            role=actor.role.value,
            action=action,
            outcome=outcome,
            patient_id=patient_id,
            object_type=object_type,
            object_id=str(object_id),
            client_address=actor.client_address,
            purpose=actor.purpose_of_use.value,
        )
    )


def require(uow: UnitOfWork, actor: Actor, action: Action, patient_id: int | None = None) -> None:
    """Refuse and audit the refusal when the actor's role lacks the action.

    The refusal is committed on its own so that denied attempts stay visible to the
    privacy officer even though the work itself is not done.
    """
    if is_permitted(actor.role, action):
        return
    record(uow, actor, action.value, patient_id=patient_id, outcome="denied")
    uow.commit()
    raise PermissionDenied(actor, action)


@dataclass(frozen=True)
class VerificationReport:
    checked: int
    total: int
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def verify(uow: UnitOfWork) -> VerificationReport:
    checked, first_break = verify_chain(uow.audit.iterate())
    return VerificationReport(checked=checked, total=uow.audit.count(), first_break=first_break)
