"""Grouping rules without the grouper: releases by discharge date, what a claim needs, and
how drivers and hints are worded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from himdesk.domain.coding.claims import Claim, ClaimDiagnosis
from himdesk.domain.coding.dispositions import DISCHARGE_STATUSES as DISPOSITIONS
from himdesk.domain.coding.drg_hints import (
    Regrouping,
    hints_from,
    levels_above,
    secondary_effect,
    severity_phrase,
)
from himdesk.domain.coding.grouping import (
    GROUPER_RELEASES,
    ClaimNotGroupable,
    InvalidClaimCodes,
    InvalidCode,
    check_groupable,
    grouper_release_for,
    release_of,
)


@pytest.mark.parametrize(
    ("discharged", "version"),
    [
        (date(2022, 10, 1), 400),
        (date(2023, 3, 31), 400),
        (date(2023, 4, 1), 401),
        (date(2024, 9, 30), 411),
        (date(2025, 9, 30), 421),
        (date(2025, 10, 1), 430),
        (date(2026, 3, 31), 430),
        (date(2026, 4, 1), 431),
        (date(2026, 9, 30), 431),
        (date(2026, 10, 1), 440),
        (date(2027, 6, 1), 440),
    ],
)
def test_the_release_is_the_one_in_effect_on_the_discharge_date(
    discharged: date, version: int
) -> None:
    assert grouper_release_for(discharged) == (release_of(version), ())


def test_without_a_discharge_date_the_latest_release_is_used_and_noted() -> None:
    release, notes = grouper_release_for(None)
    assert release == GROUPER_RELEASES[-1] and release.label == "v44.0"
    assert notes == ("No discharge date: grouped with the latest release, v44.0.",)


def test_a_discharge_before_the_first_release_uses_the_earliest_with_a_note() -> None:
    release, notes = grouper_release_for(date(2021, 7, 4))
    assert release.version == 400
    assert "before the earliest supported release (v40.0, effective 2022-10-01)" in notes[0]


def test_releases_belong_to_their_fiscal_year() -> None:
    assert {r.version: r.fiscal_year for r in GROUPER_RELEASES if r.version >= 430} == {
        430: 2026, 431: 2026, 440: 2027}  # fmt: skip
    assert release_of(431).label == "v43.1"


def stay(*codes: str, **changes: object) -> Claim:
    fields: dict[str, object] = {"age": 70, "discharged_on": date(2026, 5, 1), **changes}
    return Claim(diagnoses=tuple(ClaimDiagnosis(c) for c in codes), **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("claim", "message"),
    [
        (stay(), "A principal diagnosis is required"),
        (stay("I5021", age=None), "age at discharge is required"),
        (stay("I5021", age=130), "Age 130 is outside 0-124"),
        (stay("I5021", inpatient=False), "not inpatient"),
        (stay("I5021", discharge_status=8), "Discharge status 08 is not a UB-04"),
        (Claim((ClaimDiagnosis("I5021", "X"),), age=70), "POA indicator 'X' of I50.21"),
    ],
)
def test_a_claim_missing_what_cms_needs_is_not_groupable(claim: Claim, message: str) -> None:
    with pytest.raises(ClaimNotGroupable, match=message):
        check_groupable(claim)


def test_a_complete_inpatient_claim_is_groupable() -> None:
    check_groupable(stay("I5021", "N179", discharge_status=20))


@pytest.mark.parametrize("status", [*DISPOSITIONS, "09"])
def test_every_disposition_the_coder_can_choose_is_groupable(status: str) -> None:
    check_groupable(stay("I5021", discharge_status=int(status)))


def test_invalid_codes_are_named_with_their_role_and_the_release() -> None:
    error = InvalidClaimCodes(
        (InvalidCode("I50", "principal diagnosis"), InvalidCode("0ZZZZZZ", "procedure")),
        release_of(431),
    )
    assert str(error) == (
        "I50 (principal diagnosis); 0ZZZZZZ (procedure) are not valid codes for "
        "MS-DRG v43.1 (FY2026)."
    )


def test_only_more_severe_levels_are_probed() -> None:
    assert levels_above("NONE") == ("MCC", "CC")
    assert levels_above("CC") == ("MCC",)
    assert levels_above("MCC") == ()


def test_the_severity_phrase_is_the_last_one_in_the_title() -> None:
    assert severity_phrase("Heart Failure and Shock without CC/MCC") == "without CC/MCC"
    title = "Percutaneous Cardiovascular Procedures with Intraluminal Device with MCC or 4+ Stents"
    assert severity_phrase(title) == "with MCC"
    assert severity_phrase("Normal Newborn") is None


def test_a_secondary_driver_says_where_it_moved_the_drg() -> None:
    effect = secondary_effect("MCC", "291", "Heart Failure and Shock with MCC")
    assert effect == "MCC: moves the DRG to 'with MCC' (291)"


def test_a_cc_and_an_mcc_reaching_the_same_drg_share_one_hint() -> None:
    title = "Kidney and Urinary Tract Infections with MCC"
    hints = hints_from([
        Regrouping("MCC", "J96.01", "689", title, Decimal("1.1")),
        Regrouping("CC", "N17.9", "689", title, Decimal("1.1")),
    ])  # fmt: skip
    assert hints == (
        "If the record documents an MCC or a CC among the secondary diagnoses (e.g. J96.01, "
        "N17.9), the stay would group to 689 Kidney and Urinary Tract Infections with MCC "
        "(weight 1.1).",
    )


def test_a_hint_without_a_loaded_weight_names_none() -> None:
    (hint,) = hints_from([Regrouping("MCC", "J96.01", "291", "Heart Failure", None)])
    assert hint.endswith("would group to 291 Heart Failure.")
