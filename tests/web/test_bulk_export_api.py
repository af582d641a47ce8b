"""The FHIR Bulk Data export flow over HTTP, with bearer tokens, on every backend."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from functools import partial
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.services.api_clients import issue_token, register_client
from himdesk.web.app import create_app
from tests.integration.test_bulk_export import hospital

__all__ = ["hospital"]  # the two-patient chart of the service tests, shared as a fixture
ADMIN = Actor(user_id=1, username="admin", role=Role.ADMIN)
KICK_OFF = {"Accept": "application/fhir+json", "Prefer": "respond-async"}
Token = Callable[..., dict[str, str]]


class DeferredExecutor:
    """Holds submitted jobs until the test runs them, so it can see them waiting."""

    def __init__(self) -> None:
        self.waiting: list[Callable[[], object]] = []

    def submit(self, fn: Callable[..., object], *args: Any, **kwargs: Any) -> Future[object]:
        self.waiting.append(partial(fn, *args, **kwargs))
        return Future()

    def run_all(self) -> None:
        while self.waiting:
            self.waiting.pop(0)()


@pytest.fixture
def worker() -> DeferredExecutor:
    return DeferredExecutor()


@pytest.fixture
def api(himdesk: Himdesk, hospital: dict[str, int], worker: DeferredExecutor) -> TestClient:
    app = create_app(himdesk)
    app.state.export_executor = worker
    return TestClient(app, follow_redirects=False)


@pytest.fixture
def token(himdesk: Himdesk) -> Token:
    """Authorization headers for a newly registered client with these scopes."""

    def for_scopes(*scopes: str) -> dict[str, str]:
        with himdesk.unit_of_work() as uow:
            registered = register_client(uow, ADMIN, "Registry", scopes or ["system/*.read"])
        with himdesk.unit_of_work() as uow:
            issued = issue_token(uow, registered.client.client_id, registered.secret, None, "t")
        return {"Authorization": f"Bearer {issued.access_token}"}

    return for_scopes


def _kick_off(api: TestClient, auth: dict[str, str], path: str = "/fhir/R4/$export",
              **params: str) -> str:  # fmt: skip
    response = api.get(path, params=params, headers=KICK_OFF | auth)
    assert response.status_code == 202, response.text
    return response.headers["content-location"]


def _issue(response: Any) -> str:
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert response.headers["content-type"].startswith("application/fhir+json")
    return str(body["issue"][0]["diagnostics"])


def test_kick_off_poll_and_download_the_files(
    api: TestClient, token: Token, worker: DeferredExecutor
) -> None:
    auth = token()
    status_url = _kick_off(api, auth)
    assert status_url.startswith("http://testserver/fhir/R4/$export-status/")
    waiting = api.get(status_url, headers=auth)
    assert waiting.status_code == 202
    assert waiting.headers["x-progress"] == "accepted, waiting to start"
    worker.run_all()
    done = api.get(status_url, headers=auth)
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["request"] == "http://testserver/fhir/R4/$export"
    assert body["requiresAccessToken"] is True and body["error"] == []
    assert "expires" in done.headers
    counts = {}
    for output in body["output"]:
        file = api.get(output["url"], headers=auth)
        assert file.status_code == 200
        assert file.headers["content-type"].startswith("application/fhir+ndjson")
        lines = [orjson.loads(line) for line in file.text.splitlines()]
        assert {r["resourceType"] for r in lines} == {output["type"]}
        counts[output["type"]] = len(lines)
    assert counts == {"Patient": 2, "Encounter": 2, "Observation": 2, "AllergyIntolerance": 1,
                      "DocumentReference": 2, "Practitioner": 1}  # fmt: skip


def test_a_patient_level_export_with_types(
    api: TestClient, token: Token, worker: DeferredExecutor
) -> None:
    auth = token()
    status_url = _kick_off(api, auth, "/fhir/R4/Patient/$export", _type="Patient,Encounter",
                           _outputFormat="ndjson")  # fmt: skip
    worker.run_all()
    body = api.get(status_url, headers=auth).json()
    assert sorted(o["type"] for o in body["output"]) == ["Encounter", "Patient"]


@pytest.mark.parametrize(
    ("headers", "params", "problem"),
    [
        ({"Accept": "application/fhir+json"}, {}, "Prefer: respond-async"),
        (KICK_OFF | {"Accept": "text/html"}, {}, "Accept"),
        (KICK_OFF, {"_type": "Patient,Claim"}, "Claim"),
        (KICK_OFF, {"_since": "last week"}, "_since"),
        (KICK_OFF, {"_outputFormat": "text/csv"}, "_outputFormat"),
        (KICK_OFF, {"_typeFilter": "Observation?code=1"}, "_typeFilter"),
    ],
)
def test_a_kick_off_the_server_cannot_honour_is_a_400_outcome(
    api: TestClient, token: Token, headers: dict[str, str], params: dict[str, str], problem: str
) -> None:
    response = api.get("/fhir/R4/$export", params=params, headers=headers | token())
    assert response.status_code == 400
    assert problem in _issue(response)


def test_practitioners_cannot_be_asked_for_at_patient_level(api: TestClient, token: Token) -> None:
    response = api.get("/fhir/R4/Patient/$export", params={"_type": "Practitioner"},
                       headers=KICK_OFF | token())  # fmt: skip
    assert response.status_code == 400 and "Practitioner" in _issue(response)


def test_lenient_handling_ignores_parameters_the_server_does_not_support(
    api: TestClient, token: Token
) -> None:
    headers = KICK_OFF | {"Prefer": "respond-async, handling=lenient"} | token()
    response = api.get("/fhir/R4/$export", params={"_elements": "id"}, headers=headers)
    assert response.status_code == 202


def test_a_type_outside_the_clients_scopes_is_forbidden(api: TestClient, token: Token) -> None:
    auth = token("system/Patient.read")
    response = api.get("/fhir/R4/$export", params={"_type": "Observation"},
                       headers=KICK_OFF | auth)  # fmt: skip
    assert response.status_code == 403 and "Observation" in _issue(response)


def test_without_a_valid_bearer_token_nothing_is_exported(api: TestClient) -> None:
    response = api.get("/fhir/R4/$export", headers=KICK_OFF)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    forged = api.get("/fhir/R4/$export", headers=KICK_OFF | {"Authorization": "Bearer forged"})
    assert forged.status_code == 401


def test_another_clients_job_status_and_files_are_forbidden(
    api: TestClient, token: Token, worker: DeferredExecutor
) -> None:
    mine, theirs = token(), token()
    status_url = _kick_off(api, mine)
    worker.run_all()
    file_url = api.get(status_url, headers=mine).json()["output"][0]["url"]
    assert api.get(status_url, headers=theirs).status_code == 403
    assert api.get(file_url, headers=theirs).status_code == 403
    assert api.delete(status_url, headers=theirs).status_code == 403
    assert api.get(file_url, headers=mine).status_code == 200


def test_an_unknown_job_or_file_is_not_found(
    api: TestClient, token: Token, worker: DeferredExecutor
) -> None:
    auth = token()
    assert api.get("/fhir/R4/$export-status/no-such-job", headers=auth).status_code == 404
    status_url = _kick_off(api, auth)
    worker.run_all()
    token_part = status_url.rsplit("/", 1)[1]
    missing = api.get(f"/fhir/R4/$export-file/{token_part}/999999", headers=auth)
    assert missing.status_code == 404 and "999999" in _issue(missing)


def test_delete_cancels_the_job_and_its_status_is_then_gone(
    api: TestClient, token: Token, worker: DeferredExecutor
) -> None:
    auth = token()
    status_url = _kick_off(api, auth)
    assert api.delete(status_url, headers=auth).status_code == 202
    worker.run_all()
    assert api.get(status_url, headers=auth).status_code == 404
    assert api.delete(status_url, headers=auth).status_code == 404


@pytest.fixture
def threaded_api(himdesk: Himdesk, hospital: dict[str, int]) -> Iterator[TestClient]:
    app = create_app(himdesk)
    yield TestClient(app, follow_redirects=False)
    executor = getattr(app.state, "export_executor", None)
    if executor is not None:
        executor.shutdown(wait=True)


def test_without_an_injected_executor_the_job_runs_on_a_worker_thread(
    threaded_api: TestClient, token: Token
) -> None:
    auth = token()
    status_url = _kick_off(threaded_api, auth)
    for _ in range(600):  # waits for completion; not a timing assertion
        response = threaded_api.get(status_url, headers=auth)
        if response.status_code != 202:
            break
        time.sleep(0.05)
    assert response.status_code == 200, response.text
    assert {o["type"] for o in response.json()["output"]} >= {"Patient", "Encounter"}
