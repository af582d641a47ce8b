"""The public keys an API client registers to authenticate with signed JWT assertions.

SMART's asymmetric client authentication (`private_key_jwt`): the client keeps its private
key and registers a JWK Set of public keys, each with `kty` and `kid` and its bare public
members — RSA `n` and `e`, EC `crv`, `x` and `y`.
https://hl7.org/fhir/smart-app-launch/client-confidential-asymmetric.html#registering-a-client-communicating-public-keys
JWK members: RFC 7517 section 4, RFC 7518 section 6.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn

from himdesk.domain.demographics import InvalidInput

# SMART asks servers for RS384 or ES384; RS256 and ES256 are as strong and are what many
# JWT libraries sign with by default, so they are accepted too.
RSA_ALGORITHMS = ("RS384", "RS256")
CURVE_ALGORITHMS = {"P-384": "ES384", "P-256": "ES256"}
SIGNING_ALGORITHMS = (*RSA_ALGORITHMS, *CURVE_ALGORITHMS.values())
MIN_RSA_BITS = 2048
MAX_KEYS = 10
# Members that hold private key material: RSA (RFC 7518 6.3.2), EC (6.2.2), symmetric (6.4.1).
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
_PUBLIC_MEMBERS = {"RSA": ("n", "e"), "EC": ("crv", "x", "y")}
_CURVE_BYTES = {"P-384": 48, "P-256": 32}
_KID = re.compile(r"[\x21-\x7e]{1,100}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class ClientKey:
    """One registered public key: its id, its type and the public JWK members kept."""

    kid: str
    kty: str
    members: tuple[tuple[str, str], ...]

    @property
    def jwk(self) -> dict[str, str]:
        return dict(self.members)

    @property
    def algorithms(self) -> tuple[str, ...]:
        """What this key verifies: its `alg` when it names one, else what its type allows."""
        jwk = self.jwk
        if jwk.get("alg"):
            return (jwk["alg"],)
        if self.kty == "RSA":
            return RSA_ALGORITHMS
        return (CURVE_ALGORITHMS[jwk.get("crv", "")],) if jwk.get("crv") in CURVE_ALGORITHMS else ()


def stored_key(jwk: Mapping[str, object]) -> ClientKey:
    """A key as it was kept at registration (checked then; not checked again)."""
    members = tuple(sorted((str(k), str(v)) for k, v in jwk.items()))
    return ClientKey(str(jwk.get("kid", "")), str(jwk.get("kty", "")), members)


def checked_key_set(document: object) -> tuple[ClientKey, ...]:
    """The keys of a JWK Set a client registers; InvalidInput naming the key that is wrong."""
    if isinstance(document, Mapping) and "kty" in document and "keys" not in document:
        _refuse('this is a single key; wrap it as a JWK Set: {"keys": [ ... ]}')
    keys = document.get("keys") if isinstance(document, Mapping) else None
    if not isinstance(keys, list):
        _refuse('a JWK Set is a JSON object with a "keys" array of public keys')
    if not keys:
        _refuse("the JWK Set holds no keys")
    if len(keys) > MAX_KEYS:
        _refuse(f"the JWK Set holds {len(keys)} keys; register at most {MAX_KEYS}")
    checked = [_checked_key(position, jwk) for position, jwk in enumerate(keys, 1)]
    kids = [key.kid for key in checked]
    for kid in kids:
        if kids.count(kid) > 1:
            _refuse(f"kid '{kid}' names more than one key; key ids must be unique in the set")
    return tuple(checked)


def _refuse(problem: str) -> NoReturn:
    raise InvalidInput({"jwks": problem})


def _checked_key(position: int, jwk: object) -> ClientKey:
    if not isinstance(jwk, Mapping):
        _refuse(f"key {position} is not a JSON object")
    kid = jwk.get("kid")
    if not isinstance(kid, str) or not _KID.fullmatch(kid):
        _refuse(f"key {position} has no usable kid (1-100 visible characters): every key "
                "needs one, and each assertion names the key it was signed with")  # fmt: skip
    private = [member for member in _PRIVATE_MEMBERS if member in jwk]
    if private:
        _refuse(f"key '{kid}' holds private key material ({', '.join(private)}): register "
                "public keys only, and keep the private key with the client")  # fmt: skip
    kty = jwk.get("kty")
    if not isinstance(kty, str) or kty not in _PUBLIC_MEMBERS:
        _refuse(f"key '{kid}' has kty '{kty}': only RSA and EC public keys are accepted")
    members = {"kty": kty, "kid": kid}
    for name in _PUBLIC_MEMBERS[kty]:
        value = jwk.get(name)
        if not isinstance(value, str) or not value:
            _refuse(f"key '{kid}' ({kty}) has no '{name}'")
        members[name] = str(value)
    _check_material(kid, members)
    _check_use(kid, jwk, members)
    return ClientKey(kid, kty, tuple(sorted(members.items())))


def _check_material(kid: str, members: dict[str, str]) -> None:
    if members["kty"] == "RSA":
        bits = int.from_bytes(_decoded(kid, "n", members["n"])).bit_length()
        _decoded(kid, "e", members["e"])
        if bits < MIN_RSA_BITS:
            _refuse(f"key '{kid}' is an RSA key of {bits} bits; use at least {MIN_RSA_BITS}")
        return
    crv = members["crv"]
    if crv not in _CURVE_BYTES:
        _refuse(f"key '{kid}' has crv '{crv}': accepted are P-384 (ES384) and P-256 (ES256)")
    for name in ("x", "y"):
        if len(_decoded(kid, name, members[name])) != _CURVE_BYTES[crv]:
            _refuse(f"key '{kid}' has an '{name}' of the wrong length for {crv}")


def _check_use(kid: str, jwk: Mapping[str, object], members: dict[str, str]) -> None:
    alg, use, key_ops = jwk.get("alg"), jwk.get("use"), jwk.get("key_ops")
    if use is not None and use != "sig":
        _refuse(f"key '{kid}' is for use '{use}'; a key that verifies assertions has use 'sig'")
    if key_ops is not None and (not isinstance(key_ops, list) or "verify" not in key_ops):
        _refuse(f"key '{kid}' has key_ops without 'verify'")
    if alg is None:
        return
    allowed = RSA_ALGORITHMS if members["kty"] == "RSA" else (CURVE_ALGORITHMS[members["crv"]],)
    if alg not in allowed:
        _refuse(f"key '{kid}' has alg '{alg}': accepted for this key are {', '.join(allowed)}")
    members["alg"] = str(alg)


def _decoded(kid: str, name: str, value: str) -> bytes:
    """A base64url member (RFC 7515 section 2: no padding) as bytes."""
    try:
        if _BASE64URL.fullmatch(value):
            return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        pass
    _refuse(f"key '{kid}' has an '{name}' that is not base64url")
