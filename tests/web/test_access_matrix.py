"""The access matrix: every route × every role, allowed or denied, from the route table.

Each route names the permission it needs; a route missing from ROUTE_PERMISSIONS fails the
test, so a new page cannot ship without a decision about who may use it.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from himdesk.domain.access import USER_ROLES, Action, Role, is_permitted
from himdesk.web.app import ROUTERS
from tests.web.conftest import LogIn, csrf_of

PUBLIC = "public"  # the login steps, before anyone is signed in
SIGNED_IN = "signed-in"  # any role once signed in
# The FHIR API: a bearer token of an API client, never a session; its scopes are checked
# route by route in tests/web/test_fhir_api.py.
API_TOKEN = "api-token"

ROUTE_PERMISSIONS: dict[str, str | Action] = {
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    "GET /login/second-factor": PUBLIC,
    "POST /login/second-factor": PUBLIC,
    "GET /login/enroll": PUBLIC,
    "POST /login/enroll": PUBLIC,
    "POST /logout": SIGNED_IN,
    "GET /": SIGNED_IN,
    "GET /patients": Action.SEARCH_PATIENTS,
    "GET /patients/{patient_id}": Action.READ_CHART,
    "GET /patients/{patient_id}/demographics": Action.EDIT_DEMOGRAPHICS,
    "POST /patients/{patient_id}/demographics": Action.EDIT_DEMOGRAPHICS,
    "GET /patients/{patient_id}/history": Action.READ_CHART,
    "GET /patients/{patient_id}/access-history": Action.READ_ACCESS_HISTORY,
    "GET /patients/{patient_id}/documents/{document_id}": Action.READ_CHART,
    "POST /patients/{patient_id}/documents/{document_id}/sign": Action.SIGN_DOCUMENT,
    "POST /patients/{patient_id}/documents/{document_id}/amend": Action.WRITE_DOCUMENT,
    "POST /patients/{patient_id}/access": Action.READ_CHART,
    "GET /privacy/reviews": Action.REVIEW_ACCESS,
    "POST /privacy/reviews/{flag_id}": Action.REVIEW_ACCESS,
    "GET /patients/{patient_id}/access-report.csv": Action.AUDIT_REPORT,
    "GET /privacy/users/{username}/access-report.csv": Action.AUDIT_REPORT,
    "POST /patients/{patient_id}/restrictions": Action.SET_RESTRICTION,
    "GET /amendments": Action.DECIDE_AMENDMENT,
    "GET /patients/{patient_id}/amendments/new": Action.RECORD_AMENDMENT_REQUEST,
    "POST /patients/{patient_id}/amendments": Action.RECORD_AMENDMENT_REQUEST,
    "GET /amendments/{request_id}": Action.RECORD_AMENDMENT_REQUEST,
    "POST /amendments/{request_id}/accept-document": Action.DECIDE_AMENDMENT,
    "POST /amendments/{request_id}/accept-demographics": Action.DECIDE_AMENDMENT,
    "POST /amendments/{request_id}/deny": Action.DECIDE_AMENDMENT,
    "POST /amendments/{request_id}/disagreement": Action.RECORD_AMENDMENT_REQUEST,
    "GET /completeness": Action.ANALYZE_CHARTS,
    "GET /encounters/{encounter_id}/analysis": Action.ANALYZE_CHARTS,
    "POST /encounters/{encounter_id}/analysis/run": Action.ANALYZE_CHARTS,
    "POST /encounters/{encounter_id}/analysis/complete": Action.ANALYZE_CHARTS,
    "POST /deficiencies/{deficiency_id}/waive": Action.ANALYZE_CHARTS,
    "GET /delinquency": Action.REPORT_COMPLETENESS,
    "GET /encounters/{encounter_id}/queries/new": Action.SEND_QUERY,
    "POST /encounters/{encounter_id}/queries": Action.SEND_QUERY,
    "GET /queries": Action.SEND_QUERY,
    "POST /queries/escalate": Action.SEND_QUERY,
    "GET /queries/{query_id}": Action.READ_CHART,
    "POST /queries/{query_id}/answer": Action.ANSWER_QUERY,
    "GET /inbox": Action.ANSWER_QUERY,
    "GET /imports": Action.IMPORT_RECORDS,
    "POST /imports": Action.IMPORT_RECORDS,
    "GET /imports/holds": Action.REVIEW_IMPORTS,
    "GET /imports/holds/{hold_id}": Action.REVIEW_IMPORTS,
    "POST /imports/holds/{hold_id}": Action.REVIEW_IMPORTS,
    "GET /imports/rejections": Action.REVIEW_IMPORTS,
    "GET /imports/rejections/{rejection_id}": Action.REVIEW_IMPORTS,
    "POST /imports/rejections/{rejection_id}": Action.REVIEW_IMPORTS,
    "GET /merges": Action.MERGE_PATIENTS,
    "POST /merges/{merge_id}/undo": Action.MERGE_PATIENTS,
    "GET /coding/codes": Action.LOOKUP_CODES,
    "GET /coding/codes/{code}": Action.LOOKUP_CODES,
    "GET /coding/neoplasms": Action.LOOKUP_CODES,
    "GET /coding/drugs": Action.LOOKUP_CODES,
    "GET /coding/pcs": Action.LOOKUP_CODES,
    "GET /coding/encoder": Action.LOOKUP_CODES,
    "GET /coding/encoder/results": Action.LOOKUP_CODES,
    "GET /coding": Action.CODE_ENCOUNTERS,
    "GET /coding/encounters/{encounter_id}": Action.CODE_ENCOUNTERS,
    "POST /coding/encounters/{encounter_id}": Action.CODE_ENCOUNTERS,
    "POST /coding/encounters/{encounter_id}/final": Action.CODE_ENCOUNTERS,
    "POST /coding/encounters/{encounter_id}/reopen": Action.CODE_ENCOUNTERS,
    "POST /coding/encounters/{encounter_id}/preview": Action.CODE_ENCOUNTERS,
    "GET /coding/productivity": Action.REPORT_CODING,
    "GET /fhir/R4/metadata": PUBLIC,
    "GET /fhir/R4/.well-known/smart-configuration": PUBLIC,
    "POST /fhir/R4/auth/token": PUBLIC,  # client credentials, checked by the endpoint
    "GET /fhir/R4/{resource_type}": API_TOKEN,
    "GET /fhir/R4/{resource_type}/{resource_id}": API_TOKEN,
    "GET /fhir/R4/Patient/{patient_id}/$everything": API_TOKEN,
    # Bulk export: scopes and job ownership checked in tests/web/test_bulk_export_api.py.
    "GET /fhir/R4/$export": API_TOKEN,
    "GET /fhir/R4/Patient/$export": API_TOKEN,
    "GET /fhir/R4/$export-status/{token}": API_TOKEN,
    "DELETE /fhir/R4/$export-status/{token}": API_TOKEN,
    "GET /fhir/R4/$export-file/{token}/{file_id}": API_TOKEN,
}


def _route_table() -> list[str]:
    return sorted(
        f"{method} {route.path}"
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    )


# Well-formed values for every form field, so refusals come from permissions, not shapes.
FORM = {"version": "1", "text": "Amended", "reason": "x", "target": "document", "target_id": "1"}


def test_every_route_has_a_permission_entry() -> None:
    assert sorted(ROUTE_PERMISSIONS) == _route_table()


def _allowed(role: Role, needed: str | Action) -> bool:
    return needed in (PUBLIC, SIGNED_IN) or is_permitted(role, Action(needed))


@pytest.mark.parametrize("role", USER_ROLES)
def test_each_role_reaches_exactly_the_routes_its_permissions_allow(
    role: Role, log_in: LogIn, targets: dict[str, str]
) -> None:
    client: TestClient = log_in(role.value)
    token = csrf_of(client.get("/").text)
    wrong = []
    for key, needed in ROUTE_PERMISSIONS.items():
        if needed in (PUBLIC, API_TOKEN) or key == "POST /logout":
            continue
        method, template = key.split(" ", 1)
        path = re.sub(r"\{(\w+)\}", lambda m: targets[m.group(1)], template)
        if method == "GET":
            query = {"q": "nguyen", "target": "document", "target_id": targets["document_id"]}
            response = client.get(path, params=query)
        else:
            response = client.post(path, data={"csrf_token": token, **FORM})
        refused = response.status_code == 403 and "Not permitted" in response.text
        if refused == _allowed(role, needed) or response.status_code >= 500:
            wrong.append(f"{key}: {response.status_code} {response.text[-300:]}")
    assert wrong == []
