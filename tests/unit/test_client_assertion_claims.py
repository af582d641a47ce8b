"""The one-time id of a client assertion is stored, so it must be text a database keeps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from himdesk.domain.client_assertions import AssertionRefused, checked_claims

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TOKEN_URL = "https://himdesk.example/fhir/R4/auth/token"


def claims(jti: str) -> dict[str, object]:
    return {"iss": "hd-1", "sub": "hd-1", "aud": TOKEN_URL, "jti": jti,
            "exp": NOW.timestamp() + 60}  # fmt: skip


@pytest.mark.parametrize("jti", ["a\x00b", "line\nbreak", "\x1b[31m"])
def test_a_jti_with_control_characters_is_refused(jti: str) -> None:
    with pytest.raises(AssertionRefused, match="jti must be printable"):
        checked_claims(claims(jti), "hd-1", TOKEN_URL, NOW)


def test_a_printable_jti_is_accepted() -> None:
    assert checked_claims(claims("5f0c-11ef"), "hd-1", TOKEN_URL, NOW).jti == "5f0c-11ef"
