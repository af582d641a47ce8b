"""What makes a chosen password acceptable (NIST SP 800-63B section 5.1.1.2).

Long enough, not absurdly long, and not guessable: not on a list of common passwords (also
when wrapped in digits or punctuation, as in "password2024!"), not repeated or sequential
characters, not the username or the system's name. No composition rules (NIST advises
against them: they push people to predictable patterns, not stronger secrets).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from himdesk.domain.demographics import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 256
SYSTEM_NAME = "himdesk"
# Short usernames ("al") occur inside ordinary words; refusing them would refuse good passwords.
_SHORTEST_USERNAME_PART = 3
_PADDING = "0123456789!@#$%^&*()-_=+.,;:?'\"/\\|~`[]{}<> "


def password_problem(password: str, username: str) -> str | None:
    """Why this password may not be chosen by this user, or None when it may."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    if _is_common(lowered):
        return (
            "This password is on a list of commonly used passwords (also with digits or "
            "symbols added). Choose another; a few unrelated words make a good one."
        )
    if _is_repetitive_or_sequential(lowered):
        return "This password is made of repeated or sequential characters. Choose another."
    if any(part in lowered for part in _username_parts(username)):
        return "The password may not contain the username."
    if SYSTEM_NAME in lowered:
        return f"The password may not contain the system's name ({SYSTEM_NAME})."
    return None


def check_new_password(password: str, username: str) -> None:
    problem = password_problem(password, username)
    if problem:
        raise InvalidInput({"password": problem})


def _is_common(lowered: str) -> bool:
    common = common_passwords()
    core = lowered.strip(_PADDING)
    # A password of digits and symbols only ("1234567890!!") strips to nothing.
    return lowered in common or not core or core in common


def _is_repetitive_or_sequential(lowered: str) -> bool:
    if len(set(lowered)) <= 3:
        return True
    steps = {ord(b) - ord(a) for a, b in zip(lowered, lowered[1:], strict=False)}
    return steps in ({1}, {-1})


def _username_parts(username: str) -> set[str]:
    name = username.strip().lower()
    parts = {name} | set(name.replace(".", " ").replace("_", " ").split())
    return {p for p in parts if len(p) >= _SHORTEST_USERNAME_PART}


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list (read once); lines starting with '# ' are its header."""
    text = files("himdesk.domain").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("# "))
