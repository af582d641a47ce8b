"""FHIR Bulk Data export over HTTP: kick-off, status polling, cancel and file download.

https://hl7.org/fhir/uv/bulkdata/export.html. Each route parses, calls one service and
answers in the IG's terms; refusals are OperationOutcomes. Jobs run on a worker thread of
this process (`app.state.export_executor`, one worker unless a test sets its own). Included
before the FHIR read/search router, whose `/{resource_type}` would match `$export`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from email.utils import format_datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from himdesk.domain.access import PermissionDenied
from himdesk.domain.export_jobs import (
    NDJSON,
    UNSUPPORTED_PARAMETERS,
    ExportKind,
    ExportStatus,
    InvalidExportRequest,
    export_request,
    manifest,
    progress,
)
from himdesk.interop.fhir.outbound import record_resources
from himdesk.services import bulk_export
from himdesk.services.api_clients import ApiCaller
from himdesk.services.errors import NotFound
from himdesk.services.export_run import run_export
from himdesk.services.ports import UnitOfWork
from himdesk.web.fhir_responses import FHIR_JSON, Caller, FhirRoute, outcome
from himdesk.web.params import RecordId
from himdesk.web.routes.fhir_auth import fhir_base
from himdesk.web.sessions import himdesk_of

router = APIRouter(prefix="/fhir/R4", route_class=FhirRoute)
_ACCEPTED = ("application/fhir+json", "application/json", "*/*")
_STARTING = threading.Lock()


@router.get("/$export")
def system_export(request: Request, caller: Caller) -> Response:
    """Kick off an export of every patient's data and the practitioners."""
    return _kick_off(request, caller, ExportKind.SYSTEM)


@router.get("/Patient/$export")
def patient_export(request: Request, caller: Caller) -> Response:
    """Kick off an export of every patient's compartment."""
    return _kick_off(request, caller, ExportKind.PATIENT)


@router.get("/$export-status/{token}")
def export_status(request: Request, caller: Caller, token: str) -> Response:
    return _answer(request, lambda uow: _status(request, uow, caller, token))


@router.delete("/$export-status/{token}")
def cancel_export(request: Request, caller: Caller, token: str) -> Response:
    def cancel(uow: UnitOfWork) -> Response:
        bulk_export.cancel_export(uow, caller.actor, token)
        return Response(status_code=202)

    return _answer(request, cancel)


@router.get("/$export-file/{token}/{file_id}")
def export_file(request: Request, caller: Caller, token: str, file_id: RecordId) -> Response:
    def download(uow: UnitOfWork) -> Response:
        content = bulk_export.export_file(uow, caller.actor, token, file_id)
        return Response(content, media_type=NDJSON)

    return _answer(request, download)


def _kick_off(request: Request, caller: ApiCaller, kind: ExportKind) -> Response:
    prefer = request.headers.get("prefer", "")
    if "respond-async" not in prefer:
        return outcome(400, "invalid", "The export needs the header Prefer: respond-async.")
    accept = request.headers.get("accept", FHIR_JSON)
    if not any(media in accept for media in _ACCEPTED):
        return outcome(400, "invalid", "Accept must be application/fhir+json.")
    params = request.query_params
    unsupported = [p for p in UNSUPPORTED_PARAMETERS if p in params]
    if unsupported and "handling=lenient" not in prefer.replace(" ", ""):
        return outcome(400, "not-supported",
                       f"{', '.join(unsupported)} is not supported by this server.")  # fmt: skip
    try:
        asked = export_request(kind, params.getlist("_type"), params.get("_since"),
                               params.get("_outputFormat"))  # fmt: skip
    except InvalidExportRequest as err:
        return outcome(400, "invalid", str(err), err.parameter)

    def start(uow: UnitOfWork) -> Response:
        job = bulk_export.start_export(uow, caller.actor, asked, str(request.url), caller.scopes)
        started.append(job.token)
        location = f"{fhir_base(request)}/$export-status/{job.token}"
        return Response(status_code=202, headers={"Content-Location": location})

    started: list[str] = []
    response = _answer(request, start)
    for token in started:  # handed over once the request's transaction is closed
        work = himdesk_of(request).unit_of_work
        _executor(request).submit(run_export, work, caller.actor, token, record_resources)
    return response


def _status(request: Request, uow: UnitOfWork, caller: ApiCaller, token: str) -> Response:
    found = bulk_export.export_status(uow, caller.actor, token)
    job = found.job
    if found.status.running:
        headers = {"X-Progress": progress(job, len(found.files)), "Retry-After": "2"}
        return Response(status_code=202, headers=headers)
    if found.status is ExportStatus.CANCELLED:
        return outcome(404, "not-found", "The export was cancelled.")
    if found.status is ExportStatus.FAILED:
        return outcome(500, "exception", job.error or "The export did not finish; start anew.")
    expires = job.expires_at()
    headers = {"Expires": format_datetime(expires, usegmt=True)} if expires else {}
    return JSONResponse(manifest(job, found.files, fhir_base(request)), headers=headers)


def _answer(request: Request, work: Callable[[UnitOfWork], Response]) -> Response:
    """Do the work in a unit of work; the service's refusals as OperationOutcomes."""
    try:
        with himdesk_of(request).unit_of_work() as uow:
            return work(uow)
    except (PermissionDenied, bulk_export.ExportRefused, bulk_export.NotYourExport) as err:
        return outcome(403, "forbidden", str(err))
    except NotFound as err:
        return outcome(404, "not-found", str(err))


def _executor(request: Request) -> Executor:
    state = request.app.state
    with _STARTING:  # two kick-offs at once still share one worker
        if getattr(state, "export_executor", None) is None:
            state.export_executor = ThreadPoolExecutor(1, thread_name_prefix="himdesk-export")
    executor: Executor = state.export_executor
    return executor
