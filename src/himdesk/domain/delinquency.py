"""Delinquent records and the Joint Commission's medical record delinquency rate.

A record is *delinquent* when it is still incomplete after the time the medical staff
bylaws allow (here: a discharged encounter with at least one deficiency open past its due
date, 30 days after discharge by default). The Joint Commission (Record of Care standard
RC.01.04.01, and its Medical Record Delinquency Rate form) measures

    delinquency rate = delinquent records / average monthly discharges (AMD)

where AMD is the number of discharges in the 12 months before the measurement, divided by
12. The hospital measures at least every quarter; it is out of compliance when the rate
averaged over the last four quarterly measurements, or any single quarterly measurement,
exceeds 50% of AMD. himdesk measures on the day asked (a point-in-time count, as each
quarterly measurement is) and flags a rate above 50%.

Numerator and denominator cover the same encounters: every discharged encounter the chart
analysis covers (inpatient, emergency, observation and outpatient visits alike).

The same arithmetic gives a service's rate from its own delinquent records and discharges.
Open deficiencies are also aged by days since discharge, in the bands an HIT works by.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

MONTHS_MEASURED = 12
FLAG_ABOVE = Decimal("0.5")  # more delinquent records than half the AMD


def measurement_start(measured_on: date) -> date:
    """The first day of the 12 months of discharges counted (measured_on is the last)."""
    try:
        year_before = measured_on.replace(year=measured_on.year - 1)
    except ValueError:  # 29 February: a year before has no such day
        year_before = measured_on.replace(year=measured_on.year - 1, day=28)
    return year_before + timedelta(days=1)


@dataclass(frozen=True)
class DelinquencyRate:
    """Delinquent records against the discharges of the 12 months up to the measurement."""

    delinquent_records: int
    discharges: int  # in the 12 months measured

    @property
    def average_monthly_discharges(self) -> Decimal:
        return _two_places(Decimal(self.discharges) / MONTHS_MEASURED)

    @property
    def rate(self) -> Decimal | None:
        """Delinquent records / AMD (0.5 is 50%); None when nothing was discharged."""
        if self.discharges == 0:
            return None
        exact = Decimal(self.delinquent_records * MONTHS_MEASURED) / self.discharges
        return exact.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    @property
    def percent(self) -> Decimal | None:
        rate = self.rate
        return None if rate is None else _two_places(rate * 100)

    @property
    def flagged(self) -> bool:
        """Above 50% of AMD, compared exactly (not on the rounded rate).

        Delinquent records with no discharges at all in the year are flagged too: the rate
        is then beyond any limit.
        """
        if self.discharges == 0:
            return self.delinquent_records > 0
        return Decimal(self.delinquent_records * MONTHS_MEASURED) > FLAG_ABOVE * self.discharges


def _two_places(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ClinicianDelinquency:
    """One clinician's share: the records they hold delinquent and their overdue items."""

    clinician_id: int | None  # None: deficiencies no clinician is responsible for
    clinician: str
    delinquent_records: int
    deficiencies: int
    oldest_due_on: date

    def days_overdue(self, today: date) -> int:
        return (today - self.oldest_due_on).days


@dataclass(frozen=True)
class ServiceDelinquency:
    service: str
    deficiencies: int
    rate: DelinquencyRate


def hospital_rate(by_service: Sequence[ServiceDelinquency]) -> DelinquencyRate:
    """The whole hospital's rate: an encounter belongs to one service, so the services'
    delinquent records and discharges add up without counting any record twice."""
    return DelinquencyRate(
        sum(s.rate.delinquent_records for s in by_service),
        sum(s.rate.discharges for s in by_service),
    )


@dataclass(frozen=True)
class AgeBand:
    """Open deficiencies by days since discharge: `first_day` to `last_day` inclusive."""

    label: str
    first_day: int
    last_day: int | None  # None: no upper end
    delinquent: bool = False

    def holds(self, days_since_discharge: int) -> bool:
        upper = self.last_day is None or days_since_discharge <= self.last_day
        return self.first_day <= days_since_discharge and upper

    def earliest_discharge(self, today: date) -> date | None:
        """The earliest discharge date in this band on `today` (None: no lower bound)."""
        return None if self.last_day is None else today - timedelta(days=self.last_day)


# Over the bylaws' 30 days a deficiency is delinquent.
AGE_BANDS = (
    AgeBand("0–7 days", 0, 7),
    AgeBand("8–14 days", 8, 14),
    AgeBand("15–30 days", 15, 30),
    AgeBand("Over 30 days", 31, None, delinquent=True),
)


def band_of(days_since_discharge: int) -> AgeBand:
    """The band a deficiency falls in; a discharge dated after today counts as day 0."""
    days = max(days_since_discharge, 0)
    return next(band for band in AGE_BANDS if band.holds(days))


@dataclass(frozen=True)
class AgeRow:
    """Open deficiencies of one kind, counted per age band (same order as AGE_BANDS)."""

    kind: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


def age_table(counts: dict[tuple[str, int], int]) -> list[AgeRow]:
    """Rows per kind from (kind, band index) -> count, the largest total first."""
    kinds = sorted({kind for kind, _band in counts})
    rows = [
        AgeRow(kind, tuple(counts.get((kind, i), 0) for i in range(len(AGE_BANDS))))
        for kind in kinds
    ]
    return sorted(rows, key=lambda row: (-row.total, row.kind))
