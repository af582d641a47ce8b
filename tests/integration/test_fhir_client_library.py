"""The FHIR API as a real client library sees it: `fhirclient` against a running uvicorn server.

The client authenticates the SMART Backend Services way, with the library's own flow: it is
given a JWT assertion signed with the client's private key (ES384), finds the token endpoint
in the CapabilityStatement, chooses OAuth 2.0 because it holds an assertion, and posts the
client credentials grant with `client_assertion`. Then it reads, searches, follows paging
links and asks for `$everything`. A second client does the same with a client secret.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fhirclient import client as fhir_client
from fhirclient.auth import FHIRAuth
from fhirclient.models.bundle import Bundle
from fhirclient.models.observation import Observation
from fhirclient.models.patient import Patient
from fhirclient.server import FHIRUnauthorizedException
from requests import HTTPError

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.domain.api_clients import ApiClient
from himdesk.services.api_clients import RegisteredClient, register_client
from himdesk.services.client_assertions import register_client_with_keys
from himdesk.web.app import create_app
from tests.fakes import ChartBuilder, FakeClock
from tests.signing_keys import ec_key

ADMIN = Actor(user_id=1, username="root", role=Role.ADMIN)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(himdesk: Himdesk) -> Iterator[str]:
    """himdesk served by uvicorn in a thread; yields the FHIR base URL."""
    port = _free_port()
    config = uvicorn.Config(create_app(himdesk), host="127.0.0.1", port=port, log_level="error")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/fhir/R4"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def patient_id(himdesk: Himdesk) -> str:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        patient = build.patient()
        stay = build.inpatient_stay(patient, doctor)
        build.document(patient, stay, doctor)
        for day in range(1, 6):
            build.sodium(patient, stay, str(130 + day), hours_ago=day * 24)
        build.allergy(patient)
        uow.commit()
    return str(patient.id)


@pytest.fixture
def registered(himdesk: Himdesk) -> ApiClient:
    """A client registered with the public half of its ES384 key pair."""
    with himdesk.unit_of_work() as uow:
        return register_client_with_keys(uow, ADMIN, "fhirclient", ["system/*.read"],
                                         ec_key().key_set())  # fmt: skip


def connected(base: str, registered: ApiClient, clock: FakeClock) -> fhir_client.FHIRClient:
    """A client that read the CapabilityStatement and holds a token for its JWT assertion."""
    smart = fhir_client.FHIRClient(
        settings={"app_id": registered.client_id, "api_base": f"{base}/", "scope": "system/*.read"}
    )
    smart.wants_patient = False  # a backend service: no patient launch context
    smart_configuration = smart.server.request_json(".well-known/smart-configuration")
    assert "private_key_jwt" in smart_configuration["token_endpoint_auth_methods_supported"]
    # What the client's own signer does before each token request (the server's clock).
    token_endpoint = smart_configuration["token_endpoint"]
    smart.jwt_token = ec_key().assertion(registered.client_id, token_endpoint, clock())
    smart.prepare()  # reads the CapabilityStatement; with an assertion in hand it picks OAuth 2.0
    smart.authorize()
    assert smart.ready
    return smart


def test_the_client_reads_a_patient(
    server: str, registered: ApiClient, patient_id: str, clock: FakeClock
) -> None:
    smart = connected(server, registered, clock)
    patient = Patient.read(patient_id, smart.server)
    assert patient.name[0].family == "Nguyen" and patient.birthDate.isostring == "1961-04-09"
    assert patient.identifier[0].value == "M0000001"


def test_the_client_searches_observations_by_patient_and_code_and_follows_paging(
    server: str, registered: ApiClient, patient_id: str, clock: FakeClock
) -> None:
    smart = connected(server, registered, clock)
    search = Observation.where(struct={"patient": patient_id, "code": "2951-2", "_count": "2"})
    pages = list(search.perform_iter(smart.server))
    assert len(pages) == 3 and pages[0].total == 5
    results = [entry.resource for page in pages for entry in page.entry]
    assert sorted(o.valueQuantity.value for o in results) == [131, 132, 133, 134, 135]
    assert {o.valueQuantity.unit for o in results} == {"mmol/L"}


def test_the_client_gets_the_whole_record_with_everything(
    server: str, registered: ApiClient, patient_id: str, clock: FakeClock
) -> None:
    smart = connected(server, registered, clock)
    bundle = Bundle(smart.server.request_json(f"Patient/{patient_id}/$everything"))
    kinds = [entry.resource.resource_type for entry in bundle.entry]
    assert kinds[0] == "Patient"
    assert {"Practitioner", "Encounter", "Observation", "AllergyIntolerance",
            "DocumentReference"} <= set(kinds)  # fmt: skip


def test_without_a_token_the_client_is_refused(server: str, patient_id: str) -> None:
    anonymous = fhir_client.FHIRClient(settings={"app_id": "nobody", "api_base": f"{server}/"})
    with pytest.raises(FHIRUnauthorizedException):
        Patient.read(patient_id, anonymous.server)


def test_a_client_with_a_secret_authenticates_by_http_basic(
    himdesk: Himdesk, server: str, patient_id: str
) -> None:
    with himdesk.unit_of_work() as uow:
        registered: RegisteredClient = register_client(uow, ADMIN, "fhirclient", ["system/*.read"])
    settings = {"app_id": registered.client.client_id, "api_base": f"{server}/",
                "scope": "system/*.read"}  # fmt: skip
    smart = fhir_client.FHIRClient(settings=settings)
    smart.wants_patient = False
    token_uri = smart.server.request_json(".well-known/smart-configuration")["token_endpoint"]
    # fhirclient picks OAuth 2.0 by itself only with an assertion; its OAuth code with a secret.
    smart.server.auth = FHIRAuth.create("oauth2", state={
        "app_id": registered.client.client_id, "app_secret": registered.secret,
        "token_uri": token_uri})  # fmt: skip
    smart.server.authorize()
    assert Patient.read(patient_id, smart.server).identifier[0].value == "M0000001"


def test_a_replayed_assertion_gets_no_second_token(
    server: str, registered: ApiClient, clock: FakeClock
) -> None:
    smart = connected(server, registered, clock)
    with pytest.raises(HTTPError) as refused:
        smart.authorize()  # the same assertion again
    assert refused.value.response.status_code == 400
    assert "jti was used already" in refused.value.response.json()["error_description"]
