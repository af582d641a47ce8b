"""Options `himdesk code validate` and `himdesk code group` share: the patient's sex, the
discharge date and the UB-04 discharge status, each refused with a clear line on stderr."""

from __future__ import annotations

from datetime import date

from himdesk.cli.context import fail
from himdesk.domain.coding.claims import ClaimSex

LONGEST_CODE = 40  # room for a code as typed (dots, spaces, ":POA"); the web form's limit


def quoted(text: str, limit: int = LONGEST_CODE) -> str:
    """The text as an error message repeats it: clipped, so a pasted page is not echoed."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def sex_option(text: str) -> ClaimSex:
    try:
        return ClaimSex(text.strip().upper())
    except ValueError:
        fail(f"--sex {quoted(text)}: use F, M or U.")


def discharge_date_option(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--discharged {quoted(text)}: use YYYY-MM-DD.")


def disposition_option(text: str) -> int:
    status = text.strip()
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if not (status.isascii() and status.isdigit()) or len(status) > 2:
        fail(f"--disposition {quoted(text)}: use the two-digit UB-04 status, e.g. 01 or 20.")
    return int(status)
