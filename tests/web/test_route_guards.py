"""Every route is closed to anonymous users, generated from the route table itself."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from himdesk.bootstrap import Himdesk
from himdesk.web.app import ROUTERS
from tests.fakes import FakeClock
from tests.web.conftest import PASSWORD, LogIn, csrf_of, current_code, enter_code
from tests.web.test_access_matrix import PUBLIC, ROUTE_PERMISSIONS

OPEN = {"/login"}
FHIR_API = "/fhir/"


def _routes() -> list[tuple[str, str]]:
    found = []
    for route in (r for router in ROUTERS for r in router.routes):
        if isinstance(route, APIRoute) and route.path not in OPEN:
            path = re.sub(r"\{[^}]+\}", "1", route.path)
            found += [(method, path) for method in sorted(route.methods)]
    return found


def test_the_route_table_is_not_empty() -> None:
    assert ("GET", "/patients/1") in _routes()
    assert ("POST", "/patients/1/demographics") in _routes()


def test_anonymous_requests_to_any_route_are_sent_to_login(
    client: TestClient, himdesk: Himdesk, seeded: dict[str, int]
) -> None:
    for method, path in _routes():
        if path.startswith(FHIR_API):
            continue  # bearer tokens, not logins: see the next test
        response = client.request(method, path, data={"csrf_token": "x"})
        assert response.status_code == 303, (method, path)
        assert response.headers["location"].startswith("/login"), (method, path)


def test_anonymous_requests_to_the_fhir_api_are_refused_as_operation_outcomes(
    client: TestClient, himdesk: Himdesk, seeded: dict[str, int]
) -> None:
    public = {re.sub(r"\{[^}]+\}", "1", key.split(" ", 1)[1])
              for key, needed in ROUTE_PERMISSIONS.items() if needed == PUBLIC}  # fmt: skip
    for method, path in _routes():
        if not path.startswith(FHIR_API) or path in public:
            continue
        response = client.request(method, path)
        assert response.status_code == 401, (method, path)
        assert response.json()["resourceType"] == "OperationOutcome", (method, path)


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "javascript:x"])
def test_login_never_redirects_off_site(
    log_in: LogIn, client: TestClient, clock: FakeClock, target: str
) -> None:
    form = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": "hit",
            "password": PASSWORD,
            "csrf_token": csrf_of(form.text),
            "next": target,
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login/second-factor?next=%2F"
    response = enter_code(client, f"/login/second-factor?{urlencode({'next': target})}",
                          current_code(clock))  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == "/"
