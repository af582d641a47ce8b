"""Key pairs made in the test and JWT client assertions signed with them (as a client would).

Keys are made once per test run: RSA key generation takes a noticeable moment.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from himdesk.domain.client_assertions import ASSERTION_TYPE

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def b64(number: int, length: int = 0) -> str:
    raw = number.to_bytes(length or (number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class SigningKey:
    """A client's key pair: the private half signs, the public JWK is registered."""

    kid: str
    alg: str
    private: PrivateKey

    def jwk(self, *, private: bool = False) -> dict[str, str]:
        if isinstance(self.private, rsa.RSAPrivateKey):
            numbers = self.private.private_numbers()
            public: dict[str, str] = {"kty": "RSA", "kid": self.kid,
                                      "n": b64(numbers.public_numbers.n),
                                      "e": b64(numbers.public_numbers.e)}  # fmt: skip
            return {**public, "d": b64(numbers.d), "p": b64(numbers.p)} if private else public
        size = (self.private.curve.key_size + 7) // 8
        point = self.private.public_key().public_numbers()
        crv = {384: "P-384", 256: "P-256"}[self.private.curve.key_size]
        public = {"kty": "EC", "kid": self.kid, "crv": crv, "x": b64(point.x, size),
                  "y": b64(point.y, size)}  # fmt: skip
        d = b64(self.private.private_numbers().private_value, size)
        return {**public, "d": d} if private else public

    def key_set(self, *others: SigningKey) -> dict[str, Any]:
        return {"keys": [key.jwk() for key in (self, *others)]}

    def assertion(
        self,
        client_id: str,
        aud: str,
        now: datetime,
        *,
        lifetime: timedelta = timedelta(minutes=4),
        header: dict[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        """A signed authentication JWT: iss = sub = client id, aud, exp, a fresh jti."""
        expires = int((now + lifetime).timestamp())
        body = {"iss": client_id, "sub": client_id, "aud": aud, "exp": expires,
                "jti": uuid.uuid4().hex, **claims}  # fmt: skip
        headers = {"kid": self.kid, "typ": "JWT", **(header or {})}
        return jwt.encode(body, self.private, algorithm=self.alg, headers=headers)


@cache
def rsa_key(kid: str = "rsa-1", alg: str = "RS384", bits: int = 2048) -> SigningKey:
    return SigningKey(kid, alg, rsa.generate_private_key(public_exponent=65537, key_size=bits))


@cache
def ec_key(kid: str = "ec-1", alg: str = "ES384") -> SigningKey:
    curve = ec.SECP384R1() if alg == "ES384" else ec.SECP256R1()
    return SigningKey(kid, alg, ec.generate_private_key(curve))


def assertion_form(assertion: str, **extra: str) -> dict[str, str]:
    """The token request of SMART Backend Services with a client assertion."""
    return {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion, **extra}  # fmt: skip
