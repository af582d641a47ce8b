"""Plain record values and the field-by-field history of a correction."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from himdesk.domain.records import (
    AbnormalFlag,
    Address,
    AdministrativeSex,
    DischargeDisposition,
    DocumentType,
    Observation,
    Patient,
)
from himdesk.domain.versions import FieldChange, changed_fields


def _patient(**changes: Any) -> Patient:
    fields: dict[str, Any] = {
        "facility": "MAIN",
        "mrn": "MRN0001",
        "family_name": "Smith",
        "given_name": "Jon",
        "birth_on": date(1950, 3, 2),
        "sex": AdministrativeSex.MALE,
    }
    return Patient(**(fields | changes))


def _glucose(low: str | None, high: str | None) -> Observation:
    return Observation(
        patient_id=1,
        encounter_id=None,
        code="2345-7",
        display="Glucose",
        value=Decimal("98"),
        unit="mg/dL",
        observed_at=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        reference_low=None if low is None else Decimal(low),
        reference_high=None if high is None else Decimal(high),
    )


def test_display_name_is_family_comma_given_with_middle_initial() -> None:
    assert _patient(middle_name="Paul").display_name == "Smith, Jon P."


def test_display_name_without_a_middle_name_has_no_initial() -> None:
    assert _patient().display_name == "Smith, Jon"


def test_patient_age_counts_birthdays() -> None:
    assert _patient().age_on(date(2026, 3, 1)) == 75
    assert _patient().age_on(date(2026, 3, 2)) == 76


def test_address_on_one_line_skips_missing_parts() -> None:
    assert Address("1 Main St", "Boston", "MA", "02118").one_line() == "1 Main St, Boston, MA 02118"
    assert Address(city="Boston", state="MA").one_line() == "Boston, MA"
    assert Address().one_line() == ""


@pytest.mark.parametrize(
    ("low", "high", "shown"),
    [
        ("70", "99", "70–99"),
        ("70", None, "70–"),
        (None, "99", "–99"),
        (None, None, ""),
        ("135.000", "145.000", "135–145"),
        ("0.000", "0.040", "0–0.04"),
    ],
)
def test_reference_range_shows_whichever_limits_are_known(
    low: str | None, high: str | None, shown: str
) -> None:
    assert _glucose(low, high).reference_range == shown


def test_only_the_normal_flag_is_not_abnormal() -> None:
    assert [f for f in AbnormalFlag if not f.is_abnormal] == [AbnormalFlag.NORMAL]


@pytest.mark.parametrize("kind", [*DischargeDisposition, *DocumentType, *AdministrativeSex])
def test_every_coded_value_has_a_label(
    kind: DischargeDisposition | DocumentType | AdministrativeSex,
) -> None:
    assert kind.label.strip()


def test_discharge_dispositions_are_two_digit_ub04_codes() -> None:
    assert all(len(d.value) == 2 and d.value.isdigit() for d in DischargeDisposition)


# --- versions ---------------------------------------------------------------------------------


def test_changed_fields_lists_only_what_differs_in_field_order() -> None:
    before = {"text": "old", "status": "signed", "signed_by_id": 1}
    after = {"text": "new", "status": "amended", "signed_by_id": 1}

    assert changed_fields(before, after) == [
        FieldChange("status", "signed", "amended"),
        FieldChange("text", "old", "new"),
    ]


def test_a_field_added_or_removed_counts_as_a_change() -> None:
    assert changed_fields({"phone": "(617) 555-0123"}, {"ssn": "123-45-6789"}) == [
        FieldChange("phone", "(617) 555-0123", None),
        FieldChange("ssn", None, "123-45-6789"),
    ]


def test_identical_snapshots_have_no_changes() -> None:
    snapshot = {"family_name": "Smith", "birth_on": "1950-03-02"}
    assert changed_fields(snapshot, dict(snapshot)) == []


_snapshots = st.dictionaries(
    st.sampled_from(["family_name", "given_name", "phone", "ssn", "city"]),
    st.text(max_size=5),
)


@given(_snapshots, _snapshots)
def test_applying_the_changes_to_the_old_snapshot_gives_the_new_one(
    before: dict[str, Any], after: dict[str, Any]
) -> None:
    rebuilt = dict(before)
    for change in changed_fields(before, after):
        assert change.before == before.get(change.field)
        if change.after is None:
            del rebuilt[change.field]
        else:
            rebuilt[change.field] = change.after
    assert rebuilt == after
