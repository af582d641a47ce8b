"""Patient merges for the HIM manager: what the feed (HL7 A40) merged, and undoing one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from himdesk.domain.demographics import InvalidInput
from himdesk.domain.patient_merges import UNDO_REASON_LIMIT
from himdesk.services.patient_merges import list_merges, undo_merge
from himdesk.web.params import RecordId
from himdesk.web.rendering import page
from himdesk.web.sessions import CheckedSession, Session, himdesk_of

router = APIRouter()


@router.get("/merges")
def merges(request: Request, session: Session, undone: int = 0) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        found = list_merges(uow, session.actor)
    return page(
        request,
        "merges.html",
        merges=found,
        undone=bool(undone),
        errors={},
        limit=UNDO_REASON_LIMIT,
    )


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
        with himdesk.unit_of_work() as uow:
            found = list_merges(uow, session.actor)
        return page(
            request,
            "merges.html",
            status_code=400,
            merges=found,
            undone=False,
            errors={merge_id: err.errors.get("reason", str(err))},
            limit=UNDO_REASON_LIMIT,
        )
    return RedirectResponse("/merges?undone=1", status_code=303)
