"""The public keys a client registers, and the rules its JWT assertions must follow (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.signing_keys import ec_key, rsa_key

from himdesk.domain.client_assertions import AssertionRefused, checked_claims, signing_key
from himdesk.domain.client_keys import checked_key_set
from himdesk.domain.demographics import InvalidInput

NOW = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)
TOKEN_URL = "https://him.example.org/fhir/R4/auth/token"
CLIENT = "hd-0123456789abcdef"


def refusal(document: object) -> str:
    with pytest.raises(InvalidInput) as refused:
        checked_key_set(document)
    return refused.value.errors["jwks"]


def test_rsa_and_ec_public_keys_are_kept_with_their_public_members_only() -> None:
    rsa_jwk = {**rsa_key().jwk(), "alg": "RS384", "use": "sig", "x5c": ["ignored"]}
    keys = checked_key_set({"keys": [rsa_jwk, ec_key().jwk()]})
    assert [(k.kid, k.kty) for k in keys] == [("rsa-1", "RSA"), ("ec-1", "EC")]
    assert set(keys[0].jwk) == {"kty", "kid", "n", "e", "alg"}
    assert keys[0].algorithms == ("RS384",) and keys[1].algorithms == ("ES384",)
    assert checked_key_set(rsa_key().key_set())[0].algorithms == ("RS384", "RS256")


@pytest.mark.parametrize("key", [rsa_key(), ec_key()], ids=["rsa", "ec"])
def test_private_key_material_is_refused_naming_the_key(key: Any) -> None:
    problem = refusal({"keys": [key.jwk(private=True)]})
    assert f"key '{key.kid}' holds private key material (d" in problem


@pytest.mark.parametrize(
    ("jwk", "expected"),
    [({"kty": "oct", "kid": "shared", "alg": "HS256"}, "key 'shared' has kty 'oct'"),
     ({"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": "AA"}, "key 'ed' has kty 'OKP'"),
     ({**rsa_key().jwk(), "alg": "RS512"}, "key 'rsa-1' has alg 'RS512'"),
     ({**rsa_key().jwk(), "alg": "ES384"}, "key 'rsa-1' has alg 'ES384'"),
     ({**ec_key().jwk(), "crv": "P-521"}, "key 'ec-1' has crv 'P-521'"),
     ({**ec_key().jwk(), "crv": "P-256"}, "'x' of the wrong length for P-256"),
     ({**rsa_key().jwk(), "use": "enc"}, "key 'rsa-1' is for use 'enc'"),
     ({**rsa_key().jwk(), "key_ops": ["encrypt"]}, "key_ops without 'verify'"),
     ({**rsa_key().jwk(), "n": "not base64!"}, "an 'n' that is not base64url"),
     ({"kty": "RSA", "kid": "k", "e": "AQAB"}, "key 'k' (RSA) has no 'n'"),
     (rsa_key("small", bits=1024).jwk(), "RSA key of 1024 bits; use at least 2048"),
     ({"kty": "RSA", "n": "AQAB", "e": "AQAB"}, "key 1 has no usable kid"),
     ({**rsa_key().jwk(), "kid": "has space"}, "key 1 has no usable kid"),
     ("a string", "key 1 is not a JSON object")],
)  # fmt: skip
def test_keys_the_server_cannot_use_are_refused_naming_the_key(jwk: object, expected: str) -> None:
    assert expected in refusal({"keys": [jwk]})


@pytest.mark.parametrize(
    ("document", "expected"),
    [(rsa_key().jwk(), "single key; wrap it as a JWK Set"),
     ({"keys": []}, "holds no keys"),
     ([rsa_key().jwk()], 'JSON object with a "keys" array'),
     ({"keys": [rsa_key().jwk()] * 2}, "kid 'rsa-1' names more than one key"),
     ({"keys": [ec_key(f"k{n}").jwk() for n in range(11)]}, "register at most 10")],
)  # fmt: skip
def test_a_document_that_is_no_usable_key_set_is_refused(document: object, expected: str) -> None:
    assert expected in refusal(document)


def test_the_header_must_name_a_registered_key_of_the_signing_algorithms_type() -> None:
    keys = checked_key_set(rsa_key().key_set(ec_key()))
    assert signing_key({"alg": "ES384", "kid": "ec-1", "typ": "JWT"}, keys)[1] == "ES384"
    for header, expected in [
        ({"alg": "none", "kid": "rsa-1"}, "alg 'none' is not accepted"),
        ({"alg": "HS256", "kid": "rsa-1"}, "alg 'HS256' is not accepted"),
        ({"alg": "RS384"}, "the header has no kid"),
        ({"alg": "RS384", "kid": "gone"}, "no key with kid 'gone'"),
        ({"alg": "RS384", "kid": "ec-1"}, "key 'ec-1' (EC) verifies ES384, not RS384"),
        ({"alg": "RS384", "kid": "rsa-1", "jku": "https://evil.example/jwks"}, "jku"),
        ({"alg": "RS384", "kid": "rsa-1", "typ": "at+jwt"}, "typ 'at+jwt' is not JWT"),
    ]:
        with pytest.raises(AssertionRefused) as refused:
            signing_key(header, keys)
        assert expected in str(refused.value)


def claims(**changed: object) -> dict[str, object]:
    good: dict[str, object] = {"iss": CLIENT, "sub": CLIENT, "aud": TOKEN_URL, "jti": "one",
                               "exp": int((NOW + timedelta(minutes=4)).timestamp())}  # fmt: skip
    return {k: v for k, v in {**good, **changed}.items() if v is not None}


def test_good_claims_are_accepted_and_the_jti_is_remembered_past_its_expiry() -> None:
    accepted = checked_claims(claims(aud=[TOKEN_URL, "other"]), CLIENT, TOKEN_URL, NOW)
    assert accepted.jti == "one"
    assert accepted.remembered_until == NOW + timedelta(minutes=4, seconds=30)


def at(delta: timedelta) -> int:
    return int((NOW + delta).timestamp())


@pytest.mark.parametrize(
    ("changed", "expected"),
    [({"iss": "hd-other"}, "iss must be the client id"),
     ({"sub": None}, "sub must be the client id"),
     ({"aud": "https://him.example.org/fhir/R4"}, "aud must be the token endpoint"),
     ({"exp": None}, "exp is missing"),
     ({"exp": "tomorrow"}, "exp must be a time in seconds"),
     ({"exp": True}, "exp must be a time in seconds"),
     ({"exp": 10**20}, "is not a time"),
     ({"exp": at(timedelta(seconds=-31))}, "the assertion expired at"),
     ({"exp": at(timedelta(minutes=5, seconds=31))}, "more than five minutes ahead"),
     ({"nbf": at(timedelta(minutes=1))}, "nbf .* is in the future"),
     ({"iat": at(timedelta(minutes=1))}, "iat .* is in the future"),
     ({"jti": None}, "jti is missing"),
     ({"jti": "x" * 201}, "jti is longer than 200")],
)  # fmt: skip
def test_each_wrong_claim_is_refused_saying_which(changed: dict[str, Any], expected: str) -> None:
    with pytest.raises(AssertionRefused, match=expected):
        checked_claims(claims(**changed), CLIENT, TOKEN_URL, NOW)


def test_a_little_clock_skew_is_forgiven() -> None:
    late = claims(exp=at(timedelta(seconds=-29)), iat=at(timedelta(seconds=29)))
    assert checked_claims(late, CLIENT, TOKEN_URL, NOW).jti == "one"
    ahead = claims(exp=at(timedelta(minutes=5, seconds=29)))
    assert checked_claims(ahead, CLIENT, TOKEN_URL, NOW).jti == "one"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.sampled_from(("alg", "kid", "typ", "jku", "iss", "sub", "aud", "exp", "nbf", "iat",
                          "jti", "kty", "crv", "n", "e", "x", "y", "d", "use",
                          "key_ops"))  # fmt: skip
DOCUMENTS = st.dictionaries(FIELDS | st.text(max_size=5), JSON, max_size=8)


@settings(max_examples=200, deadline=None)
@given(DOCUMENTS, DOCUMENTS)
def test_any_header_and_claims_are_accepted_or_refused_never_a_crash(
    header: dict[str, Any], body: dict[str, Any]
) -> None:
    keys = checked_key_set(rsa_key().key_set(ec_key()))
    for check in (lambda: signing_key(header, keys),
                  lambda: checked_claims(body, CLIENT, TOKEN_URL, NOW)):  # fmt: skip
        try:
            check()
        except AssertionRefused as refused:
            assert str(refused) and len(str(refused)) < 400


@settings(max_examples=200, deadline=None)
@given(JSON | st.fixed_dictionaries({"keys": st.lists(DOCUMENTS, max_size=3)}))
def test_any_document_is_a_key_set_or_refused_never_a_crash(document: object) -> None:
    try:
        checked_key_set(document)
    except InvalidInput as refused:
        assert refused.errors["jwks"]
