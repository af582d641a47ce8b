"""HL7 time stamps, one reading for HL7 v2 and C-CDA: precision, offsets, and what is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from himdesk.interop.hl7_time import UnreadableTime, instant, written_time


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026", datetime(2026, 1, 1, tzinfo=UTC)),
     ("202610311705", datetime(2026, 10, 31, 17, 5, tzinfo=UTC)),
     ("20261031170501.25", datetime(2026, 10, 31, 17, 5, 1, 250000, tzinfo=UTC)),
     ("20261031170000+0100", datetime(2026, 10, 31, 16, tzinfo=UTC)),
     ("20261031170000-0500", datetime(2026, 10, 31, 22, tzinfo=UTC)),
     ("20261031170000+2500", datetime(2026, 10, 31, 17, tzinfo=UTC))],
)  # fmt: skip
def test_a_time_stamp_is_the_utc_instant_it_names(value: str, expected: datetime) -> None:
    assert instant(value) == expected


def test_the_day_as_written_is_not_moved_by_the_offset() -> None:
    written = written_time("19580611230000-0500")
    assert written.date() == date(1958, 6, 11)
    assert written.utcoffset() == -timedelta(hours=5)
    assert written.tzinfo == timezone(-timedelta(hours=5))


@pytest.mark.parametrize(
    ("value", "problem"),
    [("abc", "expected an HL7 time stamp"), ("2026.5", "expected an HL7 time stamp"),
     ("00010101", "years 1800 to 2200"), ("20260230", "a real date and time"),
     ("20261031250000", "a real date and time")],
)  # fmt: skip
def test_what_is_no_time_stamp_is_refused_saying_what_was_expected(
    value: str, problem: str
) -> None:
    with pytest.raises(UnreadableTime, match=problem):
        instant(value)
