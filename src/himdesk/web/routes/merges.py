"""Patient merges for the HIM manager: what the feed (HL7 A40) merged, and undoing one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from himdesk.domain.demographics import InvalidInput
from himdesk.domain.patient_merges import UNDO_REASON_LIMIT
from himdesk.services.patient_labels import label_patients
from himdesk.services.patient_merges import list_merges, undo_merge
from himdesk.web.params import RecordId
from himdesk.web.rendering import page
from himdesk.web.sessions import CheckedSession, Session, himdesk_of

router = APIRouter()


@router.get("/merges")
def merges(request: Request, session: Session, undone: int = 0) -> Response:
    return _merges_page(request, session, undone=bool(undone))


def _merges_page(
    request: Request, session: Session, *, undone: bool, errors: dict[int, str] | None = None
) -> Response:
    """The merges, each patient named beside its MRN as patient search would name it."""
    himdesk = himdesk_of(request)
    with himdesk.unit_of_work() as uow:
        found = list_merges(uow, session.actor)
    with himdesk.unit_of_work() as uow:
        ids = {i for m in found for i in (m.surviving_patient_id, m.merged_patient_id)}
        names = label_patients(uow, session.actor, ids)
    return page(request, "merges.html", status_code=400 if errors else 200, merges=found,
                names=names, undone=undone, errors=errors or {},
                limit=UNDO_REASON_LIMIT)  # fmt: skip


@router.post("/merges/{merge_id}/undo")
def undo(
    request: Request,
    session: CheckedSession,
    merge_id: RecordId,
    reason: Annotated[str, Form(max_length=UNDO_REASON_LIMIT)] = "",
) -> Response:
    himdesk = himdesk_of(request)
    try:
        with himdesk.unit_of_work() as uow:
            undo_merge(uow, session.actor, merge_id, reason)
    except InvalidInput as err:
        errors = {merge_id: err.errors.get("reason", str(err))}
        return _merges_page(request, session, undone=False, errors=errors)
    return RedirectResponse("/merges?undone=1", status_code=303)
