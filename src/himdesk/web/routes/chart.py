"""The chart, demographics corrections, their history, and the chart's access history."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from himdesk.domain.demographics import DemographicsForm, InvalidInput
from himdesk.domain.identifiers import mask_ssn
from himdesk.domain.records import Patient
from himdesk.services.access_history import access_history
from himdesk.services.charts import demographics_history, open_chart
from himdesk.services.patients import correct_demographics, start_correction
from himdesk.web.params import RecordId
from himdesk.web.rendering import page
from himdesk.web.sessions import CheckedSession, Session, himdesk_of

router = APIRouter(prefix="/patients/{patient_id}")


@router.get("")
def chart(request: Request, session: Session, patient_id: RecordId) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        found = open_chart(uow, session.actor, patient_id)
    return page(request, "chart.html", chart=found, banner=found.banner)


def _as_form(p: Patient) -> DemographicsForm:
    return DemographicsForm(
        family_name=p.family_name, given_name=p.given_name, middle_name=p.middle_name,
        birth_on=p.birth_on.isoformat(), sex=p.sex.value, address_line=p.address.line,
        city=p.address.city, state=p.address.state, postal_code=p.address.postal_code,
        phone=p.phone, ssn=mask_ssn(p.ssn), reason="",
    )  # fmt: skip


@router.get("/demographics")
def demographics_form(request: Request, session: Session, patient_id: RecordId) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        banner, patient = start_correction(uow, session.actor, patient_id)
    return page(request, "demographics.html", banner=banner, values=asdict(_as_form(patient)),
                errors={}, version=patient.version)  # fmt: skip


async def _submitted(request: Request) -> DemographicsForm:
    submitted = await request.form()
    # Oversize values are cut well past every field limit; validation then names them.
    fields = DemographicsForm.__dataclass_fields__
    return DemographicsForm(**{name: str(submitted.get(name, ""))[:1000] for name in fields})


@router.post("/demographics")
def correct(
    request: Request,
    session: CheckedSession,
    patient_id: RecordId,
    form: Annotated[DemographicsForm, Depends(_submitted)],
    version: Annotated[int, Form()],
) -> Response:
    himdesk = himdesk_of(request)
    try:
        with himdesk.unit_of_work() as uow:
            correct_demographics(uow, session.actor, patient_id, form, version)
    except InvalidInput as err:
        with himdesk.unit_of_work() as uow:
            banner, _patient = start_correction(uow, session.actor, patient_id)
        return page(request, "demographics.html", status_code=400, banner=banner,
                    values=asdict(form), errors=err.errors, version=version)  # fmt: skip
    return RedirectResponse(f"/patients/{patient_id}/history?saved=1", status_code=303)


@router.get("/history")
def history(request: Request, session: Session, patient_id: RecordId, saved: int = 0) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        found = demographics_history(uow, session.actor, patient_id)
    return page(request, "history.html", banner=found.banner, amendments=found.amendments,
                versions=list(reversed(found.versions)), saved=bool(saved))  # fmt: skip


@router.get("/access-history")
def accesses(request: Request, session: Session, patient_id: RecordId) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        found = access_history(uow, session.actor, patient_id)
    return page(request, "access_history.html", banner=found.banner, events=found.events)
