"""The FHIR R4 API over HTTP: tokens, scopes, searches, paging, refusals and the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B import get_fhir_model_class
from httpx import Response
from sqlalchemy import func, select

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.services import fhir_reads
from himdesk.services.access_control import restrict_patient
from himdesk.services.api_clients import RegisteredClient, register_client
from himdesk.storage import tables as t
from himdesk.web.app import create_app
from tests.fakes import ChartBuilder, FakeClock

ADMIN = Actor(user_id=1, username="root", role=Role.ADMIN)
MANAGER = Actor(user_id=2, username="mia", role=Role.HIM_MANAGER)
R4 = "/fhir/R4"
Ids = dict[str, int]


@pytest.fixture
def ids(himdesk: Himdesk) -> Ids:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        patient = build.patient()
        stay = build.inpatient_stay(patient, doctor)
        build.document(patient, stay, doctor)
        labelled = build.document(patient, stay, doctor, text="Counselling.",
                                  sensitivity=SensitiveCategory.BEHAVIORAL_HEALTH)  # fmt: skip
        for hours in range(1, 8):
            build.sodium(patient, stay, str(130 + hours), hours_ago=hours * 24)
        build.allergy(patient)
        vip = build.patient(mrn="M0000002", family="Nguyen", given="Bao", ssn="")
        vip_stay = build.inpatient_stay(vip, doctor, account="A2")
        build.sodium(vip, vip_stay, "140", hours_ago=2)
        uow.commit()
    with himdesk.unit_of_work() as uow:
        assert vip.id is not None
        restrict_patient(uow, MANAGER, vip.id, "vip", "Member of the hospital board")
    return {"patient": patient.id or 0, "vip": vip.id, "labelled": labelled.id or 0,
            "doctor": doctor.id or 0}  # fmt: skip


@pytest.fixture
def api(himdesk: Himdesk) -> TestClient:
    return TestClient(create_app(himdesk), follow_redirects=False)


def registered(himdesk: Himdesk, *scopes: str) -> RegisteredClient:
    with himdesk.unit_of_work() as uow:
        return register_client(uow, ADMIN, "County HIE", list(scopes))


def token_for(api: TestClient, client: RegisteredClient, **form: str) -> str:
    response = api.post(f"{R4}/auth/token", data={"grant_type": "client_credentials", **form},
                        auth=(client.client.client_id, client.secret))  # fmt: skip
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


@pytest.fixture
def reader(himdesk: Himdesk, api: TestClient, ids: Ids) -> dict[str, str]:
    """Headers of a client that may read everything."""
    client = registered(himdesk, "system/*.read")
    return {"Authorization": f"Bearer {token_for(api, client)}"}


def fhir(response: Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    body: dict[str, Any] = response.json()
    get_fhir_model_class(body["resourceType"]).model_validate(body)
    return body


def outcome(response: Response, status: int) -> str:
    body = fhir(response, status)
    assert body["resourceType"] == "OperationOutcome" and "Traceback" not in response.text
    diagnostics: str = body["issue"][0]["diagnostics"]
    return diagnostics


def test_the_capability_statement_and_smart_configuration_need_no_token(api: TestClient) -> None:
    statement = fhir(api.get(f"{R4}/metadata"))
    assert statement["fhirVersion"] == "4.0.1"
    smart = api.get(f"{R4}/.well-known/smart-configuration").json()
    assert smart["token_endpoint"] == "http://testserver/fhir/R4/auth/token"
    assert smart["grant_types_supported"] == ["client_credentials"]


def test_a_token_comes_with_the_secret_by_basic_auth_or_by_form(
    himdesk: Himdesk, api: TestClient
) -> None:
    client = registered(himdesk, "system/Patient.read", "system/Observation.read")
    by_form = api.post(f"{R4}/auth/token", data={
        "grant_type": "client_credentials", "client_id": client.client.client_id,
        "client_secret": client.secret, "scope": "system/Observation.read"})  # fmt: skip
    assert by_form.status_code == 200 and by_form.headers["cache-control"] == "no-store"
    assert by_form.json()["token_type"] == "bearer"
    assert by_form.json()["scope"] == "system/Observation.read"
    assert token_for(api, client)


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [({"grant_type": "password"}, 400, "unsupported_grant_type"),
     ({"grant_type": "client_credentials", "scope": "system/*.read"}, 400, "invalid_scope"),
     ({"grant_type": "client_credentials", "client_assertion": "x.y.z"}, 400, "invalid_request")],
)  # fmt: skip
def test_token_requests_are_refused_with_oauth_errors(
    himdesk: Himdesk, api: TestClient, form: dict[str, str], status: int, error: str
) -> None:
    client = registered(himdesk, "system/Patient.read")
    response = api.post(f"{R4}/auth/token", data=form,
                        auth=(client.client.client_id, client.secret))  # fmt: skip
    assert (response.status_code, response.json()["error"]) == (status, error)


@pytest.mark.parametrize(
    "form",
    [{}, {"grant_type": "client_credentials"},
     {"grant_type": "client_credentials", "client_id": "x" * 300_000, "client_secret": "y"},
     {"grant_type": "client_credentials", "client_id": "\x00<script>", "client_secret": "\x00"}],
)  # fmt: skip
def test_bad_token_requests_are_refused_clearly_and_issue_nothing(
    himdesk: Himdesk, api: TestClient, form: dict[str, str]
) -> None:
    registered(himdesk, "system/Patient.read")
    response = api.post(f"{R4}/auth/token", data=form)
    assert 400 <= response.status_code < 500 and response.json()["error"]
    assert "Traceback" not in response.text
    with himdesk.engine.connect() as db:
        assert db.execute(select(func.count()).select_from(t.api_tokens)).scalar_one() == 0


def test_a_wrong_secret_is_an_invalid_client(himdesk: Himdesk, api: TestClient) -> None:
    client = registered(himdesk, "system/Patient.read")
    response = api.post(f"{R4}/auth/token", data={"grant_type": "client_credentials"},
                        auth=(client.client.client_id, "wrong"))  # fmt: skip
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    assert response.headers["www-authenticate"].startswith("Basic")


@pytest.mark.parametrize("authorization", [None, "Bearer ", "Bearer made-up", "Basic abc"])
def test_api_calls_without_a_valid_token_are_401_outcomes(
    api: TestClient, ids: Ids, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = api.get(f"{R4}/Patient/{ids['patient']}", headers=headers)
    outcome(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_an_expired_token_is_refused(
    api: TestClient, reader: dict[str, str], ids: Ids, clock: FakeClock
) -> None:
    clock.advance(minutes=15)
    assert "expired" in outcome(api.get(f"{R4}/Patient/{ids['patient']}", headers=reader), 401)


def test_scopes_limit_what_a_token_reaches(himdesk: Himdesk, api: TestClient, ids: Ids) -> None:
    headers = {
        "Authorization": f"Bearer {token_for(api, registered(himdesk, 'system/Patient.read'))}"
    }
    assert fhir(api.get(f"{R4}/Patient/{ids['patient']}", headers=headers))["id"]
    observations = api.get(f"{R4}/Observation", params={"patient": ids["patient"]}, headers=headers)
    assert "Observation" in outcome(observations, 403)


def test_a_patient_is_read_with_address_but_never_the_ssn(
    api: TestClient, reader: dict[str, str], ids: Ids
) -> None:
    patient = fhir(api.get(f"{R4}/Patient/{ids['patient']}", headers=reader))
    assert [i["value"] for i in patient["identifier"]] == ["M0000001"]
    assert patient["address"][0]["line"] == ["12 Elm St"]


def test_searches_by_identifier_name_birthdate_code_and_date(
    api: TestClient, reader: dict[str, str], ids: Ids
) -> None:
    def total(path: str, **params: Any) -> int:
        found: int = fhir(api.get(f"{R4}/{path}", params=params, headers=reader))["total"]
        return found

    assert total("Patient", identifier="urn:himdesk:mrn:HIMDESK-GENERAL|M0000001") == 1
    assert total("Patient", name="nguy") == 1  # the VIP chart of another Nguyen is left out
    assert total("Patient", birthdate="1961-04-09") == 1
    assert total("Patient", birthdate="lt1961") == 0
    assert total("Observation", patient=ids["patient"], code="2951-2") == 7
    assert total("Observation", patient=f"Patient/{ids['patient']}", date="ge2026-10-30") == 3
    assert total("Encounter", patient=ids["patient"], identifier="A1") == 1
    assert total("AllergyIntolerance", patient=ids["patient"]) == 1
    assert total("Patient", _id=f"{ids['patient']},{'9' * 30}") == 1


def test_paging_follows_next_links_through_every_result(
    api: TestClient, reader: dict[str, str], ids: Ids
) -> None:
    url: str | None = f"{R4}/Observation?patient={ids['patient']}&_count=3"
    seen: list[str] = []
    while url:
        bundle = fhir(api.get(url, headers=reader))
        seen += [e["resource"]["id"] for e in bundle["entry"]]
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
    assert len(seen) == 7 and len(set(seen)) == 7


def test_a_vip_chart_is_refused_saying_why(
    api: TestClient, reader: dict[str, str], ids: Ids
) -> None:
    assert "restricted" in outcome(api.get(f"{R4}/Patient/{ids['vip']}", headers=reader), 403)
    search = api.get(f"{R4}/Observation", params={"patient": ids["vip"]}, headers=reader)
    assert "stated reason" in outcome(search, 403) or "states a reason" in outcome(search, 403)
    everything = api.get(f"{R4}/Patient/{ids['vip']}/$everything", headers=reader)
    assert "restricted" in outcome(everything, 403)


def test_labelled_documents_are_left_out_and_refused_when_asked_for(
    api: TestClient, reader: dict[str, str], ids: Ids
) -> None:
    documents = fhir(api.get(f"{R4}/DocumentReference", params={"patient": ids["patient"]},
                             headers=reader))  # fmt: skip
    assert documents["total"] == 1
    labelled = api.get(f"{R4}/DocumentReference/{ids['labelled']}", headers=reader)
    assert "restricted" in outcome(labelled, 403)


def test_everything_holds_the_whole_readable_record_as_valid_resources(
    api: TestClient, reader: dict[str, str], ids: Ids
) -> None:
    bundle = fhir(api.get(f"{R4}/Patient/{ids['patient']}/$everything", headers=reader))
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds[0] == "Patient" and kinds.count("Observation") == 7
    assert kinds.count("DocumentReference") == 1 and "Practitioner" in kinds
    for entry in bundle["entry"]:
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])


def test_each_read_is_audited_under_the_clients_name(
    himdesk: Himdesk, api: TestClient, reader: dict[str, str], ids: Ids
) -> None:
    api.get(f"{R4}/Observation", params={"patient": ids["patient"]}, headers=reader)
    with himdesk.unit_of_work() as uow:
        event = uow.audit.list_for_patient(ids["patient"], 1)[0].entry
    assert event.username.startswith("api:hd-") and event.role == "api_client"
    assert (event.action, event.object_type, event.outcome) == ("chart.read", "observation",
                                                                "success")  # fmt: skip
    assert event.client_address == "testclient"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/Claim", 404), ("GET", "/Patient/1/2/3", 404), ("POST", "/Patient", 405),
     ("GET", "/Observation?_sort=date", 400), ("GET", "/Patient/999999", 404),
     ("GET", "/Patient?name=%00nguyen", 400), ("GET", "/Patient?identifier=" + "9" * 5000, 400),
     ("GET", "/Patient?identifier=%00|%00", 400), ("GET", "/Patient/%00", 404),
     ("GET", "/Observation?_offset=" + "9" * 30, 400),
     ("GET", "/Observation?patient=" + "9" * 30, 400)],
)  # fmt: skip
def test_errors_are_operation_outcomes_never_pages(
    api: TestClient, reader: dict[str, str], method: str, path: str, status: int
) -> None:
    outcome(api.request(method, f"{R4}{path}", headers=reader), status)


def test_lenient_handling_ignores_unknown_parameters(
    api: TestClient, reader: dict[str, str]
) -> None:
    headers = {**reader, "Prefer": "handling=lenient"}
    assert fhir(api.get(f"{R4}/Observation?_sort=date", headers=headers))["type"] == "searchset"


def test_a_failure_inside_is_a_500_outcome_that_tells_nothing_of_the_record(
    api: TestClient, reader: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("Nguyen, Linh 123-45-6789")

    monkeypatch.setattr(fhir_reads, "search", broken)
    response = api.get(f"{R4}/Observation", headers=reader)
    assert "nothing was changed" in outcome(response, 500)
    assert "Nguyen" not in response.text
