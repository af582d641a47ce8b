"""Choosing a password (NIST SP 800-63B 5.1.1.2): length, common lists, the username."""

from __future__ import annotations

import pytest

from himdesk.domain.demographics import InvalidInput
from himdesk.domain.passwords import check_new_password, common_passwords, password_problem


def test_the_shipped_list_holds_ten_thousand_common_passwords() -> None:
    common = common_passwords()
    assert len(common) == 10_000
    assert {"123456", "password", "qwerty123456", "password1234"} <= common
    assert not any(p.startswith("# ") for p in common)


def test_a_long_passphrase_of_ordinary_words_is_accepted() -> None:
    assert password_problem("plum tractor seventeen ladders", "rhia.smith") is None


def test_no_composition_rules_apply_to_lowercase_words() -> None:
    assert password_problem("lowercaseonlyisfine here", "coder1") is None


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("short", "at least 12 characters"),
        ("x" * 257, "at most 256 characters"),
        ("qwerty123456", "commonly used"),
        ("Password1234", "commonly used"),
        ("password2024!!", "commonly used"),
        ("!!dragon1234567", "commonly used"),
        ("1234567890123", "commonly used"),
        ("aaaaaaaaaaaaa", "repeated or sequential"),
        ("abababababababab", "repeated or sequential"),
        ("abcdefghijklmn", "repeated or sequential"),
        ("zyxwvutsrqpon", "repeated or sequential"),
        ("my himdesk login pass", "system's name"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, expected: str) -> None:
    problem = password_problem(password, "rhia.smith")
    assert problem is not None and expected in problem


def test_a_password_containing_the_username_is_refused_in_any_case() -> None:
    assert password_problem("I am RHIA.SMITH at work", "rhia.smith") == (
        "The password may not contain the username."
    )


def test_a_password_containing_part_of_a_dotted_username_is_refused() -> None:
    problem = password_problem("smith family holidays", "rhia.smith")
    assert problem == "The password may not contain the username."


def test_very_short_usernames_do_not_forbid_ordinary_words() -> None:
    assert password_problem("always alert always ready", "al") is None


def test_the_check_raises_invalid_input_on_the_password_field() -> None:
    with pytest.raises(InvalidInput) as raised:
        check_new_password("iloveyou", "cora")
    assert set(raised.value.errors) == {"password"}
