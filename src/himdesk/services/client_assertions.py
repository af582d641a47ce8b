"""API clients that authenticate with signed JWT assertions (SMART `private_key_jwt`).

The administrator registers the client's public JWK Set; the client signs a short-lived JWT
with its private key for each token request, and never sends a secret. The token endpoint
checks the signature against the registered key the JWT names, then the claims, then that
the JWT's `jti` was not used before, and issues a bearer token as for a secret.
https://hl7.org/fhir/smart-app-launch/backend-services.html and
https://hl7.org/fhir/smart-app-launch/client-confidential-asymmetric.html#signature-verification
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jwt
from jwt.exceptions import InvalidSignatureError, PyJWTError

from himdesk.domain.access import Action, Actor
from himdesk.domain.api_clients import ApiClient, checked_scopes
from himdesk.domain.client_assertions import (
    MAX_ASSERTION_LENGTH,
    AssertionRefused,
    checked_claims,
    refuse,
    signing_key,
)
from himdesk.domain.client_keys import ClientKey, checked_key_set
from himdesk.domain.demographics import InvalidInput
from himdesk.services import audit
from himdesk.services.api_clients import (
    IssuedToken,
    checked_name,
    client_actor,
    find_client,
    grant_token,
    new_client_id,
    refuse_stranger,
    store_client,
)
from himdesk.services.errors import NotFound
from himdesk.services.ports import UnitOfWork


def register_client_with_keys(
    uow: UnitOfWork, actor: Actor, name: str, scopes: Sequence[str], jwks: object
) -> ApiClient:
    """Register a client that authenticates with assertions signed by one of these public
    keys (a JWK Set, as parsed JSON); it gets a client id and no secret."""
    audit.require(uow, actor, Action.MANAGE_API_CLIENTS)
    name, granted, keys = checked_name(name), checked_scopes(scopes), usable_keys(jwks)
    return store_client(uow, actor, new_client_id(), name, granted, keys=keys)


def replace_client_keys(uow: UnitOfWork, actor: Actor, client_id: str, jwks: object) -> None:
    """Give an active client a new JWK Set (a key rotation; a client that had a secret
    authenticates by keys from now on and its secret stops working)."""
    audit.require(uow, actor, Action.MANAGE_API_CLIENTS)
    keys = usable_keys(jwks)
    if not uow.api_clients.replace_keys(client_id.strip(), keys):
        raise NotFound("active API client", client_id)
    audit.record(uow, actor, "api_client.keys", object_type="api-client",
                 object_id=client_id.strip())  # fmt: skip
    uow.commit()


def usable_keys(jwks: object) -> tuple[ClientKey, ...]:
    """The keys of a JWK Set, each one a public key the signature library can load."""
    keys = checked_key_set(jwks)
    for key in keys:
        try:
            _public_key(key, key.algorithms[0])
        except (PyJWTError, ValueError, TypeError):
            raise InvalidInput({"jwks": f"key '{key.kid}' is not a valid {key.kty} public "
                                "key: its numbers do not make one"}) from None  # fmt: skip
    return keys


def issue_token_for_assertion(
    uow: UnitOfWork,
    assertion: str,
    client_id: str | None,
    scope: str | None,
    token_url: str,
    client_address: str,
) -> IssuedToken:
    """A bearer token for a client assertion sent to `token_url`. Raises AssertionRefused
    (saying what is wrong) or ScopeRefused; refusals are audited and committed."""
    header, client = _asserting_client(uow, assertion, client_id, client_address)
    try:
        key, alg = signing_key(header, client.keys)
        verified = _verified(assertion, key, alg)
        now = uow.clock()
        accepted = checked_claims(verified, client.client_id, token_url, now)
        if not uow.api_clients.record_assertion(client, accepted.jti, accepted.remembered_until,
                                                now):  # fmt: skip
            refuse("this jti was used already: sign a new assertion for each token request")
    except AssertionRefused:
        audit.record(uow, client_actor(client, client_address), "api.token",
                     object_type="api-client", object_id=client.client_id,
                     outcome="invalid-client")  # fmt: skip
        uow.commit()
        raise
    return grant_token(uow, client, scope, client_address)


def _unverified(assertion: str) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """Header and claims before the signature is checked: only to find the client and key."""
    if len(assertion) > MAX_ASSERTION_LENGTH:
        refuse(f"client_assertion is longer than {MAX_ASSERTION_LENGTH} characters")
    try:
        header = jwt.get_unverified_header(assertion)
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except PyJWTError:
        refuse("client_assertion is not a signed JWT (header.claims.signature, base64url)")
    return header, claims


def _asserting_client(
    uow: UnitOfWork, assertion: str, client_id: str | None, client_address: str
) -> tuple[Mapping[str, Any], ApiClient]:
    """The assertion's header and the client its `iss` names; a refusal here is audited
    under the name the caller gave, as for an unknown client id."""
    named = client_id or ""
    try:
        header, claims = _unverified(assertion)
        named = str(claims.get("iss") or named)
        return header, _issuer(uow, claims, client_id)
    except AssertionRefused:
        refuse_stranger(uow, named, client_address)
        raise


def _issuer(uow: UnitOfWork, claims: Mapping[str, Any], client_id: str | None) -> ApiClient:
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer:
        refuse("iss is missing: it is the client id the assertion is from")
    if client_id and client_id != issuer:
        refuse(f"client_id '{client_id[:60]}' is not the assertion's iss")
    client = find_client(uow, issuer)
    if client is None or not client.active:
        refuse("iss names no active API client")
    if not client.keys:
        refuse("this client was registered with a secret, not with public keys: send "
               "client_id and client_secret instead")  # fmt: skip
    return client


def _verified(assertion: str, key: ClientKey, alg: str) -> Mapping[str, Any]:
    # The library checks the signature only; the claims follow our rules and our clock.
    try:
        claims: Mapping[str, Any] = jwt.decode(
            assertion, _public_key(key, alg), algorithms=[alg],
            options={"verify_signature": True, "verify_exp": False, "verify_nbf": False,
                     "verify_iat": False, "verify_aud": False, "verify_iss": False,
                     "verify_sub": False, "verify_jti": False},
        )  # fmt: skip
    except InvalidSignatureError:
        refuse(f"the signature does not verify with key '{key.kid}' ({alg})")
    except (PyJWTError, ValueError, TypeError):
        refuse(f"the assertion cannot be verified with key '{key.kid}' ({alg})")
    return claims


def _public_key(key: ClientKey, alg: str) -> Any:
    return jwt.PyJWK(key.jwk, alg).key
