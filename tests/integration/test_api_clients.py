"""API clients: registration with a secret or public keys, client-credentials tokens (by secret
or signed JWT assertion), scopes, expiry, key rotation and revocation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.domain.api_clients import ApiClient, ScopeRefused
from himdesk.domain.client_assertions import AssertionRefused
from himdesk.domain.client_keys import checked_key_set
from himdesk.domain.demographics import InvalidInput
from himdesk.services.api_clients import (
    ClientRejected,
    RegisteredClient,
    TokenRejected,
    authenticate,
    issue_token,
    list_clients,
    register_client,
    revoke_client,
)
from himdesk.services.client_assertions import (
    issue_token_for_assertion,
    register_client_with_keys,
    replace_client_keys,
)
from himdesk.services.errors import NotFound
from himdesk.storage import tables as t
from tests.fakes import FakeClock
from tests.signing_keys import SigningKey, ec_key, rsa_key

ADMIN = Actor(user_id=1, username="root", role=Role.ADMIN)
MANAGER = Actor(user_id=2, username="mia", role=Role.HIM_MANAGER)


@pytest.fixture
def client(himdesk: Himdesk) -> RegisteredClient:
    with himdesk.unit_of_work() as uow:
        return register_client(uow, ADMIN, "County HIE",
                               ["system/Patient.read", "system/Observation.rs"])  # fmt: skip


def test_a_registered_client_gets_an_id_and_a_secret_that_is_stored_only_as_a_hash(
    himdesk: Himdesk, client: RegisteredClient
) -> None:
    assert client.client.client_id.startswith("hd-") and len(client.secret) >= 40
    with himdesk.unit_of_work() as uow:
        stored = list_clients(uow, ADMIN)
    assert [c.client_id for c in stored] == [client.client.client_id]
    assert (
        stored[0].secret_hash.startswith("$argon2") and client.secret not in stored[0].secret_hash
    )
    # SMART v2 "rs" (read and search) is the same grant as v1 "read"
    assert [str(s) for s in stored[0].scopes] == ["system/Patient.read", "system/Observation.read"]


def test_only_the_administrator_registers_clients(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        register_client(uow, MANAGER, "Sneaky", ["system/*.read"])


@pytest.mark.parametrize(
    "scope",
    ["patient/Patient.read", "system/Claim.read", "system/Patient.write", "system/Patient.cud"],
)
def test_a_scope_the_api_cannot_honour_is_refused_at_registration(
    himdesk: Himdesk, scope: str
) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(InvalidInput, match="scope"):
        register_client(uow, ADMIN, "HIE", [scope])


def test_client_credentials_give_a_bearer_token_with_the_granted_scopes(
    himdesk: Himdesk, client: RegisteredClient
) -> None:
    with himdesk.unit_of_work() as uow:
        issued = issue_token(uow, client.client.client_id, client.secret, None, "10.0.0.9")
    assert (issued.token_type, issued.expires_in) == ("bearer", 300)
    assert issued.scope == "system/Patient.read system/Observation.read"
    with himdesk.unit_of_work() as uow:
        caller = authenticate(uow, issued.access_token, "10.0.0.9")
        event = uow.audit.list_for_user(client.client.username, 1)[0].entry
    assert caller.actor.role is Role.API_CLIENT
    assert caller.actor.username == f"api:{client.client.client_id}"
    assert caller.actor.user_id < 0  # never a user's id
    assert (event.action, event.outcome, event.client_address) == ("api.token", "success",
                                                                   "10.0.0.9")  # fmt: skip


def test_a_token_may_ask_for_fewer_scopes_but_never_more(
    himdesk: Himdesk, client: RegisteredClient
) -> None:
    with himdesk.unit_of_work() as uow:
        issued = issue_token(uow, client.client.client_id, client.secret,
                             "system/Observation.s", "")  # fmt: skip
    assert issued.scope == "system/Observation.s"
    with himdesk.unit_of_work() as uow, pytest.raises(ScopeRefused, match="not granted"):
        issue_token(uow, client.client.client_id, client.secret, "system/*.read", "")


def test_a_wrong_secret_or_unknown_client_is_refused_the_same_way_and_audited(
    himdesk: Himdesk, client: RegisteredClient
) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(ClientRejected) as wrong:
        issue_token(uow, client.client.client_id, "not-the-secret", None, "")
    with himdesk.unit_of_work() as uow, pytest.raises(ClientRejected) as unknown:
        issue_token(uow, "hd-nobody'; drop", client.secret, None, "")
    assert str(wrong.value) == str(unknown.value)
    with himdesk.unit_of_work() as uow:
        outcomes = [e.entry.outcome for e in uow.audit.iterate() if e.entry.action == "api.token"]
        names = [e.entry.username for e in uow.audit.iterate() if e.entry.action == "api.token"]
    assert outcomes == ["invalid-client", "invalid-client"]
    assert names[1] == "api:hd-nobody???drop"


def test_a_token_expires_after_five_minutes(
    himdesk: Himdesk, client: RegisteredClient, clock: FakeClock
) -> None:
    with himdesk.unit_of_work() as uow:
        issued = issue_token(uow, client.client.client_id, client.secret, None, "")
    clock.advance(minutes=4, seconds=59)
    with himdesk.unit_of_work() as uow:
        authenticate(uow, issued.access_token, "")
    clock.advance(seconds=1)
    with himdesk.unit_of_work() as uow, pytest.raises(TokenRejected):
        authenticate(uow, issued.access_token, "")


def test_revoking_a_client_ends_its_tokens_and_refuses_new_ones(
    himdesk: Himdesk, client: RegisteredClient
) -> None:
    with himdesk.unit_of_work() as uow:
        issued = issue_token(uow, client.client.client_id, client.secret, None, "")
    with himdesk.unit_of_work() as uow:
        revoke_client(uow, ADMIN, client.client.client_id)
    with himdesk.unit_of_work() as uow, pytest.raises(TokenRejected):
        authenticate(uow, issued.access_token, "")
    with himdesk.unit_of_work() as uow, pytest.raises(ClientRejected):
        issue_token(uow, client.client.client_id, client.secret, None, "")
    with himdesk.unit_of_work() as uow, pytest.raises(NotFound):
        revoke_client(uow, ADMIN, client.client.client_id)


def test_an_unknown_or_empty_bearer_token_is_refused(himdesk: Himdesk) -> None:
    for token in ("", "made-up"):
        with himdesk.unit_of_work() as uow, pytest.raises(TokenRejected):
            authenticate(uow, token, "")


TOKEN_URL = "http://him.example.org/fhir/R4/auth/token"


@pytest.fixture
def keyed(himdesk: Himdesk) -> ApiClient:
    """A client that authenticates with assertions signed by an RSA or an EC key."""
    with himdesk.unit_of_work() as uow:
        return register_client_with_keys(uow, ADMIN, "State registry", ["system/Patient.read"],
                                         rsa_key().key_set(ec_key()))  # fmt: skip


def test_a_client_registered_with_public_keys_has_no_secret_and_says_how_it_authenticates(
    himdesk: Himdesk, keyed: ApiClient, client: RegisteredClient
) -> None:
    with himdesk.unit_of_work() as uow:
        stored = {c.client_id: c for c in list_clients(uow, ADMIN)}
    jwt_client = stored[keyed.client_id]
    assert jwt_client.secret_hash is None and jwt_client.auth_method == "private_key_jwt"
    assert [k.kid for k in jwt_client.keys] == ["rsa-1", "ec-1"]
    assert "d" not in jwt_client.keys[0].jwk
    assert stored[client.client.client_id].auth_method == "client_secret"


def test_a_private_key_is_refused_at_registration_and_nothing_is_stored(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(InvalidInput, match="'rsa-1' holds private"):
        register_client_with_keys(uow, ADMIN, "Leaky", ["system/*.read"],
                                  {"keys": [rsa_key().jwk(private=True)]})  # fmt: skip
    with himdesk.unit_of_work() as uow:
        assert list_clients(uow, ADMIN) == []


def test_a_key_whose_numbers_make_no_public_key_is_refused(himdesk: Himdesk) -> None:
    off_curve = {**ec_key().jwk(), "y": ec_key().jwk()["x"]}
    with himdesk.unit_of_work() as uow, pytest.raises(InvalidInput, match="not a valid EC public"):
        register_client_with_keys(uow, ADMIN, "Bent", ["system/*.read"], {"keys": [off_curve]})


@pytest.mark.parametrize("key", [rsa_key(), ec_key()], ids=["RS384", "ES384"])
def test_a_signed_assertion_gives_a_token_acting_as_the_client(
    himdesk: Himdesk, keyed: ApiClient, clock: FakeClock, key: SigningKey
) -> None:
    signed = key.assertion(keyed.client_id, TOKEN_URL, clock())
    with himdesk.unit_of_work() as uow:
        issued = issue_token_for_assertion(uow, signed, None, None, TOKEN_URL, "10.0.0.7")
    assert (issued.scope, issued.expires_in) == ("system/Patient.read", 300)
    with himdesk.unit_of_work() as uow:
        caller = authenticate(uow, issued.access_token, "10.0.0.7")
        event = uow.audit.list_for_user(keyed.username, 1)[0].entry
    assert caller.actor.username == f"api:{keyed.client_id}"
    assert (event.action, event.outcome) == ("api.token", "success")


def test_an_assertion_is_used_once_and_refusals_are_audited_under_the_client(
    himdesk: Himdesk, keyed: ApiClient, clock: FakeClock
) -> None:
    signed = rsa_key().assertion(keyed.client_id, TOKEN_URL, clock())
    with himdesk.unit_of_work() as uow:
        issue_token_for_assertion(uow, signed, keyed.client_id, None, TOKEN_URL, "")
    with himdesk.unit_of_work() as uow, pytest.raises(AssertionRefused, match="jti was used"):
        issue_token_for_assertion(uow, signed, keyed.client_id, None, TOKEN_URL, "")
    with himdesk.unit_of_work() as uow:
        outcomes = [e.entry.outcome for e in uow.audit.iterate()
                    if e.entry.username == keyed.username]  # fmt: skip
    assert outcomes[-2:] == ["success", "invalid-client"]


def test_used_assertion_ids_are_forgotten_once_expired(
    himdesk: Himdesk, keyed: ApiClient, clock: FakeClock
) -> None:
    for _ in range(3):
        signed = ec_key().assertion(keyed.client_id, TOKEN_URL, clock(),
                                    lifetime=timedelta(minutes=1))  # fmt: skip
        with himdesk.unit_of_work() as uow:
            issue_token_for_assertion(uow, signed, None, None, TOKEN_URL, "")
        clock.advance(minutes=2)
    with himdesk.engine.connect() as db:
        remembered = db.execute(select(func.count()).select_from(t.api_client_assertions))
        assert remembered.scalar_one() == 1


def test_a_secret_client_cannot_send_assertions_nor_a_keyed_client_a_secret(
    himdesk: Himdesk, keyed: ApiClient, client: RegisteredClient, clock: FakeClock
) -> None:
    signed = rsa_key().assertion(client.client.client_id, TOKEN_URL, clock())
    with himdesk.unit_of_work() as uow, pytest.raises(AssertionRefused, match="with a secret"):
        issue_token_for_assertion(uow, signed, None, None, TOKEN_URL, "")
    with himdesk.unit_of_work() as uow, pytest.raises(ClientRejected):
        issue_token(uow, keyed.client_id, "", None, "")


def test_new_keys_replace_the_old_ones_and_end_a_secret(
    himdesk: Himdesk, keyed: ApiClient, client: RegisteredClient, clock: FakeClock
) -> None:
    rotated = ec_key("ec-2", "ES256")
    with himdesk.unit_of_work() as uow:
        replace_client_keys(uow, ADMIN, keyed.client_id, rotated.key_set())
        replace_client_keys(uow, ADMIN, client.client.client_id, rotated.key_set())
    old = ec_key().assertion(keyed.client_id, TOKEN_URL, clock())
    with himdesk.unit_of_work() as uow, pytest.raises(AssertionRefused, match="no key with kid"):
        issue_token_for_assertion(uow, old, None, None, TOKEN_URL, "")
    for client_id in (keyed.client_id, client.client.client_id):
        with himdesk.unit_of_work() as uow:
            signed = rotated.assertion(client_id, TOKEN_URL, clock())
            assert issue_token_for_assertion(uow, signed, None, None, TOKEN_URL, "").access_token
    with himdesk.unit_of_work() as uow, pytest.raises(ClientRejected):
        issue_token(uow, client.client.client_id, client.secret, None, "")
    with himdesk.unit_of_work() as uow, pytest.raises(NotFound):
        replace_client_keys(uow, ADMIN, "hd-nobody", rotated.key_set())


def test_a_revoked_keyed_client_is_refused(
    himdesk: Himdesk, keyed: ApiClient, clock: FakeClock
) -> None:
    with himdesk.unit_of_work() as uow:
        revoke_client(uow, ADMIN, keyed.client_id)
    signed = rsa_key().assertion(keyed.client_id, TOKEN_URL, clock())
    with himdesk.unit_of_work() as uow, pytest.raises(AssertionRefused, match="no active"):
        issue_token_for_assertion(uow, signed, None, None, TOKEN_URL, "")


@pytest.mark.parametrize("keys", [(), "both"], ids=["neither", "both"])
def test_the_database_keeps_exactly_one_credential_per_client(
    himdesk: Himdesk, clock: FakeClock, keys: object
) -> None:
    key = checked_key_set(rsa_key().key_set())
    secret_hash = "$argon2id$stand-in" if keys == "both" else None
    client = ApiClient(0, "hd-odd", "Odd", secret_hash, (), True, clock(), "root",
                       key if keys == "both" else ())  # fmt: skip
    with himdesk.unit_of_work() as uow, pytest.raises(IntegrityError):
        uow.api_clients.add(client)
