"""Physician queries: the query form, HIM's query list, one query with its answer form, and
the clinician's inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from himdesk.domain.demographics import InvalidInput
from himdesk.domain.queries import QueryForm
from himdesk.services.queries import escalate_overdue, open_query, query_worklist, send_query
from himdesk.services.queries import start_query as start
from himdesk.services.query_answers import answer_query, clinician_inbox
from himdesk.web.params import LARGEST_ID, RecordId
from himdesk.web.rendering import page
from himdesk.web.sessions import CheckedSession, Session, himdesk_of

router = APIRouter()

# Past every field's own limit, so the form (not a bare 400 page) names what is too long.
LONG_TEXT = Annotated[str, Form(max_length=20_000)]
SHORT_TEXT = Annotated[str, Form(max_length=400)]


@router.get("/encounters/{encounter_id}/queries/new")
def query_form(
    request: Request,
    session: Session,
    encounter_id: RecordId,
    deficiency: Annotated[int | None, Query(ge=1, le=LARGEST_ID)] = None,
) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        draft = start(uow, session.actor, encounter_id, deficiency)
    return page(request, "query_form.html", draft=draft, banner=draft.banner,
                values=draft.form(), errors={})  # fmt: skip


@router.post("/encounters/{encounter_id}/queries")
def send(
    request: Request,
    session: CheckedSession,
    encounter_id: RecordId,
    question: LONG_TEXT = "",
    indicators: LONG_TEXT = "",
    format: SHORT_TEXT = "",
    options: LONG_TEXT = "",
    addressee_id: SHORT_TEXT = "",
    deficiency_id: SHORT_TEXT = "",
) -> Response:
    form = QueryForm(question, indicators, format, options, addressee_id, deficiency_id)
    himdesk = himdesk_of(request)
    try:
        with himdesk.unit_of_work() as uow:
            sent = send_query(uow, session.actor, encounter_id, form)
    except InvalidInput as err:
        # Blank (or only spaces) is "no deficiency"; anything else was checked by the service.
        chosen = deficiency_id.strip()
        shown = int(chosen) if chosen and "deficiency_id" not in err.errors else None
        with himdesk.unit_of_work() as uow:
            draft = start(uow, session.actor, encounter_id, shown)
        return page(request, "query_form.html", status_code=400, draft=draft,
                    banner=draft.banner, values=form, errors=err.errors)  # fmt: skip
    return RedirectResponse(f"/queries/{sent.id}?sent=1", status_code=303)


@router.get("/queries")
def worklist(request: Request, session: Session, escalated: int = -1) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        found = query_worklist(uow, session.actor)
    return page(request, "queries.html", worklist=found, escalated=escalated)


@router.post("/queries/escalate")
def escalate(request: Request, session: CheckedSession) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        done = escalate_overdue(uow, session.actor)
    return RedirectResponse(f"/queries?escalated={len(done)}", status_code=303)


@router.get("/queries/{query_id}")
def query_page(request: Request, session: Session, query_id: RecordId, sent: int = 0) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        case = open_query(uow, session.actor, query_id)
    return page(request, "query.html", case=case, banner=case.banner, sent=sent,
                values={}, errors={})  # fmt: skip


@router.post("/queries/{query_id}/answer")
def answer(
    request: Request,
    session: CheckedSession,
    query_id: RecordId,
    option: SHORT_TEXT = "",
    answer: LONG_TEXT = "",
) -> Response:
    himdesk = himdesk_of(request)
    try:
        with himdesk.unit_of_work() as uow:
            answer_query(uow, session.actor, query_id, option, answer)
    except InvalidInput as err:
        with himdesk.unit_of_work() as uow:
            case = open_query(uow, session.actor, query_id)
        return page(request, "query.html", status_code=400, case=case, banner=case.banner,
                    sent=0, values={"option": option, "answer": answer},
                    errors=err.errors)  # fmt: skip
    return RedirectResponse(f"/inbox?answered={query_id}", status_code=303)


@router.get("/inbox")
def inbox(request: Request, session: Session, answered: int = 0) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        found = clinician_inbox(uow, session.actor)
    return page(request, "inbox.html", inbox=found, answered=answered)
