"""Patients' amendment requests (45 CFR 164.526): record, list, decide, file disagreement."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from himdesk.domain.amendments import Denial, DenialGround
from himdesk.domain.demographics import DemographicsForm, InvalidInput
from himdesk.domain.identifiers import mask_ssn
from himdesk.domain.records import Patient
from himdesk.services.amendments import (
    accept_demographics_amendment,
    accept_document_amendment,
    deny_request,
    file_disagreement,
    open_case,
    open_requests,
    record_request,
    start_request,
)
from himdesk.web.params import FormRecordId, RecordId
from himdesk.web.rendering import page
from himdesk.web.sessions import CheckedSession, Session, himdesk_of

router = APIRouter()

# Past every field's own limit, so the form (not a bare 400 page) names what is too long.
LONG_TEXT = Annotated[str, Form(max_length=20_000)]
SHORT_TEXT = Annotated[str, Form(max_length=200)]


@router.get("/amendments")
def worklist(request: Request, session: Session) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        items = open_requests(uow, session.actor)
        today = uow.clock().date()
    return page(request, "amendments.html", items=items, today=today)


@router.get("/patients/{patient_id}/amendments/new")
def request_form(
    request: Request, session: Session, patient_id: RecordId, target: str, target_id: int
) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        subject = start_request(uow, session.actor, patient_id, target, target_id)
        today = uow.clock().date().isoformat()
    values = {"requested_change": "", "received_on": today}
    return page(request, "amendment_request.html", subject=subject, banner=subject.banner,
                values=values, errors={})  # fmt: skip


@router.post("/patients/{patient_id}/amendments")
def record(
    request: Request,
    session: CheckedSession,
    patient_id: RecordId,
    target: SHORT_TEXT,
    target_id: FormRecordId,
    requested_change: LONG_TEXT = "",
    received_on: SHORT_TEXT = "",
) -> Response:
    himdesk = himdesk_of(request)
    try:
        with himdesk.unit_of_work() as uow:
            subject = (patient_id, target, target_id)
            saved = record_request(uow, session.actor, subject, requested_change, received_on)
    except InvalidInput as err:
        with himdesk.unit_of_work() as uow:
            shown = start_request(uow, session.actor, patient_id, target, target_id)
        values = {"requested_change": requested_change, "received_on": received_on}
        return page(request, "amendment_request.html", status_code=400, subject=shown,
                    banner=shown.banner, values=values, errors=err.errors)  # fmt: skip
    return RedirectResponse(f"/amendments/{saved.id}?recorded=1", status_code=303)


@router.get("/amendments/{request_id}")
def case(request: Request, session: Session, request_id: RecordId, recorded: int = 0) -> Response:
    return _case_page(request, session, request_id, notice="recorded" if recorded else "")


def _case_page(
    request: Request,
    session: Session,
    request_id: RecordId,
    status_code: int = 200,
    notice: str = "",
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
) -> Response:
    """The request with its forms; after bad input, what was typed and the field errors."""
    with himdesk_of(request).unit_of_work() as uow:
        found = open_case(uow, session.actor, request_id)
    values = {"amendment_text": found.request.requested_change,
              **_current_values(found.subject.patient), **(typed or {})}  # fmt: skip
    return page(request, "amendment.html", status_code=status_code, case=found,
                banner=found.subject.banner, grounds=list(DenialGround), notice=notice,
                values=values, errors=errors or {},
                version=found.subject.patient.version)  # fmt: skip


def _current_values(p: Patient) -> dict[str, str]:
    return asdict(DemographicsForm(
        family_name=p.family_name, given_name=p.given_name, middle_name=p.middle_name,
        birth_on=p.birth_on.isoformat(), sex=p.sex.value, address_line=p.address.line,
        city=p.address.city, state=p.address.state, postal_code=p.address.postal_code,
        phone=p.phone, ssn=mask_ssn(p.ssn), reason="",
    ))  # fmt: skip


@router.post("/amendments/{request_id}/accept-document")
def accept_document(
    request: Request, session: CheckedSession, request_id: RecordId, amendment_text: LONG_TEXT = ""
) -> Response:
    try:
        with himdesk_of(request).unit_of_work() as uow:
            accept_document_amendment(uow, session.actor, request_id, amendment_text)
    except InvalidInput as err:
        return _case_page(request, session, request_id, 400, errors=err.errors,
                          typed={"amendment_text": amendment_text})  # fmt: skip
    return RedirectResponse(f"/amendments/{request_id}", status_code=303)


async def _demographics(request: Request) -> DemographicsForm:
    submitted = await request.form()
    fields = DemographicsForm.__dataclass_fields__
    return DemographicsForm(**{name: str(submitted.get(name, ""))[:1000] for name in fields})


@router.post("/amendments/{request_id}/accept-demographics")
def accept_demographics(
    request: Request,
    session: CheckedSession,
    request_id: RecordId,
    form: Annotated[DemographicsForm, Depends(_demographics)],
    version: Annotated[int, Form()],
) -> Response:
    try:
        with himdesk_of(request).unit_of_work() as uow:
            accept_demographics_amendment(uow, session.actor, request_id, form, version)
    except InvalidInput as err:
        return _case_page(request, session, request_id, 400, errors=err.errors,
                          typed=asdict(form))  # fmt: skip
    return RedirectResponse(f"/amendments/{request_id}", status_code=303)


@router.post("/amendments/{request_id}/deny")
def deny(
    request: Request,
    session: CheckedSession,
    request_id: RecordId,
    ground: SHORT_TEXT = "",
    explanation: LONG_TEXT = "",
    disagreement: LONG_TEXT = "",
    rebuttal: LONG_TEXT = "",
) -> Response:
    denial = Denial(ground, explanation, disagreement, rebuttal)
    try:
        with himdesk_of(request).unit_of_work() as uow:
            deny_request(uow, session.actor, request_id, denial)
    except InvalidInput as err:
        return _case_page(request, session, request_id, 400, errors=err.errors,
                          typed=asdict(denial))  # fmt: skip
    return RedirectResponse(f"/amendments/{request_id}", status_code=303)


@router.post("/amendments/{request_id}/disagreement")
def disagreement(
    request: Request,
    session: CheckedSession,
    request_id: RecordId,
    disagreement: LONG_TEXT = "",
    rebuttal: LONG_TEXT = "",
) -> Response:
    try:
        with himdesk_of(request).unit_of_work() as uow:
            file_disagreement(uow, session.actor, request_id, disagreement, rebuttal)
    except InvalidInput as err:
        return _case_page(request, session, request_id, 400,
                          errors=err.errors,
                          typed={"disagreement": disagreement, "rebuttal": rebuttal})  # fmt: skip
    return RedirectResponse(f"/amendments/{request_id}", status_code=303)
