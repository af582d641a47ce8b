"""The Joint Commission delinquency rate and the age bands of open deficiencies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from himdesk.domain.delinquency import (
    AGE_BANDS,
    AgeRow,
    ClinicianDelinquency,
    DelinquencyRate,
    age_table,
    band_of,
    measurement_start,
)


def test_the_rate_is_delinquent_records_over_average_monthly_discharges() -> None:
    rate = DelinquencyRate(delinquent_records=561, discharges=12 * 1700)
    assert rate.average_monthly_discharges == Decimal("1700.00")
    assert rate.rate == Decimal("0.3300")
    assert rate.percent == Decimal("33.00")
    assert not rate.flagged


def test_average_monthly_discharges_are_a_twelfth_of_the_years_discharges() -> None:
    assert DelinquencyRate(0, 100).average_monthly_discharges == Decimal("8.33")
    assert DelinquencyRate(0, 0).average_monthly_discharges == Decimal("0.00")


def test_exactly_half_of_the_average_monthly_discharges_is_not_flagged() -> None:
    assert DelinquencyRate(30, 720).rate == Decimal("0.5000")
    assert not DelinquencyRate(30, 720).flagged


def test_one_record_more_than_half_is_flagged() -> None:
    assert DelinquencyRate(31, 720).flagged


def test_the_flag_is_decided_exactly_not_on_the_rounded_rate() -> None:
    # 1 / (23999 / 12) = 0.500021 -> rounds to 0.5000, yet it is above half.
    rate = DelinquencyRate(1000, 23_999)
    assert rate.rate == Decimal("0.5000")
    assert rate.flagged


def test_without_discharges_there_is_no_rate_and_any_delinquent_record_is_flagged() -> None:
    assert DelinquencyRate(0, 0).rate is None and not DelinquencyRate(0, 0).flagged
    assert DelinquencyRate(2, 0).percent is None and DelinquencyRate(2, 0).flagged


@pytest.mark.parametrize(
    ("measured_on", "first_day"),
    [
        (date(2026, 11, 2), date(2025, 11, 3)),
        (date(2026, 1, 1), date(2025, 1, 2)),
        (date(2028, 2, 29), date(2027, 3, 1)),
    ],
)
def test_discharges_are_counted_over_the_twelve_months_up_to_the_measurement(
    measured_on: date, first_day: date
) -> None:
    assert measurement_start(measured_on) == first_day


@pytest.mark.parametrize(
    ("days", "label"),
    [(-1, "0–7 days"), (0, "0–7 days"), (7, "0–7 days"), (8, "8–14 days"), (14, "8–14 days"),
     (15, "15–30 days"), (30, "15–30 days"), (31, "Over 30 days"), (400, "Over 30 days")],
)  # fmt: skip
def test_deficiencies_are_aged_by_days_since_discharge(days: int, label: str) -> None:
    assert band_of(days).label == label


def test_only_the_band_past_the_bylaws_limit_is_delinquent() -> None:
    assert [band.delinquent for band in AGE_BANDS] == [False, False, False, True]


def test_each_band_starts_at_its_earliest_discharge_date() -> None:
    today = date(2026, 11, 2)
    earliest = [band.earliest_discharge(today) for band in AGE_BANDS]
    assert earliest == [date(2026, 10, 26), date(2026, 10, 19), date(2026, 10, 3), None]


def test_the_age_table_has_a_row_per_kind_the_largest_first_with_zeros_filled() -> None:
    counts = {("unsigned_document", 0): 1, ("missing_document", 1): 2, ("missing_document", 3): 4}
    assert age_table(counts) == [
        AgeRow("missing_document", (0, 2, 0, 4)),
        AgeRow("unsigned_document", (1, 0, 0, 0)),
    ]
    assert age_table(counts)[0].total == 6


def test_a_clinicians_oldest_delinquency_is_counted_in_days_overdue() -> None:
    share = ClinicianDelinquency(7, "William Osler, MD", 2, 3, date(2026, 10, 1))
    assert share.days_overdue(date(2026, 11, 2)) == 32
