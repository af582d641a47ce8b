"""Patient search."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from himdesk.domain.demographics import InvalidInput
from himdesk.services.patients import search_patients
from himdesk.web.rendering import page
from himdesk.web.sessions import Session, himdesk_of

router = APIRouter()


@router.get("/patients")
def search(request: Request, session: Session, q: str = Query("", max_length=200)) -> Response:
    if not q.strip():
        return page(request, "search.html", q="", matches=None)
    try:
        with himdesk_of(request).unit_of_work() as uow:
            matches = search_patients(uow, session.actor, q)
    except InvalidInput as err:
        return page(
            request,
            "search.html",
            status_code=400,
            q=q,
            matches=None,
            error=err.errors.get("q", str(err)),
        )
    return page(request, "search.html", q=q, matches=matches)
