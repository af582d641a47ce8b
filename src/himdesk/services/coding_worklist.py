"""The coder's worklist: discharged encounters not yet final-coded, the oldest discharge
first. The list names many patients and is audited once, as a whole."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from himdesk.domain.access import Action, Actor, is_permitted
from himdesk.domain.coding.coding_work import CodingWorkItem, CodingWorkPage, WorklistCriteria
from himdesk.domain.restrictions import PATIENT_LEVEL
from himdesk.services import audit
from himdesk.services.ports import UnitOfWork


@dataclass(frozen=True)
class CodingWorklist:
    today: date
    found: CodingWorkPage


def coding_worklist(
    uow: UnitOfWork, actor: Actor, criteria: WorklistCriteria | None = None
) -> CodingWorklist:
    """A page of encounters to code, with patient, age at discharge, type, attending and
    discharge date; filtered by encounter type and progress."""
    audit.require(uow, actor, Action.CODE_ENCOUNTERS)
    criteria = criteria or WorklistCriteria()
    items, total = uow.coding_abstracts.worklist(criteria)
    shown = _screened(uow, actor, items)
    # The trail keeps how many encounters were listed, not who (the list is not a chart read).
    audit.record(uow, actor, "coding.worklist", object_type="worklist", object_id=len(shown))
    uow.commit()
    return CodingWorklist(uow.clock().date(), CodingWorkPage(shown, total, criteria))


def _screened(uow: UnitOfWork, actor: Actor, items: list[CodingWorkItem]) -> list[CodingWorkItem]:
    """VIP and employee charts stay on the list (they need coding too) without a name."""
    if is_permitted(actor.role, Action.READ_RESTRICTED) or not items:
        return items
    restricted = uow.access.restrictions_of({i.patient_id for i in items})
    return [
        replace(i, patient_name="", restricted=True)
        if restricted.get(i.patient_id, frozenset()) & PATIENT_LEVEL
        else i
        for i in items
    ]
