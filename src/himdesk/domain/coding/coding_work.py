"""The coder's worklist (discharged encounters not yet final-coded) and the productivity
counts of final coding (encounters final-coded per day, by encounter type and coder)."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from himdesk.domain.demographics import InvalidInput
from himdesk.domain.records import EncounterClass

PER_PAGE = 50
LONGEST_REPORT = timedelta(days=366)
# Days a report may name: far from date.min/max, where a day's neighbours overflow.
REPORTABLE = (date(1900, 1, 1), date(2999, 12, 31))


class CodingProgress(enum.StrEnum):
    NOT_STARTED = "not_started"  # no abstract yet
    IN_PROGRESS = "in_progress"  # saved, never final-coded
    REOPENED = "reopened"  # final-coded once, reopened with a reason

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True, slots=True)
class CodingWorkItem:
    encounter_id: int
    patient_id: int
    mrn: str
    patient_name: str  # "" when the chart is restricted for this user (VIP, employee)
    account_number: str
    encounter_class: str
    age_at_discharge: int
    sex: str
    attending: str
    discharged_at: datetime
    progress: CodingProgress
    restricted: bool = False

    def days_since_discharge(self, today: date) -> int:
        return (today - self.discharged_at.date()).days


@dataclass(frozen=True, slots=True)
class WorklistCriteria:
    encounter_class: EncounterClass | None = None
    progress: CodingProgress | None = None
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True, slots=True)
class CodingWorkPage:
    items: Sequence[CodingWorkItem]
    total: int
    criteria: WorklistCriteria

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.criteria.per_page))


def age_on(birth_on: date, day: date) -> int:
    before_birthday = (day.month, day.day) < (birth_on.month, birth_on.day)
    return day.year - birth_on.year - int(before_birthday)


@dataclass(frozen=True, slots=True)
class FinalCoding:
    """One encounter's current final coding, as the productivity report counts it."""

    finalized_at: datetime
    encounter_class: str
    coder: str  # username


@dataclass(frozen=True, slots=True)
class CountRow:
    label: str  # a day (ISO) or a coder's username
    by_class: tuple[int, ...]  # in the order of ProductivityReport.classes

    @property
    def total(self) -> int:
        return sum(self.by_class)


@dataclass(frozen=True, slots=True)
class ProductivityReport:
    start: date
    end: date
    classes: tuple[str, ...]
    by_day: Sequence[CountRow]
    by_coder: Sequence[CountRow]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.by_day)


def report_period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The days to report on, both included: the last 30 days unless given."""
    first, last = REPORTABLE
    for name, day in (("start", start), ("end", end)):
        if day is not None and not first <= day <= last:
            raise InvalidInput({name: f"Choose a day from {first.year} to {last.year}."})
    end = end or today
    start = start or end - timedelta(days=29)
    if start > end:
        raise InvalidInput({"start": "The first day comes after the last day."})
    if end - start >= LONGEST_REPORT:
        raise InvalidInput({"start": "Report on at most a year at a time."})
    return start, end


def productivity(
    codings: Sequence[FinalCoding], start: date, end: date, zone: tzinfo
) -> ProductivityReport:
    """Final codings per day (on the facility's clock) and per coder, by encounter type."""
    seen = sorted({c.encounter_class for c in codings})
    classes = tuple(dict.fromkeys([*(c.value for c in EncounterClass), *seen]))
    days: Counter[tuple[date, str]] = Counter()
    coders: Counter[tuple[str, str]] = Counter()
    for coding in codings:
        day = coding.finalized_at.astimezone(zone).date()
        if start <= day <= end:
            days[(day, coding.encounter_class)] += 1
            coders[(coding.coder, coding.encounter_class)] += 1
    by_day = [
        CountRow(day.isoformat(), tuple(days[(day, c)] for c in classes))
        for day in sorted({d for d, _ in days})
    ]
    by_coder = [
        CountRow(coder, tuple(coders[(coder, c)] for c in classes))
        for coder in sorted({name for name, _ in coders})
    ]
    return ProductivityReport(start, end, classes, by_day, by_coder)
