"""Recording and checking the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from himdesk.domain.access import Action, Actor, PermissionDenied, is_permitted
from himdesk.domain.audit import AuditEntry, ChainBreak, SealedAuditEvent
from himdesk.domain.audit_checkpoints import AuditCheckpoint, review_checkpoints
from himdesk.services.errors import Conflict
from himdesk.services.ports import UnitOfWork

AuditSubject = tuple[int | None, str, object]  # patient id, object type, object id


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
    return uow.audit.append(_entry(uow, actor, action, patient_id, object_type, object_id, outcome))


def record_many(
    uow: UnitOfWork, actor: Actor, action: str, subjects: Iterable[AuditSubject]
) -> list[SealedAuditEvent]:
    """One successful event per subject (patient id, object type, object id), appended
    together in the caller's transaction: for work that reads many charts at once."""
    entries = [_entry(uow, actor, action, *subject, "success") for subject in subjects]
    return uow.audit.append_many(entries)


def _entry(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    patient_id: int | None,
    object_type: str,
    object_id: object,
    outcome: str,
) -> AuditEntry:
    return AuditEntry(
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
    checkpoints_checked: int = 0
    last_checkpoint: AuditCheckpoint | None = None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def verify(uow: UnitOfWork) -> VerificationReport:
    """Walk the whole chain and hold it against every signed checkpoint; name the first break.

    The checkpoints are read before the chain's tip, so that none vouches for more events
    than the walk reads. That short read then ends (on SQLite every transaction holds the
    write lock) before the walk, which takes seconds on millions of events.
    """
    checkpoints = uow.audit.list_checkpoints()
    through = uow.audit.last_sequence()
    total = uow.audit.count()
    chain_hashes = uow.audit.hashes_at({checkpoint.sequence for checkpoint in checkpoints})
    uow.commit()
    walk = uow.audit.walk_chain(through)
    checkpoints_checked, first_break = review_checkpoints(
        uow.checkpoint_signer, checkpoints, walk, chain_hashes
    )
    checked = walk.checked
    if first_break is not None:  # a checkpoint can reveal a break before the walk stopped
        checked = min(checked, first_break.sequence - 1)
    return VerificationReport(
        checked=checked,
        total=total,
        first_break=first_break,
        checkpoints_checked=checkpoints_checked,
        last_checkpoint=checkpoints[-1] if checkpoints else None,
    )


def write_checkpoint(uow: UnitOfWork, actor: Actor) -> AuditCheckpoint:
    """Sign a checkpoint at the trail's tip now, its own audit event included."""
    require(uow, actor, Action.VERIFY_AUDIT)
    record(uow, actor, "audit.checkpoint", object_type="audit")
    checkpoint = uow.audit.checkpoint_now()
    if checkpoint is None:  # cannot happen: the event just recorded is in the trail
        raise Conflict("The audit trail is empty: there is nothing to vouch for.")
    uow.commit()
    return checkpoint
