"""Importing files from the browser, and the review queues: held imports and rejections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from himdesk.domain.demographics import InvalidInput
from himdesk.interop.file_imports import import_files
from himdesk.services.import_reviews import (
    decide_hold,
    open_hold,
    open_rejection,
    queue_counts,
    resolve_rejection,
)
from himdesk.services.patient_labels import label_patients
from himdesk.services.review_queues import QueueView, held_imports, rejected_inputs
from himdesk.web.params import LARGEST_ID, RecordId
from himdesk.web.rendering import page
from himdesk.web.sessions import CheckedSession, Session, himdesk_of

router = APIRouter()
LARGEST_UPLOAD = 50_000_000  # bytes per file; larger imports go through `himdesk import`
LARGEST_UPLOADS = 200_000_000  # bytes of one upload's files together: each is read into memory
SHOWN_LINES = 200  # submissions listed in the report; the rest are counted
QueueId = Annotated[int, Query(ge=0, le=LARGEST_ID)]  # 0: none


@router.get("/imports")
def imports(request: Request, session: Session) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        counts = queue_counts(uow, session.actor)
    return page(request, "imports.html", counts=counts, errors={})


@router.post("/imports")
def upload(
    request: Request,
    session: CheckedSession,
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    himdesk = himdesk_of(request)
    try:
        received = _received(files or [])
        report = import_files(himdesk.unit_of_work, session.actor, received, channel="upload")
    except InvalidInput as err:
        with himdesk.unit_of_work() as uow:
            counts = queue_counts(uow, session.actor)
        return page(request, "imports.html", status_code=400, counts=counts, errors=err.errors)
    lines = report.submissions[:SHOWN_LINES]
    with himdesk.unit_of_work() as uow:
        labels = label_patients(uow, session.actor, (i for line in lines for i in line.patient_ids))
    return page(request, "import_report.html", status_code=422 if report.rejected else 200,
                report=report, lines=lines, labels=labels)  # fmt: skip


def _received(files: list[UploadFile]) -> list[tuple[str, bytes]]:
    received: list[tuple[str, bytes]] = []
    total = 0
    for upload in files:
        if not upload.filename:
            continue
        received.append(_read(upload))
        total += len(received[-1][1])
        if total > LARGEST_UPLOADS:
            raise InvalidInput({"files": f"The files are larger than {_mb(LARGEST_UPLOADS)} "
                                "together: upload fewer at a time, or import them with "
                                "`himdesk import` on the server."})  # fmt: skip
    return received


def _read(upload: UploadFile) -> tuple[str, bytes]:
    content = upload.file.read(LARGEST_UPLOAD + 1)
    if len(content) > LARGEST_UPLOAD:
        raise InvalidInput({"files": f"{upload.filename} is larger than {_mb(LARGEST_UPLOAD)}: "
                            "import it with `himdesk import` on the server."})  # fmt: skip
    return upload.filename or "upload", content


def _mb(size: int) -> str:
    return f"{size / 1_000_000:g} MB"


@router.get("/imports/holds")
def holds(
    request: Request,
    session: Session,
    show: QueueView = QueueView.OPEN,
    decided: QueueId = 0,
    notice: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        found = held_imports(uow, session.actor, show)
    return page(request, "import_holds.html", holds=found, show=show, decided=decided,
                notice=notice)  # fmt: skip


@router.get("/imports/holds/{hold_id}")
def hold(request: Request, session: Session, hold_id: RecordId) -> Response:
    return _hold_page(request, session, hold_id)


def _hold_page(
    request: Request, session: Session, hold_id: int, errors: dict[str, str] | None = None
) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        review = open_hold(uow, session.actor, hold_id)
    return page(request, "import_hold.html", status_code=400 if errors else 200, review=review,
                errors=errors or {})  # fmt: skip


async def _choices(request: Request) -> dict[str, str]:
    submitted = await request.form()
    return {k: str(v)[:40] for k, v in submitted.items() if k.startswith("chart_")}


@router.post("/imports/holds/{hold_id}")
def decide(
    request: Request,
    session: CheckedSession,
    hold_id: RecordId,
    choices: Annotated[dict[str, str], Depends(_choices)],
    decision: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        with himdesk_of(request).unit_of_work() as uow:
            outcome = decide_hold(uow, session.actor, hold_id, decision, choices)
    except InvalidInput as err:
        return _hold_page(request, session, hold_id, err.errors)
    notice = "discarded" if outcome is None else "imported"
    return RedirectResponse(f"/imports/holds?decided={hold_id}&notice={notice}", 303)


@router.get("/imports/rejections")
def rejections(
    request: Request, session: Session, show: QueueView = QueueView.OPEN, handled: QueueId = 0
) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        found = rejected_inputs(uow, session.actor, show)
    return page(request, "interface_rejections.html", rejections=found, show=show,
                handled=handled)  # fmt: skip


@router.get("/imports/rejections/{rejection_id}")
def rejection(request: Request, session: Session, rejection_id: RecordId) -> Response:
    return _rejection_page(request, session, rejection_id)


def _rejection_page(
    request: Request, session: Session, rejection_id: int, errors: dict[str, str] | None = None
) -> Response:
    with himdesk_of(request).unit_of_work() as uow:
        found = open_rejection(uow, session.actor, rejection_id)
    payload = (found.payload or b"").decode("utf-8", errors="replace")
    return page(request, "interface_rejection.html", status_code=400 if errors else 200,
                rejection=found, payload=payload, errors=errors or {})  # fmt: skip


@router.post("/imports/rejections/{rejection_id}")
def handle_rejection(
    request: Request,
    session: CheckedSession,
    rejection_id: RecordId,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        with himdesk_of(request).unit_of_work() as uow:
            resolve_rejection(uow, session.actor, rejection_id, note)
    except InvalidInput as err:
        return _rejection_page(request, session, rejection_id, err.errors)
    return RedirectResponse(f"/imports/rejections?handled={rejection_id}", status_code=303)
