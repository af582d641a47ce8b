"""When a patient's encounters happen: spread over the three years before today, never
before birth, never overlapping, and finished well before today (except a current stay).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from himdesk.domain.records import EncounterClass

_LOOKBACK = timedelta(days=3 * 365)
_SETTLED = timedelta(days=20)  # the last finished visit starts at least this long ago
_SLOT_ROOM = timedelta(days=13)  # the longest stay fits inside its slot
_ADULT_MIX = (
    (EncounterClass.INPATIENT, 40),
    (EncounterClass.OUTPATIENT, 30),
    (EncounterClass.EMERGENCY, 22),
    (EncounterClass.OBSERVATION, 8),
)
_CHILD_MIX = (
    (EncounterClass.INPATIENT, 15),
    (EncounterClass.OUTPATIENT, 50),
    (EncounterClass.EMERGENCY, 30),
    (EncounterClass.OBSERVATION, 5),
)
_COUNTS = (1, 2, 3, 4, 5, 6)
_COUNT_WEIGHTS = (20, 22, 20, 16, 12, 10)


def visit_count(rng: random.Random) -> int:
    return rng.choices(_COUNTS, weights=_COUNT_WEIGHTS)[0]


def visit_starts(
    rng: random.Random, birth_on: date, horizon: datetime, count: int
) -> list[datetime]:
    """Start times, one per equal slot of the look-back window, in order."""
    born = datetime(birth_on.year, birth_on.month, birth_on.day, tzinfo=horizon.tzinfo)
    earliest = max(horizon - _LOOKBACK, born + timedelta(days=1))
    latest = horizon - _SETTLED
    span = max(latest - earliest, timedelta(0))
    count = max(1, min(count, span // timedelta(days=14)))
    slot = span / count
    room = max(slot - _SLOT_ROOM, timedelta(0))
    room_minutes = int(room.total_seconds() // 60)
    slot_minutes = int(slot.total_seconds() // 60)
    return [
        earliest + timedelta(minutes=k * slot_minutes + rng.randint(0, room_minutes))
        for k in range(count)
    ]


def encounter_class(rng: random.Random, age: int) -> EncounterClass:
    mix = _ADULT_MIX if age >= 18 else _CHILD_MIX
    return rng.choices([kind for kind, _ in mix], weights=[w for _, w in mix])[0]


def current_admission(rng: random.Random, horizon: datetime) -> datetime | None:
    """Now and then a patient is in the hospital today: admitted one and a half to four
    days ago and not yet discharged."""
    if rng.random() >= 0.03:
        return None
    return horizon - timedelta(minutes=rng.randint(36 * 60, 96 * 60))
