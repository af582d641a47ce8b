"""What a client assertion must say before it authenticates an API client (pure rules).

The assertion is a JWT the client signs with its private key (RFC 7523 section 3; SMART
https://hl7.org/fhir/smart-app-launch/client-confidential-asymmetric.html#authenticating-to-the-token-endpoint
and #signature-verification). Its header names the key (`kid`) and algorithm (`alg`); its
claims say who sends it (`iss` = `sub` = client id), for which token endpoint (`aud`), until
when (`exp`, at most five minutes ahead) and a one-time id (`jti`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NoReturn

from himdesk.domain.client_keys import SIGNING_ALGORITHMS, ClientKey

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_LIFETIME = timedelta(minutes=5)
# Clocks of two systems never agree exactly; this much either way is forgiven.
CLOCK_SKEW = timedelta(seconds=30)
MAX_ASSERTION_LENGTH = 8_000
MAX_JTI_LENGTH = 200
_LAST_SECOND = 253_402_300_799  # 9999-12-31T23:59:59Z: anything later is no time at all


class AssertionRefused(Exception):
    """A client assertion that does not authenticate its client: OAuth `invalid_client`,
    with a description of what is wrong (never the key or anything secret)."""


@dataclass(frozen=True)
class AcceptedAssertion:
    """The one-time id of an assertion that passed, and until when it must not come again."""

    jti: str
    remembered_until: datetime


def refuse(problem: str) -> NoReturn:
    raise AssertionRefused(problem)


def _quoted(value: object) -> str:
    """A value the caller sent, short and printable, for a description."""
    text = value if isinstance(value, str) else repr(value)
    shown = "".join(c if c.isprintable() else "?" for c in text[:80])
    return f"'{shown}…'" if len(text) > 80 else f"'{shown}'"


def signing_key(header: Mapping[str, object], keys: Sequence[ClientKey]) -> tuple[ClientKey, str]:
    """The registered key that must verify the assertion, and the algorithm (SMART's key
    resolution: the one key whose `kid` matches and whose `kty` suits `alg`)."""
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in SIGNING_ALGORITHMS:
        refuse(f"alg {_quoted(alg)} is not accepted: sign with RS384 or ES384 "
               "(RS256 and ES256 are accepted too)")  # fmt: skip
    typ = header.get("typ")
    if typ is not None and str(typ).upper() != "JWT":
        refuse(f"typ {_quoted(typ)} is not JWT")
    if "jku" in header:
        refuse("a jku header is not accepted: the assertion is verified with the JWK Set "
               "registered for the client, not one fetched from a URL")  # fmt: skip
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        refuse("the header has no kid: name the registered key the assertion is signed with")
    named = [key for key in keys if key.kid == kid]
    if not named:
        refuse(f"no key with kid {_quoted(kid)} is registered for this client")
    key = named[0]
    if alg not in key.algorithms:
        refuse(f"key {_quoted(kid)} ({key.kty}) verifies {', '.join(key.algorithms)}, "
               f"not {alg}")  # fmt: skip
    return key, alg


def checked_claims(
    claims: Mapping[str, object], client_id: str, token_url: str, now: datetime
) -> AcceptedAssertion:
    """The assertion's claims checked against the client and the token endpoint it was sent
    to; AssertionRefused saying which claim is wrong."""
    for claim in ("iss", "sub"):
        if claims.get(claim) != client_id:
            refuse(f"{claim} must be the client id {_quoted(client_id)}, "
                   f"not {_quoted(claims.get(claim))}")  # fmt: skip
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if token_url not in audiences:
        refuse(f"aud must be the token endpoint {token_url}, not {_quoted(audience)}")
    expires_at = _numeric_date("exp", claims.get("exp"))
    if expires_at <= now - CLOCK_SKEW:
        refuse(f"the assertion expired at {expires_at.isoformat()} (now {now.isoformat()})")
    if expires_at > now + MAX_LIFETIME + CLOCK_SKEW:
        refuse(f"exp {expires_at.isoformat()} is more than five minutes ahead: an assertion "
               "is for one token request, made just before it")  # fmt: skip
    for claim in ("nbf", "iat"):
        if claims.get(claim) is not None:
            at = _numeric_date(claim, claims[claim])
            if at > now + CLOCK_SKEW:
                refuse(f"{claim} {at.isoformat()} is in the future")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti.strip():
        refuse("jti is missing: give each assertion a one-time id")
    if len(jti) > MAX_JTI_LENGTH:
        refuse(f"jti is longer than {MAX_JTI_LENGTH} characters")
    if not jti.isprintable():  # it is stored: PostgreSQL refuses NUL bytes in text
        refuse("jti must be printable text")
    return AcceptedAssertion(jti, expires_at + CLOCK_SKEW)


def _numeric_date(claim: str, value: object) -> datetime:
    """A NumericDate claim (RFC 7519 section 2: seconds since the epoch) as a UTC time."""
    if value is None:
        refuse(f"{claim} is missing")
    if isinstance(value, bool) or not isinstance(value, int | float):
        refuse(f"{claim} must be a time in seconds since 1970, not {_quoted(value)}")
    if not 0 < value <= _LAST_SECOND:
        refuse(f"{claim} {_quoted(value)} is not a time")
    return datetime.fromtimestamp(value, UTC)
