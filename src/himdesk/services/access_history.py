"""A chart's access history: who read or changed this patient's record (HIPAA audit review)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from himdesk.domain.access import Action, Actor
from himdesk.domain.audit import SealedAuditEvent
from himdesk.services import audit
from himdesk.services.charts import Banner, banner_of, get_patient
from himdesk.services.ports import UnitOfWork


@dataclass(frozen=True)
class AccessHistory:
    banner: Banner
    events: Sequence[SealedAuditEvent]


def access_history(
    uow: UnitOfWork, actor: Actor, patient_id: int, limit: int = 500
) -> AccessHistory:
    """Newest first; reading the history is itself an audited access."""
    audit.require(uow, actor, Action.READ_ACCESS_HISTORY, patient_id)
    patient = get_patient(uow, patient_id)
    history = AccessHistory(banner_of(uow, patient), uow.audit.list_for_patient(patient_id, limit))
    audit.record(
        uow, actor, Action.READ_ACCESS_HISTORY.value, patient_id=patient_id, object_type="audit"
    )
    uow.commit()
    return history
