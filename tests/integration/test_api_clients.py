"""API clients: registration, client-credentials tokens, scopes, expiry and revocation."""

from __future__ import annotations

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.domain.api_clients import ScopeRefused
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
from himdesk.services.errors import NotFound
from tests.fakes import FakeClock

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
    assert (issued.token_type, issued.expires_in) == ("bearer", 900)
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


def test_a_token_expires_after_fifteen_minutes(
    himdesk: Himdesk, client: RegisteredClient, clock: FakeClock
) -> None:
    with himdesk.unit_of_work() as uow:
        issued = issue_token(uow, client.client.client_id, client.secret, None, "")
    clock.advance(minutes=14, seconds=59)
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
