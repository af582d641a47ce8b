"""Coding in the workstation: the coder's worklist, the abstract screen (save, final code,
reopen with a reason), the live review of edits and MS-DRG while typing, and the coder
productivity report. Every form works without JavaScript; coding.js only adds the live
review and the code search."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import StringConstraints

from himdesk.domain.access import Actor
from himdesk.domain.coding.abstract import MAX_DIAGNOSES, PresentOnAdmission
from himdesk.domain.coding.abstract_draft import AbstractDraft
from himdesk.domain.coding.coding_work import CodingProgress, WorklistCriteria
from himdesk.domain.coding.dispositions import DISCHARGE_STATUSES
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.records import EncounterClass
from himdesk.services.authentication import ActiveSession
from himdesk.services.code_reference import CodeReference
from himdesk.services.coding import (
    AbstractChanged,
    FinalCodingRefused,
    finalize_coding,
    preview_abstract,
    reopen_coding,
    save_abstract,
)
from himdesk.services.coding_productivity import coding_productivity
from himdesk.services.coding_screen import AbstractScreen, open_abstract
from himdesk.services.coding_worklist import coding_worklist
from himdesk.services.errors import Conflict
from himdesk.services.ports import UnitOfWork
from himdesk.web.params import RecordId
from himdesk.web.rendering import page
from himdesk.web.sessions import CheckedSession, Session, himdesk_of

router = APIRouter()

NOTICES = {"saved", "final", "reopened"}
# Room for a code as typed (dots, spaces) or a date; longer is refused before any work.
Cell = Annotated[str, StringConstraints(max_length=40)]
Rows = Annotated[list[Cell] | None, Form(max_length=MAX_DIAGNOSES * 2)]
ShortText = Annotated[str, Query(max_length=20)]


def _draft_form(
    dx_code: Rows = None,
    dx_poa: Rows = None,
    px_code: Rows = None,
    px_date: Rows = None,
    px_operator: Rows = None,
    disposition: Annotated[str, Form(max_length=40)] = "",
    opened_on: Annotated[str, Form(max_length=40)] = "",
) -> AbstractDraft:
    return AbstractDraft(dx_code or [], dx_poa or [], px_code or [], px_date or [],
                         px_operator or [], disposition, opened_on)  # fmt: skip


DraftForm = Annotated[AbstractDraft, Depends(_draft_form)]


@router.get("/coding")
def worklist(
    request: Request,
    session: Session,
    encounter_class: ShortText = "",
    progress: ShortText = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    kind = _choice(EncounterClass, encounter_class, "encounter_class")
    criteria = WorklistCriteria(kind, _choice(CodingProgress, progress, "progress"), page_number)
    with himdesk_of(request).unit_of_work() as uow:
        found = coding_worklist(uow, session.actor, criteria)
    return page(request, "coding_worklist.html", worklist=found, classes=list(EncounterClass),
                progresses=list(CodingProgress))  # fmt: skip


Choice = TypeVar("Choice", EncounterClass, CodingProgress)


def _choice(kind: type[Choice], value: str, name: str) -> Choice | None:
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        raise InvalidInput({name: f"Unknown {name.replace('_', ' ')} filter."}) from None


@router.get("/coding/encounters/{encounter_id}")
def abstract_page(
    request: Request, session: Session, encounter_id: RecordId, notice: ShortText = ""
) -> Response:
    himdesk = himdesk_of(request)
    with himdesk.unit_of_work() as uow:
        screen = open_abstract(uow, session.actor, himdesk.code_reference, encounter_id)
    return _screen_page(request, screen, notice=notice if notice in NOTICES else "")


def _screen_page(
    request: Request,
    screen: AbstractScreen,
    status_code: int = 200,
    *,
    notice: str = "",
    errors: dict[str, str] | None = None,
    problems: Sequence[str] = (),
    reason: str = "",
    refused: str = "",
) -> Response:
    return page(request, "coding_abstract.html", status_code=status_code, screen=screen,
                banner=screen.banner, review=screen.review, notice=notice, errors=errors or {},
                problems=problems, reason=reason, refused=refused,
                poa_choices=list(PresentOnAdmission),
                dispositions=DISCHARGE_STATUSES)  # fmt: skip


def _again(
    request: Request,
    session: ActiveSession,
    encounter_id: int,
    typed: AbstractDraft | None,
    status_code: int,
    **shown: object,
) -> Response:
    """The abstract screen again, as the coder left it, with what was refused."""
    himdesk = himdesk_of(request)
    with himdesk.unit_of_work() as uow:
        screen = open_abstract(uow, session.actor, himdesk.code_reference, encounter_id, typed)
    return _screen_page(request, screen, status_code, **shown)  # type: ignore[arg-type]


@router.post("/coding/encounters/{encounter_id}")
def save(
    request: Request, session: CheckedSession, encounter_id: RecordId, draft: DraftForm
) -> Response:
    return _write(request, session, encounter_id, draft, save_abstract, "saved")


@router.post("/coding/encounters/{encounter_id}/final")
def final_code(
    request: Request, session: CheckedSession, encounter_id: RecordId, draft: DraftForm
) -> Response:
    return _write(request, session, encounter_id, draft, finalize_coding, "final")


AbstractWrite = Callable[[UnitOfWork, Actor, CodeReference, int, AbstractDraft], object]


def _write(
    request: Request,
    session: ActiveSession,
    encounter_id: int,
    draft: AbstractDraft,
    write: AbstractWrite,
    notice: str,
) -> Response:
    """Save or final-code the typed entries; when refused, the screen again as typed."""
    himdesk = himdesk_of(request)
    try:
        with himdesk.unit_of_work() as uow:
            write(uow, session.actor, himdesk.code_reference, encounter_id, draft)
    except InvalidInput as err:
        return _again(request, session, encounter_id, draft, 400, errors=err.errors)
    except FinalCodingRefused as refused:
        return _again(request, session, encounter_id, draft, 409, problems=refused.problems)
    except AbstractChanged as changed:
        return _again(request, session, encounter_id, draft, 409, refused=str(changed))
    return RedirectResponse(f"/coding/encounters/{encounter_id}?notice={notice}", status_code=303)


@router.post("/coding/encounters/{encounter_id}/reopen")
def reopen(
    request: Request,
    session: CheckedSession,
    encounter_id: RecordId,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    himdesk = himdesk_of(request)
    try:
        with himdesk.unit_of_work() as uow:
            reopen_coding(uow, session.actor, encounter_id, reason)
    except InvalidInput as err:
        return _again(request, session, encounter_id, None, 400, errors=err.errors, reason=reason)
    return RedirectResponse(f"/coding/encounters/{encounter_id}?notice=reopened", status_code=303)


@router.post("/coding/encounters/{encounter_id}/preview")
def preview(
    request: Request, session: CheckedSession, encounter_id: RecordId, draft: DraftForm
) -> Response:
    """The edits and MS-DRG panel for the form as typed, nothing saved (for coding.js)."""
    himdesk = himdesk_of(request)
    try:
        with himdesk.unit_of_work() as uow:
            review = preview_abstract(uow, session.actor, himdesk.code_reference, encounter_id,
                                      draft)  # fmt: skip
    except InvalidInput as err:
        return page(request, "_coding_review.html", status_code=400, review=None,
                    errors=err.errors, problems=(), refused="")  # fmt: skip
    except Conflict as refused:
        return page(request, "_coding_review.html", status_code=409, review=None, errors={},
                    problems=(), refused=str(refused))  # fmt: skip
    # Without a release to check against, the panel says why, as a refusal (nothing checked).
    status = 200 if review.release_label else 409
    return page(request, "_coding_review.html", status_code=status, review=review, errors={},
                problems=(), refused="")  # fmt: skip


@router.get("/coding/productivity")
def productivity_report(
    request: Request, session: Session, start: ShortText = "", end: ShortText = ""
) -> Response:
    try:
        with himdesk_of(request).unit_of_work() as uow:
            report = coding_productivity(uow, session.actor, _day(start, "start"),
                                         _day(end, "end"))  # fmt: skip
    except InvalidInput as err:
        return page(request, "coding_productivity.html", status_code=400, report=None,
                    errors=err.errors, start=start, end=end)  # fmt: skip
    return page(request, "coding_productivity.html", report=report, errors={},
                start=report.start.isoformat(), end=report.end.isoformat())  # fmt: skip


def _day(text: str, name: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput({name: "Write the day as YYYY-MM-DD."}) from None
