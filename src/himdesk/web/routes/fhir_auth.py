"""The FHIR API's token endpoint (OAuth 2.0 client credentials) and SMART configuration.

RFC 6749 section 4.4 (client credentials), 2.3.1 (client secret by HTTP Basic or form) and
5.2 (error responses); RFC 7523 section 2.2 (JWT client assertions);
https://hl7.org/fhir/smart-app-launch/backend-services.html and
https://hl7.org/fhir/smart-app-launch/conformance.html
A refused assertion is `invalid_client` with status 400: status 401 is for clients that
authenticated with the Authorization header (RFC 6749 section 5.2), as a secret by HTTP Basic.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from urllib.parse import unquote_plus

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from himdesk.domain.api_clients import ScopeRefused
from himdesk.domain.client_assertions import ASSERTION_TYPE, AssertionRefused
from himdesk.interop.fhir.capability import smart_configuration, token_url
from himdesk.services.api_clients import ClientRejected, IssuedToken, issue_token
from himdesk.services.client_assertions import issue_token_for_assertion
from himdesk.services.ports import UnitOfWork
from himdesk.web.fhir_responses import FhirRoute
from himdesk.web.sessions import client_of, himdesk_of

router = APIRouter(prefix="/fhir/R4", route_class=FhirRoute)


def fhir_base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir/R4"


def _oauth(status: int, body: dict[str, object], headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status_code=status, media_type="application/json",
                    headers={"Pragma": "no-cache", **(headers or {})})  # fmt: skip


def _refused(status: int, error: str, description: str) -> Response:
    headers = {"WWW-Authenticate": 'Basic realm="himdesk"'} if status == 401 else None
    return _oauth(status, {"error": error, "error_description": description}, headers)


@router.get("/.well-known/smart-configuration")
def smart_config(request: Request) -> Response:
    return _oauth(200, smart_configuration(fhir_base(request)))


def _credentials(request: Request, form: dict[str, str]) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, colon, secret = decoded.partition(":")
        return (unquote_plus(client_id), unquote_plus(secret)) if colon else None
    if form.get("client_id") and form.get("client_secret"):
        return form["client_id"], form["client_secret"]
    return None


@router.post("/auth/token")
async def token(request: Request) -> Response:
    """A bearer token for client credentials; errors as RFC 6749 section 5.2 describes."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    if form.get("grant_type") != "client_credentials":
        return _refused(400, "unsupported_grant_type", "use grant_type=client_credentials")
    if "client_assertion" in form or "client_assertion_type" in form:
        if "client_secret" in form or "authorization" in request.headers:
            return _refused(400, "invalid_request", "authenticate one way: a client assertion "
                            "or a client secret, not both")  # fmt: skip
        return await _by_assertion(request, form)
    credentials = _credentials(request, form)
    if credentials is None:
        return _refused(401, "invalid_client", "send client_id and client_secret (HTTP Basic "
                        "or form fields)")  # fmt: skip
    address, scope = client_of(request), form.get("scope")
    return await _answer(request, lambda uow: issue_token(uow, *credentials, scope, address))


async def _by_assertion(request: Request, form: dict[str, str]) -> Response:
    """A token for a signed JWT assertion (`private_key_jwt`); its `aud` must be this
    endpoint's URL as the client reaches it."""
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        return _refused(400, "invalid_client", f"client_assertion_type must be {ASSERTION_TYPE}")
    if not form.get("client_assertion"):
        return _refused(400, "invalid_client", "client_assertion is empty: send the signed JWT")
    address, audience = client_of(request), token_url(fhir_base(request))

    def issue(uow: UnitOfWork) -> IssuedToken:
        return issue_token_for_assertion(uow, form["client_assertion"], form.get("client_id"),
                                         form.get("scope"), audience, address)  # fmt: skip

    return await _answer(request, issue)


async def _answer(request: Request, issue: Callable[[UnitOfWork], IssuedToken]) -> Response:
    """Issue in a worker thread (the services are synchronous); refusals as OAuth errors."""
    himdesk = himdesk_of(request)

    def issued_token() -> IssuedToken:
        with himdesk.unit_of_work() as uow:
            return issue(uow)

    try:
        issued = await run_in_threadpool(issued_token)
    except ClientRejected as rejected:
        return _refused(401, "invalid_client", str(rejected))
    except AssertionRefused as refused:
        return _refused(400, "invalid_client", str(refused))
    except ScopeRefused as refused:
        return _refused(400, "invalid_scope", str(refused))
    return _oauth(200, {"access_token": issued.access_token, "token_type": issued.token_type,
                        "expires_in": issued.expires_in, "scope": issued.scope})  # fmt: skip
