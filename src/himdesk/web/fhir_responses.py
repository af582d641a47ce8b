"""FHIR JSON responses, bearer-token callers, and errors as OperationOutcome under /fhir.

Routes under /fhir use `FhirRoute`: whatever goes wrong inside them (bad parameters, a refused
token, a failure) leaves as an OperationOutcome in `application/fhir+json`, never as an HTML
page or a traceback. `install` does the same for addresses under /fhir that match no route.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from himdesk.interop.fhir.handlers import FhirResponse, operation_outcome
from himdesk.services.api_clients import ApiCaller, TokenRejected, authenticate
from himdesk.web.sessions import client_of, himdesk_of

log = logging.getLogger("himdesk.web.fhir")
FHIR_JSON = "application/fhir+json"
FHIR_PREFIX = "/fhir/"
_BEARER = 'Bearer realm="himdesk"'


def fhir_json(response: FhirResponse, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(response.resource), status_code=response.status,
                    media_type=FHIR_JSON, headers=headers)  # fmt: skip


def outcome(status: int, code: str, diagnostics: str, where: str = "") -> Response:
    headers = {"WWW-Authenticate": _BEARER + ', error="invalid_token"'} if status == 401 else None
    return fhir_json(operation_outcome(status, code, diagnostics, where), headers)


class BearerRequired(Exception):
    """No usable `Authorization: Bearer` header."""


def api_caller(request: Request) -> ApiCaller:
    """The API client a bearer token speaks for (401 as OperationOutcome otherwise)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BearerRequired()
    with himdesk_of(request).unit_of_work() as uow:
        return authenticate(uow, token.strip(), client_of(request))


Caller = Annotated[ApiCaller, Depends(api_caller)]


def _failure(request: Request, exc: Exception) -> Response:
    if isinstance(exc, BearerRequired):
        return outcome(401, "login", "Send an access token: Authorization: Bearer <token> "
                       "(POST /fhir/R4/auth/token gives one).")  # fmt: skip
    if isinstance(exc, TokenRejected):
        return outcome(401, "login", str(exc))
    if isinstance(exc, RequestValidationError):
        problems = [f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors() if e.get("loc")]
        return outcome(400, "invalid", "; ".join(problems) or "the request was not understood")
    if isinstance(exc, StarletteHTTPException):
        return _http_outcome(exc)
    # The kind of failure and where, never the request's data (it may hold PHI).
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return outcome(500, "exception", "The request could not be completed; nothing was changed.")


def _http_outcome(exc: StarletteHTTPException) -> Response:
    if exc.status_code == 404:
        return outcome(404, "not-found", "There is nothing at this address of the FHIR API.")
    if exc.status_code == 405:
        return outcome(405, "not-supported", "This address does not take that method.")
    return outcome(exc.status_code, "processing", str(exc.detail))


class FhirRoute(APIRoute):
    """A route whose every failure is an OperationOutcome."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handle(request)
            except Exception as exc:  # every failure leaves as an OperationOutcome
                return _failure(request, exc)

        return guarded


def install(app: FastAPI) -> None:
    """Unmatched addresses under /fhir answer with an OperationOutcome, others as before."""
    pages = app.exception_handlers.get(StarletteHTTPException)

    async def http_error(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith(FHIR_PREFIX) or pages is None:
            assert isinstance(exc, StarletteHTTPException)  # noqa: S101
            return _http_outcome(exc)
        page: Callable[[Request, Exception], Awaitable[Response]] = pages  # type: ignore[assignment]
        return await page(request, exc)

    app.add_exception_handler(StarletteHTTPException, http_error)
