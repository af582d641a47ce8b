"""Stating a reason to open a restricted record, or breaking the glass."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from himdesk.domain.demographics import InvalidInput
from himdesk.domain.restrictions import Decision
from himdesk.services.access_control import ReasonRequired, request_access
from himdesk.web.params import RecordId
from himdesk.web.rendering import page
from himdesk.web.sessions import CheckedSession, himdesk_of, safe_next

router = APIRouter()


@router.post("/patients/{patient_id}/access")
def state_reason(
    request: Request,
    session: CheckedSession,
    patient_id: RecordId,
    reason: Annotated[str, Form(max_length=2000)] = "",
    decision: Annotated[str, Form(max_length=20)] = Decision.BREAK_GLASS.value,
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        with himdesk_of(request).unit_of_work() as uow:
            request_access(uow, session.actor, patient_id, reason)
    except InvalidInput as err:
        needed = ReasonRequired(patient_id, Decision(decision) if decision in set(Decision) else
                                Decision.BREAK_GLASS)  # fmt: skip
        return reason_page(request, needed, next, err.errors.get("reason", str(err)), reason)
    return RedirectResponse(safe_next(next) or f"/patients/{patient_id}", status_code=303)


def reason_page(
    request: Request, needed: ReasonRequired, next_path: str, error: str = "", reason: str = ""
) -> Response:
    return page(request, "access_reason.html", status_code=403 if not error else 400,
                needed=needed, next=safe_next(next_path), error=error, reason=reason)  # fmt: skip
