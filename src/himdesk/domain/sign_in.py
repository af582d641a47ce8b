"""Rules of signing in: who needs a second factor, and how failures pause an account.

ONC 170.315(d)(1) and (d)(13), NIST SP 800-63B sections 5.1.3 (TOTP), 5.1.1.2 and 5.2.2
(throttling: no more than 100 consecutive failures on one account).
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from himdesk.domain.access import PERMISSIONS, Action, Role

# Actions that reach identified patient data, or can hand that reach to someone else.
_NEEDS_SECOND_FACTOR = frozenset({Action.SEARCH_PATIENTS, Action.READ_CHART, Action.MANAGE_USERS})

FAILURES_BEFORE_PAUSE = 5
FIRST_PAUSE = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(hours=1)
# From here on only an administrator unlocks the account (NIST's limit of 100).
FAILURES_BEFORE_LOCK = 100

RECOVERY_CODES = 10
# A half-finished sign-in (password checked, second factor not yet) lasts this long.
SECOND_FACTOR_TIME_LIMIT = timedelta(minutes=5)


def requires_second_factor(role: Role) -> bool:
    """Every role that can see patient data, or grant access to it, signs in with two factors."""
    return bool(PERMISSIONS[role] & _NEEDS_SECOND_FACTOR)


def pause_after(failures: int) -> timedelta | None:
    """How long logins wait after this many consecutive failures: 1 min, doubling, capped."""
    if failures < FAILURES_BEFORE_PAUSE:
        return None
    doublings = min(failures - FAILURES_BEFORE_PAUSE, 10)
    pause: timedelta = min(FIRST_PAUSE * (1 << doublings), LONGEST_PAUSE)
    return pause


def is_locked(failures: int, paused_until: datetime | None, now: datetime) -> bool:
    if failures >= FAILURES_BEFORE_LOCK:
        return True
    return paused_until is not None and now < paused_until


class SessionStage(enum.StrEnum):
    """How far a browser session has got; only ACTIVE sessions reach any workstation page."""

    ACTIVE = "active"
    SECOND_FACTOR = "second_factor"
    ENROLLING = "enrolling"


def normalize_recovery_code(typed: str) -> str:
    """'ABCD-efgh ijkl-MNOP' -> 'abcdefghijklmnop': people copy codes with spaces and dashes."""
    return "".join(ch for ch in typed.lower() if ch.isalnum())


def looks_like_totp(typed: str) -> bool:
    compact = typed.replace(" ", "")
    # ASCII only: str.isdigit() also accepts other scripts' digits, which no app shows.
    return len(compact) == 6 and compact.isascii() and compact.isdigit()
