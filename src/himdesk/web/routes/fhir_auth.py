"""The FHIR API's token endpoint (OAuth 2.0 client credentials) and SMART configuration.

RFC 6749 section 4.4 (client credentials), 2.3.1 (client secret by HTTP Basic or form) and
5.2 (error responses); https://hl7.org/fhir/smart-app-launch/conformance.html
"""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import unquote_plus

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from himdesk.domain.api_clients import ScopeRefused
from himdesk.interop.fhir.capability import smart_configuration
from himdesk.services.api_clients import ClientRejected, IssuedToken, issue_token
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
    if "client_assertion" in form:
        return _refused(400, "invalid_request", "private_key_jwt client assertions are not "
                        "supported yet; authenticate with the client secret")  # fmt: skip
    credentials = _credentials(request, form)
    if credentials is None:
        return _refused(401, "invalid_client", "send client_id and client_secret (HTTP Basic "
                        "or form fields)")  # fmt: skip
    himdesk, address = himdesk_of(request), client_of(request)

    def issue() -> IssuedToken:
        with himdesk.unit_of_work() as uow:
            return issue_token(uow, *credentials, form.get("scope"), address)

    try:
        issued = await run_in_threadpool(issue)
    except ClientRejected as rejected:
        return _refused(401, "invalid_client", str(rejected))
    except ScopeRefused as refused:
        return _refused(400, "invalid_scope", str(refused))
    return _oauth(200, {"access_token": issued.access_token, "token_type": issued.token_type,
                        "expires_in": issued.expires_in, "scope": issued.scope})  # fmt: skip
