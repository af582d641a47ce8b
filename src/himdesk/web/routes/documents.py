"""Reading, signing and amending a clinical document."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from himdesk.services.charts import read_document
from himdesk.services.documents import amend_document, sign_document
from himdesk.web.params import RecordId
from himdesk.web.rendering import page
from himdesk.web.sessions import CheckedSession, Session, himdesk_of

router = APIRouter(prefix="/patients/{patient_id}/documents/{document_id}")


@router.get("")
def document(
    request: Request, session: Session, patient_id: RecordId, document_id: RecordId
) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        view = read_document(uow, session.actor, patient_id, document_id)
    return page(request, "document.html", view=view, banner=view.banner)


@router.post("/sign")
def sign(
    request: Request, session: CheckedSession, patient_id: RecordId, document_id: RecordId
) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        sign_document(uow, session.actor, patient_id, document_id)
    return RedirectResponse(f"/patients/{patient_id}/documents/{document_id}", status_code=303)


@router.post("/amend")
def amend(
    request: Request,
    session: CheckedSession,
    patient_id: RecordId,
    document_id: RecordId,
    text: Annotated[str, Form(max_length=200_000)],
    reason: Annotated[str, Form(max_length=500)],
) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        amend_document(uow, session.actor, patient_id, document_id, text, reason)
    return RedirectResponse(f"/patients/{patient_id}/documents/{document_id}", status_code=303)
