"""The token endpoint with signed JWT client assertions (SMART Backend Services) over HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.domain.api_clients import ApiClient
from himdesk.services.client_assertions import register_client_with_keys
from himdesk.storage import tables as t
from himdesk.web.app import create_app
from tests.fakes import ChartBuilder, FakeClock
from tests.signing_keys import SigningKey, assertion_form, ec_key, rsa_key

ADMIN = Actor(user_id=1, username="root", role=Role.ADMIN)
R4 = "/fhir/R4"
TOKEN_URL = "http://testserver/fhir/R4/auth/token"


@pytest.fixture
def api(himdesk: Himdesk) -> TestClient:
    return TestClient(create_app(himdesk), follow_redirects=False)


@pytest.fixture
def keyed(himdesk: Himdesk) -> ApiClient:
    with himdesk.unit_of_work() as uow:
        return register_client_with_keys(uow, ADMIN, "State registry", ["system/*.read"],
                                         rsa_key().key_set(ec_key()))  # fmt: skip


@pytest.fixture
def patient_id(himdesk: Himdesk) -> int:
    with himdesk.unit_of_work() as uow:
        patient = ChartBuilder(uow).patient()
        uow.commit()
    return patient.id or 0


def ask(api: TestClient, assertion: str, **extra: str) -> Response:
    return api.post(f"{R4}/auth/token", data=assertion_form(assertion, **extra))


def refused(response: Response) -> str:
    """The description of an `invalid_client` refusal (400, as OAuth JSON, no traceback)."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, str] = response.json()
    assert body["error"] == "invalid_client" and "Traceback" not in response.text
    return body["error_description"]


def tokens_issued(himdesk: Himdesk) -> int:
    with himdesk.engine.connect() as db:
        count: int = db.execute(select(func.count()).select_from(t.api_tokens)).scalar_one()
    return count


@pytest.mark.parametrize("key", [rsa_key(), ec_key()], ids=["RS384", "ES384"])
def test_a_signed_assertion_gets_a_token_that_reads_the_api(
    api: TestClient, keyed: ApiClient, clock: FakeClock, patient_id: int, key: SigningKey
) -> None:
    signed = key.assertion(keyed.client_id, TOKEN_URL, clock())
    response = ask(api, signed, scope="system/Patient.rs")
    assert response.status_code == 200, response.text
    token: dict[str, Any] = response.json()
    assert (token["token_type"], token["expires_in"], token["scope"]) == (
        "bearer", 300, "system/Patient.read")  # fmt: skip
    assert response.headers["cache-control"] == "no-store"
    patient = api.get(f"{R4}/Patient/{patient_id}",
                      headers={"Authorization": f"Bearer {token['access_token']}"})  # fmt: skip
    assert patient.status_code == 200 and patient.json()["id"] == str(patient_id)


def test_rs256_and_es256_are_accepted_too(
    himdesk: Himdesk, api: TestClient, clock: FakeClock
) -> None:
    keys = (rsa_key("rsa-256", "RS256"), ec_key("ec-256", "ES256"))
    with himdesk.unit_of_work() as uow:
        client = register_client_with_keys(uow, ADMIN, "Lab", ["system/*.read"],
                                           keys[0].key_set(keys[1]))  # fmt: skip
    for key in keys:
        assert ask(api, key.assertion(client.client_id, TOKEN_URL, clock())).status_code == 200


def test_the_smart_configuration_offers_private_key_jwt(api: TestClient) -> None:
    smart = api.get(f"{R4}/.well-known/smart-configuration").json()
    assert smart["token_endpoint_auth_methods_supported"] == [
        "private_key_jwt", "client_secret_basic", "client_secret_post"]  # fmt: skip
    assert {"RS384", "ES384"} <= set(smart["token_endpoint_auth_signing_alg_values_supported"])
    assert "client-confidential-asymmetric" in smart["capabilities"]


def test_an_assertion_signed_with_another_key_is_refused(
    himdesk: Himdesk, api: TestClient, keyed: ApiClient, clock: FakeClock
) -> None:
    impostor = SigningKey("rsa-1", "RS384", rsa_key("impostor").private)
    description = refused(ask(api, impostor.assertion(keyed.client_id, TOKEN_URL, clock())))
    assert description == "the signature does not verify with key 'rsa-1' (RS384)"
    assert tokens_issued(himdesk) == 0


@pytest.mark.parametrize(
    ("claims", "expected"),
    [({"aud": "http://testserver/fhir/R4"}, "aud must be the token endpoint "
      "http://testserver/fhir/R4/auth/token"),
     ({"aud": "https://elsewhere.example/token"}, "aud must be the token endpoint"),
     ({"lifetime": timedelta(seconds=-60)}, "the assertion expired at"),
     ({"lifetime": timedelta(minutes=10)}, "more than five minutes ahead"),
     ({"sub": "hd-someone-else"}, "sub must be the client id"),
     ({"jti": ""}, "jti is missing")],
)  # fmt: skip
def test_assertions_with_wrong_claims_are_refused_saying_which(
    himdesk: Himdesk,
    api: TestClient,
    keyed: ApiClient,
    clock: FakeClock,
    claims: dict[str, Any],
    expected: str,
) -> None:
    settings = {"aud": TOKEN_URL, **claims}
    signed = ec_key().assertion(keyed.client_id, now=clock(), **settings)
    assert expected in refused(ask(api, signed))
    assert tokens_issued(himdesk) == 0


def test_a_replayed_assertion_is_refused(
    api: TestClient, keyed: ApiClient, clock: FakeClock
) -> None:
    signed = rsa_key().assertion(keyed.client_id, TOKEN_URL, clock())
    assert ask(api, signed).status_code == 200
    clock.advance(seconds=10)
    assert "jti was used already" in refused(ask(api, signed))


@pytest.mark.parametrize(
    ("header", "expected"),
    [({"kid": "retired-key"}, "no key with kid 'retired-key' is registered"),
     ({"jku": "https://attacker.example/jwks.json"}, "a jku header is not accepted")],
)  # fmt: skip
def test_assertions_naming_keys_not_registered_are_refused(
    api: TestClient, keyed: ApiClient, clock: FakeClock, header: dict[str, str], expected: str
) -> None:
    signed = rsa_key().assertion(keyed.client_id, TOKEN_URL, clock(), header=header)
    assert expected in refused(ask(api, signed))


def test_unsigned_and_shared_secret_assertions_are_refused(
    himdesk: Himdesk, api: TestClient, keyed: ApiClient, clock: FakeClock
) -> None:
    claims = {"iss": keyed.client_id, "sub": keyed.client_id, "aud": TOKEN_URL, "jti": "j1",
              "exp": int((clock() + timedelta(minutes=2)).timestamp())}  # fmt: skip
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": "rsa-1"})
    assert "alg 'none' is not accepted" in refused(ask(api, unsigned))
    # HS256 "signed" with the public key as the shared secret: the classic key confusion.
    public = rsa_key().jwk()["n"].encode()
    confused = jwt.encode(claims, public, algorithm="HS256", headers={"kid": "rsa-1"})
    assert "alg 'HS256' is not accepted" in refused(ask(api, confused))
    assert tokens_issued(himdesk) == 0


@pytest.mark.parametrize(
    ("form", "error", "expected"),
    [({"client_assertion_type": "urn:example:saml"}, "invalid_client",
      "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
     ({"client_assertion": ""}, "invalid_client", "client_assertion is empty"),
     ({"client_assertion": "not.a.jwt"}, "invalid_client", "is not a signed JWT"),
     ({"client_assertion": "x" * 9000}, "invalid_client", "longer than 8000 characters"),
     ({"client_id": "hd-other"}, "invalid_client", "is not the assertion's iss"),
     ({"client_secret": "also-a-secret"}, "invalid_request", "not both")],
)  # fmt: skip
def test_malformed_assertion_requests_are_refused_clearly(
    himdesk: Himdesk,
    api: TestClient,
    keyed: ApiClient,
    clock: FakeClock,
    form: dict[str, str],
    error: str,
    expected: str,
) -> None:
    signed = rsa_key().assertion(keyed.client_id, TOKEN_URL, clock())
    response = api.post(f"{R4}/auth/token", data={**assertion_form(signed), **form})
    assert (response.status_code, response.json()["error"]) == (400, error)
    assert expected in response.json()["error_description"]
    assert tokens_issued(himdesk) == 0


def test_an_assertion_from_an_unknown_client_is_refused_and_audited(
    himdesk: Himdesk, api: TestClient, clock: FakeClock
) -> None:
    signed = rsa_key().assertion("hd-nobody", TOKEN_URL, clock())
    assert refused(ask(api, signed)) == "iss names no active API client"
    with himdesk.unit_of_work() as uow:
        (event,) = [e.entry for e in uow.audit.iterate() if e.entry.action == "api.token"]
    assert (event.username, event.outcome) == ("api:hd-nobody", "invalid-client")
