"""The privacy officer's pages: access review worklist, access reports, chart restrictions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from himdesk.domain.access_review import Disposition
from himdesk.domain.demographics import InvalidInput
from himdesk.services.access_control import restrict_patient
from himdesk.services.access_review import (
    close_flag,
    events_as_csv,
    open_flags,
    patient_access_report,
    user_access_report,
)
from himdesk.services.errors import Conflict
from himdesk.web.params import RecordId
from himdesk.web.rendering import page
from himdesk.web.sessions import CheckedSession, Session, himdesk_of

router = APIRouter()


@router.get("/privacy/reviews")
def reviews(request: Request, session: Session, closed: int = 0) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        flagged = open_flags(uow, session.actor)
    return page(request, "privacy_reviews.html", flagged=flagged, dispositions=list(Disposition),
                closed=bool(closed), errors={})  # fmt: skip


@router.post("/privacy/reviews/{flag_id}")
def review(
    request: Request,
    session: CheckedSession,
    flag_id: RecordId,
    disposition: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    himdesk = himdesk_of(request)
    try:
        with himdesk.unit_of_work() as uow:
            close_flag(uow, session.actor, flag_id, disposition, note)
    except InvalidInput as err:
        with himdesk.unit_of_work() as uow:
            flagged = open_flags(uow, session.actor)
        return page(request, "privacy_reviews.html", status_code=400, flagged=flagged,
                    dispositions=list(Disposition), errors={flag_id: err.errors})  # fmt: skip
    return RedirectResponse("/privacy/reviews?closed=1", status_code=303)


def _csv(text: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/patients/{patient_id}/access-report.csv")
def patient_report(request: Request, session: Session, patient_id: RecordId) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        events = patient_access_report(uow, session.actor, patient_id)
    return _csv(events_as_csv(events), f"access-report-patient-{patient_id}.csv")


@router.get("/privacy/users/{username}/access-report.csv")
def user_report(request: Request, session: Session, username: str) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        events = user_access_report(uow, session.actor, username)
    return _csv(events_as_csv(events), f"access-report-user-{username[:60]}.csv")


@router.post("/patients/{patient_id}/restrictions")
def restrict(
    request: Request,
    session: CheckedSession,
    patient_id: RecordId,
    category: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        with himdesk_of(request).unit_of_work() as uow:
            restrict_patient(uow, session.actor, patient_id, category, reason)
    except InvalidInput as err:
        raise Conflict(" ".join(err.errors.values())) from err
    return RedirectResponse(f"/patients/{patient_id}/access-history", status_code=303)
