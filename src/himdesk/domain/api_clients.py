"""API clients: other systems that read the record through the FHIR API with a bearer token.

Clients use the client credentials grant of SMART Backend Services and authenticate either
with a signed JWT assertion checked against the public keys they registered (`private_key_jwt`,
domain/client_keys.py) or with a secret. They are granted system-level scopes:
`system/Patient.read`, `system/*.read`, or the SMART v2 forms `system/Patient.rs` (read and
search). https://hl7.org/fhir/smart-app-launch/backend-services.html and
https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from himdesk.domain.client_keys import ClientKey
from himdesk.domain.demographics import InvalidInput

# Backend Services: tokens are short-lived, `expires_in` SHOULD NOT exceed 300 seconds.
TOKEN_LIFETIME = timedelta(minutes=5)

# What the API serves; a scope naming anything else is refused when the client is registered.
RESOURCE_TYPES = (
    "Patient",
    "Practitioner",
    "Encounter",
    "Condition",
    "Procedure",
    "Observation",
    "MedicationRequest",
    "AllergyIntolerance",
    "DocumentReference",
)

_SCOPE = re.compile(r"system/(\*|[A-Z][A-Za-z]+)\.(read|[cruds]+)")


class ScopeRefused(ValueError):
    """A scope that is malformed, unknown, or more than the client was granted."""


@dataclass(frozen=True)
class Scope:
    """One system-level scope: a resource type ("*" for all) and what it allows."""

    resource_type: str
    read: bool
    search: bool

    def __str__(self) -> str:
        return f"system/{self.resource_type}.{self.interactions}"

    @property
    def interactions(self) -> str:
        """SMART v1 `read` for read-and-search; v2 letters otherwise (`r`, `s`)."""
        if self.read and self.search:
            return "read"
        return "r" if self.read else "s"

    def covers(self, other: Scope) -> bool:
        same_type = self.resource_type in ("*", other.resource_type)
        return same_type and (self.read or not other.read) and (self.search or not other.search)

    def allows(self, resource_type: str, interaction: str) -> bool:
        if self.resource_type not in ("*", resource_type):
            return False
        return self.read if interaction == "read" else self.search


def parse_scope(text: str) -> Scope:
    match = _SCOPE.fullmatch(text.strip())
    if match is None:
        raise ScopeRefused(
            f"'{text}' is not a system scope: use system/<Type>.read, system/*.read "
            "or the SMART v2 form system/<Type>.rs"
        )
    resource_type, access = match.groups()
    if resource_type != "*" and resource_type not in RESOURCE_TYPES:
        raise ScopeRefused(f"'{text}' names {resource_type}, which the API does not serve")
    if access == "read":
        return Scope(resource_type, read=True, search=True)
    if set(access) - {"r", "s"}:
        raise ScopeRefused(f"'{text}' asks to write; the API only reads (r) and searches (s)")
    return Scope(resource_type, read="r" in access, search="s" in access)


def parse_scopes(texts: Iterable[str]) -> tuple[Scope, ...]:
    """Scopes from a list or from space-separated strings (OAuth's `scope`), duplicates gone."""
    words = [word for text in texts for word in text.split()]
    return tuple(dict.fromkeys(parse_scope(word) for word in words))


def checked_scopes(texts: Iterable[str]) -> tuple[Scope, ...]:
    """The scopes to register a client with; at least one, each well formed."""
    try:
        scopes = parse_scopes(texts)
    except ScopeRefused as refused:
        raise InvalidInput({"scope": str(refused)}) from refused
    if not scopes:
        raise InvalidInput({"scope": "Give at least one scope, e.g. system/Patient.read."})
    return scopes


def narrowed(requested: str | None, granted: tuple[Scope, ...]) -> tuple[Scope, ...]:
    """The scopes a token carries: all granted ones, or the requested subset of them."""
    if requested is None or not requested.strip():
        return granted
    asked = parse_scopes([requested])
    for scope in asked:
        if not any(mine.covers(scope) for mine in granted):
            raise ScopeRefused(f"'{scope}' was not granted to this client")
    return asked


def permits(scopes: Iterable[Scope], resource_type: str, interaction: str) -> bool:
    """Whether a token's scopes allow `read` or `search` of this resource type."""
    return any(scope.allows(resource_type, interaction) for scope in scopes)


def scope_text(scopes: Iterable[Scope]) -> str:
    return " ".join(str(scope) for scope in scopes)


@dataclass(frozen=True)
class ApiClient:
    """A registered system with one credential: the public keys its assertions are signed
    with, or a secret of which only a hash is kept (shown once at registration)."""

    id: int
    client_id: str
    name: str
    secret_hash: str | None
    scopes: tuple[Scope, ...]
    active: bool
    created_at: datetime
    created_by: str
    keys: tuple[ClientKey, ...] = ()

    @property
    def auth_method(self) -> str:
        """How it authenticates at the token endpoint, in OAuth's words."""
        return "private_key_jwt" if self.keys else "client_secret"

    @property
    def username(self) -> str:
        """How the audit trail names the client."""
        return f"api:{self.client_id}"


@dataclass(frozen=True)
class ApiToken:
    """An issued bearer token (stored as its SHA-256 digest) and the client it speaks for."""

    client: ApiClient
    scopes: tuple[Scope, ...]
    issued_at: datetime
    expires_at: datetime

    def is_valid(self, now: datetime) -> bool:
        return self.client.active and self.issued_at <= now < self.expires_at
