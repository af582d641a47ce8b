"""HL7 time stamps, written alike by HL7 v2 (DTM, and TS component 1) and by the HL7 v3 TS of
C-CDA: YYYY[MM[DD[HH[MM[SS[.S…]]]]]][+/-ZZZZ].

HL7 v2.5.1 chapter 2A.22 (DTM) and HL7 V3 Data Types R1 (TS, literal form). A time without a
UTC offset is the sender's local time, which himdesk cannot know: it is taken as UTC, as the
hospital's interfaces send UTC or an offset. An offset no place on earth has (beyond ±14:59)
is not a usable offset, but the local time before it still is: it is read as UTC too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_TIME_STAMP = re.compile(
    r"(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,6}))?)?)?)?)?)?"
    r"([+-]\d{4})?"
)
# "00010101" is how some senders write "unknown"; no record of a living person is older.
PLAUSIBLE_YEARS = range(1800, 2201)
EXPECTED = "expected an HL7 time stamp YYYYMMDD[HHMM[SS]][+/-ZZZZ]"


class UnreadableTime(ValueError):
    """A value that is no HL7 time stamp, or names no real date and time; the message says
    what was expected."""


def written_time(value: str) -> datetime:
    """The time as written, in its own offset (UTC when it has none): its `.date()` is the
    calendar day as written (a birth date), `.astimezone(UTC)` the instant."""
    match = _TIME_STAMP.fullmatch(value.strip())
    if match is None:
        raise UnreadableTime(EXPECTED)
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    if int(year) not in PLAUSIBLE_YEARS:
        raise UnreadableTime(f"{EXPECTED} naming a real date (years 1800 to 2200)")
    try:
        moment = datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
            tzinfo=_zone(offset),
        )
    except ValueError:
        raise UnreadableTime(f"{EXPECTED} naming a real date and time") from None
    return moment


def instant(value: str) -> datetime:
    """The time stamp as an aware UTC datetime."""
    return written_time(value).astimezone(UTC)


def _zone(offset: str | None) -> timezone:
    if not offset:
        return UTC
    hours, minutes = int(offset[1:3]), int(offset[3:5])
    if hours > 14 or minutes > 59:
        return UTC
    sign = -1 if offset[0] == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
