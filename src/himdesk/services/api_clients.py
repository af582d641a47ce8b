"""Registering API clients and issuing their bearer tokens (SMART Backend Services).

A client is registered by an administrator with the scopes it may use and receives a client id
and either a secret, shown once (only an Argon2 hash is kept, like a password), or — the SMART
way — none: it registers public keys instead and signs JWT assertions (client_assertions.py).
It exchanges its credential for a bearer token (OAuth 2.0 client credentials, RFC 6749 section
4.4) that lasts 5 minutes and is stored as a SHA-256 digest. Every FHIR call with the token
acts as the client: role `api_client`, audited as `api:<client id>`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from himdesk.domain.access import Action, Actor, PurposeOfUse, Role
from himdesk.domain.api_clients import (
    TOKEN_LIFETIME,
    ApiClient,
    Scope,
    ScopeRefused,
    checked_scopes,
    narrowed,
    scope_text,
)
from himdesk.domain.client_keys import ClientKey
from himdesk.domain.demographics import InvalidInput
from himdesk.services import audit
from himdesk.services.authentication import hash_password
from himdesk.services.errors import NotFound
from himdesk.services.ports import UnitOfWork

_verifier = PasswordHasher()
# Checked against when the client id is unknown, so a refusal takes as long either way.
_DUMMY_HASH = _verifier.hash("never-a-real-client-secret-" + secrets.token_hex(8))
_SAFE = re.compile(r"[^A-Za-z0-9._-]")
_CLIENT_ID = re.compile(r"[A-Za-z0-9._-]{1,60}")


class ClientRejected(Exception):
    """Unknown client, wrong secret, or a revoked client: OAuth `invalid_client`. The same for
    each, so that a guess learns nothing."""

    def __init__(self) -> None:
        super().__init__("The client id or secret is not right, or the client was revoked.")


class TokenRejected(Exception):
    """A bearer token that is unknown, expired or belongs to a revoked client."""

    def __init__(self) -> None:
        super().__init__("The access token is not valid or has expired; ask for a new one.")


@dataclass(frozen=True)
class RegisteredClient:
    client: ApiClient
    secret: str  # shown once; never stored


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret


@dataclass(frozen=True)
class ApiCaller:
    """Who is calling the API, with the scopes of the token presented."""

    actor: Actor
    scopes: tuple[Scope, ...]


def register_client(
    uow: UnitOfWork, actor: Actor, name: str, scopes: Sequence[str]
) -> RegisteredClient:
    audit.require(uow, actor, Action.MANAGE_API_CLIENTS)
    secret = secrets.token_urlsafe(32)
    client = store_client(uow, actor, new_client_id(), checked_name(name), checked_scopes(scopes),
                          secret=secret)  # fmt: skip
    return RegisteredClient(client, secret)


def new_client_id() -> str:
    return f"hd-{secrets.token_hex(8)}"


def checked_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise InvalidInput({"name": "Name the client in 1–120 characters."})
    return name


def list_clients(uow: UnitOfWork, actor: Actor) -> Sequence[ApiClient]:
    audit.require(uow, actor, Action.MANAGE_API_CLIENTS)
    clients = uow.api_clients.list_all()
    audit.record(uow, actor, "api_client.list", object_type="api-client")
    uow.commit()
    return clients


def revoke_client(uow: UnitOfWork, actor: Actor, client_id: str) -> None:
    """Deactivate a client; its tokens stop working at once."""
    audit.require(uow, actor, Action.MANAGE_API_CLIENTS)
    if not uow.api_clients.deactivate(client_id.strip()):
        raise NotFound("active API client", client_id)
    audit.record(uow, actor, "api_client.revoke", object_type="api-client",
                 object_id=client_id.strip())  # fmt: skip
    uow.commit()


def client_actor(client: ApiClient, client_address: str = "") -> Actor:
    """The actor an API client is in services and the audit trail. Its id is the negative of
    the client's row id, so it never collides with a user's id in per-user counts."""
    return Actor(user_id=-client.id, username=client.username, role=Role.API_CLIENT,
                 client_address=client_address, purpose=PurposeOfUse.OPERATIONS,
                 display_name=client.name)  # fmt: skip


def issue_token(
    uow: UnitOfWork, client_id: str, client_secret: str, scope: str | None, client_address: str
) -> IssuedToken:
    """Client credentials for a bearer token. Raises ClientRejected or ScopeRefused; both are
    audited (the refusal committed on its own, as for failed logins)."""
    client = find_client(uow, client_id)
    secret_hash = client.secret_hash if client and client.secret_hash else _DUMMY_HASH
    matches = _secret_matches(secret_hash, client_secret)
    if client is None or not client.active or not client.secret_hash or not matches:
        refuse_stranger(uow, client_id, client_address)
        raise ClientRejected()
    return grant_token(uow, client, scope, client_address)


def find_client(uow: UnitOfWork, client_id: str) -> ApiClient | None:
    # An id that cannot be one of ours is not looked up (NUL bytes, megabytes of text).
    return uow.api_clients.find(client_id) if _CLIENT_ID.fullmatch(client_id) else None


def grant_token(
    uow: UnitOfWork, client: ApiClient, scope: str | None, client_address: str
) -> IssuedToken:
    """A bearer token for an authenticated client with the scopes asked for (all granted
    ones by default); ScopeRefused, audited and committed, when it asks for more."""
    actor = client_actor(client, client_address)
    try:
        scopes = narrowed(scope, client.scopes)
    except ScopeRefused:
        audit.record(uow, actor, "api.token", object_type="api-client",
                     object_id=client.client_id, outcome="invalid-scope")  # fmt: skip
        uow.commit()
        raise
    token = secrets.token_urlsafe(32)
    now = uow.clock()
    uow.api_clients.add_token(token_digest(token), client, scopes, now, now + TOKEN_LIFETIME)
    audit.record(uow, actor, "api.token", object_type="api-client", object_id=client.client_id)
    uow.commit()
    return IssuedToken(token, int(TOKEN_LIFETIME.total_seconds()), scope_text(scopes))


def _secret_matches(secret_hash: str, secret: str) -> bool:
    try:
        return _verifier.verify(secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def refuse_stranger(uow: UnitOfWork, client_id: str, client_address: str) -> None:
    """Audit (and commit) a refused token request from a caller that is no known client."""
    # The id as given, made safe and short: it is whatever the caller sent.
    named = _SAFE.sub("?", client_id)[:40]
    stranger = Actor(0, f"api:{named}", Role.API_CLIENT, client_address,
                     PurposeOfUse.OPERATIONS)  # fmt: skip
    audit.record(uow, stranger, "api.token", object_type="api-client", object_id=named,
                 outcome="invalid-client")  # fmt: skip
    uow.commit()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(uow: UnitOfWork, bearer: str, client_address: str) -> ApiCaller:
    """The caller a bearer token speaks for; TokenRejected when it is unknown or expired."""
    found = uow.api_clients.find_token(token_digest(bearer.strip())) if bearer else None
    if found is None or not found.is_valid(uow.clock()):
        raise TokenRejected()
    return ApiCaller(client_actor(found.client, client_address), found.scopes)


DEMO_CLIENT_ID = "demo-api-client"
DEMO_CLIENT_SECRET = "api-client-demo-secret"  # noqa: S105 - printed with the demo logins


def add_demo_client(uow: UnitOfWork, actor: Actor) -> ApiClient:
    """The demo hospital's API client (system/*.read) with a fixed, printed secret; kept when
    it exists. Like the demo logins, for demo databases only."""
    audit.require(uow, actor, Action.MANAGE_API_CLIENTS)
    existing = uow.api_clients.find(DEMO_CLIENT_ID)
    if existing is not None:
        return existing
    return store_client(uow, actor, DEMO_CLIENT_ID, "Demo API client",
                        checked_scopes(["system/*.read"]), secret=DEMO_CLIENT_SECRET)  # fmt: skip


def store_client(
    uow: UnitOfWork,
    actor: Actor,
    client_id: str,
    name: str,
    scopes: tuple[Scope, ...],
    *,
    secret: str | None = None,
    keys: tuple[ClientKey, ...] = (),
) -> ApiClient:
    """Store a client with its secret hashed like a password, or with its public keys;
    audited and committed."""
    audit.require(uow, actor, Action.MANAGE_API_CLIENTS)
    secret_hash = hash_password(secret) if secret is not None else None
    client = uow.api_clients.add(ApiClient(0, client_id, name, secret_hash, scopes, True,
                                           uow.clock(), actor.username, keys))  # fmt: skip
    audit.record(uow, actor, Action.MANAGE_API_CLIENTS.value, object_type="api-client",
                 object_id=client.client_id)  # fmt: skip
    uow.commit()
    return client
