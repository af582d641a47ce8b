"""The FastAPI application: routes, friendly error pages and security headers."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import PermissionDenied
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.patient_search import UnreadableSearch
from himdesk.services.access_control import ReasonRequired
from himdesk.services.errors import Conflict, NotFound
from himdesk.web import fhir_responses
from himdesk.web.rendering import page
from himdesk.web.routes import (
    access,
    amendments,
    auth,
    bulk_export,
    chart,
    code_views,
    coding,
    completeness,
    documents,
    encoder,
    fhir,
    fhir_auth,
    home,
    imports,
    merges,
    patients,
    privacy,
    queries,
    second_factor,
)
from himdesk.web.sessions import CsrfRejected, LoginRequired

log = logging.getLogger("himdesk.web")

# Every router of the workstation; the route-guard tests walk this table.
ROUTERS = tuple(
    module.router
    for module in (
        auth,
        second_factor,
        home,
        patients,
        chart,
        documents,
        access,
        privacy,
        amendments,
        completeness,
        queries,
        imports,
        merges,
        code_views,
        encoder,
        coding,
        fhir_auth,
        bulk_export,
        fhir,  # keep last: its /fhir/R4/{resource_type}/{resource_id} matches any two segments
    )
)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def create_app(himdesk: Himdesk) -> FastAPI:
    app = FastAPI(title="himdesk", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.himdesk = himdesk
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)
    _add_error_pages(app)
    fhir_responses.install(app)  # errors under /fhir are OperationOutcomes, not pages
    app.middleware("http")(_guard)
    return app


async def _guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Security headers and timing on every response; unexpected failures as a friendly page.

    Failures are caught here rather than left to the server, whose traceback could carry
    patient data from an exception message into the log.
    """
    started = time.perf_counter()
    try:
        response = await call_next(request)
    except Exception as exc:
        response = _unexpected(request, exc)
    elapsed_ms = (time.perf_counter() - started) * 1000
    # Server-side time, for browser dev tools and the benchmarks (W3C Server Timing).
    response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.2f}"
    response.headers.update(SECURITY_HEADERS)
    if request.app.state.himdesk.settings.secure_cookies:
        # Served over HTTPS: tell browsers never to fall back to plain HTTP (RFC 6797).
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    if not request.url.path.startswith("/static"):
        # Pages hold patient data: never keep them in a browser or proxy cache.
        response.headers["Cache-Control"] = "no-store"
    return response


def _add_error_pages(app: FastAPI) -> None:
    def friendly(
        status: int, title: str, message: str | None = None
    ) -> Callable[[Request, Exception], Awaitable[Response]]:
        async def handler(request: Request, exc: Exception) -> Response:
            return page(
                request, "error.html", status_code=status, title=title, message=message or str(exc)
            )

        return handler

    async def login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)  # noqa: S101
        target = f"/login?next={quote(exc.next_path)}" + ("&idle=1" if exc.idle else "")
        return RedirectResponse(target, status_code=303)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)  # noqa: S101
        titles = {404: "Page not found", 405: "Not allowed here"}
        return page(
            request,
            "error.html",
            status_code=exc.status_code,
            title=titles.get(exc.status_code, "Request refused"),
            message="There is no page at this address."
            if exc.status_code == 404
            else str(exc.detail),
        )

    async def reason_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ReasonRequired)  # noqa: S101
        # After a POST the form is gone: come back to the chart rather than re-posting.
        back = request.url.path if request.method == "GET" else f"/patients/{exc.patient_id}"
        return access.reason_page(request, exc, back)

    app.add_exception_handler(ReasonRequired, reason_required)
    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(NotFound, friendly(404, "Not found"))
    app.add_exception_handler(PermissionDenied, friendly(403, "Not permitted"))
    app.add_exception_handler(Conflict, friendly(409, "Not done"))
    app.add_exception_handler(UnreadableSearch, friendly(400, "Search not understood"))
    # Forms show their own field errors; this catches input no form offered (e.g. edited URLs).
    app.add_exception_handler(InvalidInput, friendly(400, "Request not understood"))
    app.add_exception_handler(
        CsrfRejected,
        friendly(
            403,
            "Form expired",
            "This form was not accepted because its security token "
            "did not match your session. Go back, reload the page and try again.",
        ),
    )
    app.add_exception_handler(RequestValidationError, _not_understood)


async def _not_understood(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    # Name the field and the rule, never the value (it may be patient data).
    problems = [f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors() if e.get("loc")]
    message = "Part of the address or form was not in the expected form — " + "; ".join(problems)
    return page(request, "error.html", status_code=400, title="Request not understood",
                message=message + ".")  # fmt: skip


def _unexpected(request: Request, exc: Exception) -> Response:
    # Log the kind of failure and where, never the request's data (it may hold PHI).
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return page(request, "error.html", status_code=500, title="Something went wrong",
                message="The request could not be completed. Nothing was changed. If it "
                "happens again, tell the system administrator the time it happened.")  # fmt: skip
