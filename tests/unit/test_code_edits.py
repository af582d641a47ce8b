"""Code edits on the real FY2026 code sets: every edit found where it applies, and not where
it does not. Medicare Code Editor findings are given as the adapter reports them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from himdesk.domain.coding.claims import Claim, ClaimDiagnosis, ClaimSex, MedicareEdit
from himdesk.domain.coding.code_set import DiagnosisCodeSet, ProcedureCodeSet
from himdesk.domain.coding.edits import CodeEdit, EditSeverity, edits_for
from himdesk.domain.coding.medicare_edits import EDITOR_UNAVAILABLE, RETIRED_SEX_CONFLICT
from himdesk.domain.coding.note_codes import noted_codes
from himdesk.domain.coding.poa_exemptions import PoaReporting, poa_reporting

ERROR, WARNING, REMINDER = EditSeverity.ERROR, EditSeverity.WARNING, EditSeverity.REMINDER
Check = Callable[..., list[CodeEdit]]


@pytest.fixture
def check(cm_code_set: DiagnosisCodeSet, pcs_code_set: ProcedureCodeSet) -> Check:
    def run(
        *diagnoses: str,
        procedures: tuple[str, ...] = (),
        medicare: list[MedicareEdit] | None = None,
        **claim: object,
    ) -> list[CodeEdit]:
        coded = tuple(
            ClaimDiagnosis(*d.split(":")) if ":" in d else ClaimDiagnosis(d, "Y") for d in diagnoses
        )
        found = Claim(coded, procedures, **claim)  # type: ignore[arg-type]  # test-chosen fields
        return edits_for(found, cm_code_set, pcs_code_set, medicare or [])

    return run


def named(edits: list[CodeEdit], edit: str) -> list[CodeEdit]:
    return [e for e in edits if e.edit == edit]


def only(edits: list[CodeEdit], edit: str) -> CodeEdit:
    found = named(edits, edit)
    assert len(found) == 1, edits
    return found[0]


# invalid_code


def test_a_code_the_release_lacks_is_invalid_and_names_its_nearest_code(check: Check) -> None:
    edit = only(check("I10.1"), "invalid_code")
    assert edit.code == "I10.1" and edit.severity is ERROR
    assert "I10.1 is not a code in ICD-10-CM FY2026" in edit.message
    assert "I10 (Essential (primary) hypertension)" in edit.message
    assert edit.fix == "Report I10 if it describes the condition."


def test_an_unknown_code_under_a_subcategory_lists_the_codes_beneath_it(check: Check) -> None:
    edit = only(check("I21.05"), "invalid_code")
    assert "Its nearest parent is I21.0 (ST elevation (STEMI) myocardial infarction of " in (
        edit.message
    )
    assert "with 3 codes beneath: I21.01, I21.02, I21.09." in edit.message


def test_an_unknown_code_below_a_billable_code_names_that_code(check: Check) -> None:
    edit = only(check("I21.49"), "invalid_code")
    assert "The nearest code is I21.4 (Non-ST elevation (NSTEMI) myocardial infarction)" in (
        edit.message
    )


def test_text_that_is_no_code_is_invalid(check: Check) -> None:
    assert "is not an ICD-10-CM code" in only(check("HEART"), "invalid_code").message


def test_a_valid_code_is_not_invalid(check: Check) -> None:
    assert named(check("I10"), "invalid_code") == []


def test_a_pcs_code_no_table_row_allows_names_the_character_and_the_values_allowed(
    check: Check,
) -> None:
    edit = only(check("I21.4", procedures=("02703QZ",)), "invalid_code")
    assert edit.code == "02703QZ"
    assert "character 6 (Device) 'Q' is not allowed after 02703" in edit.message
    assert "Heart and Great Vessels, Dilation" in edit.message
    assert "D Intraluminal Device" in edit.fix and "Z No Device" in edit.fix


def test_a_pcs_code_of_an_unknown_body_system_says_so(check: Check) -> None:
    edit = only(check("I10", procedures=("0Z00000",)), "invalid_code")
    assert "character 2 (Body System) 'Z' does not exist in Medical and Surgical" in edit.message


def test_a_valid_pcs_code_is_not_invalid(check: Check) -> None:
    assert named(check("I21.4", procedures=("02703DZ",)), "invalid_code") == []


# header_code


def test_a_category_is_a_header_listing_its_billable_codes(check: Check) -> None:
    edit = only(check("I21"), "header_code")
    assert edit.code == "I21" and edit.severity is ERROR
    assert edit.message.startswith(
        "I21 (Acute myocardial infarction) is a category, not a "
        "billable code: choose one of I21.01, I21.02, I21.09"
    )
    assert "(13 codes)" in edit.message


def test_a_subcategory_with_seventh_characters_says_its_codes_take_one(check: Check) -> None:
    edit = only(check("S72.00"), "header_code")
    assert "is a subcategory" in edit.message and "(each with its 7th character)" in edit.message


def test_a_billable_code_is_no_header(check: Check) -> None:
    assert named(check("I21.4"), "header_code") == []


# seventh character


def test_a_code_without_its_seventh_character_shows_the_rule_and_the_codes_built(
    check: Check,
) -> None:
    edit = only(check("S02.0"), "seventh_character_missing")
    assert "A initial encounter for closed fracture" in edit.message
    assert "S02.0XXA" in edit.fix and "S02.0XXS" in edit.fix


def test_a_full_seventh_character_code_passes(check: Check) -> None:
    edits = check("S72.001A")
    assert [
        e for e in edits if e.edit.startswith("seventh") or e.edit == "placeholder_missing"
    ] == []


def test_a_seventh_character_the_rule_lacks_is_invalid(check: Check) -> None:
    edit = only(check("S72.001Z"), "seventh_character_invalid")
    assert "7th character Z is not defined for S72.001" in edit.message


def test_a_seventh_character_without_its_placeholders_is_shown_with_them(check: Check) -> None:
    edit = only(check("S02.0A"), "placeholder_missing")
    assert edit.fix == "Report S02.0XXA."


def test_a_seventh_character_on_a_code_that_takes_none_is_invalid(check: Check) -> None:
    edit = only(check("I21.01XA"), "invalid_code")
    assert "I21.01 (ST elevation (STEMI) myocardial infarction" in edit.message
    assert "takes no 7th character" in edit.message


# excludes1


def test_excludes1_pair_is_an_error_citing_the_note_and_the_unrelated_exception(
    check: Check,
) -> None:
    edit = only(check("E10.9", "E11.9"), "excludes1")
    assert edit.severity is ERROR and edit.code == "E10.9"
    assert "E10.9 (Type 1 diabetes mellitus without complications) and E11.9" in edit.message
    assert (
        "cannot be reported together unless the conditions are unrelated "
        "(Guideline I.A.12.a)" in edit.message
    )
    assert "the Excludes1 note at E10 reads \u201ctype 2 diabetes mellitus (E11.-)\u201d" in (
        edit.message
    )


def test_excludes1_printed_at_a_category_applies_to_its_codes(check: Check) -> None:
    # G30's note "senile dementia NOS (F03.-)" covers G30.9 and F03.90.
    assert len(named(check("G30.9", "F03.90"), "excludes1")) == 1


def test_codes_without_an_excludes1_relation_pass(check: Check) -> None:
    assert named(check("E11.9", "I10"), "excludes1") == []


def test_excludes2_is_not_an_edit(check: Check) -> None:
    # I21 has "Excludes2: old myocardial infarction (I25.2)": both may be reported.
    assert named(check("I21.4", "I25.2"), "excludes1") == []


# manifestation as principal


def test_a_manifestation_code_first_is_an_error_naming_the_code_first_note(check: Check) -> None:
    edit = only(check("G01", "A39.9"), "manifestation_as_principal")
    assert edit.code == "G01" and edit.severity is ERROR
    assert "Meningitis in bacterial diseases classified elsewhere" in edit.message
    assert "code first: underlying disease" in edit.fix


def test_a_manifestation_code_inherits_its_category_title(check: Check) -> None:
    assert named(check("H36.811"), "manifestation_as_principal") != []


def test_the_medicare_code_editor_corroborates_manifestations_without_the_title(
    check: Check,
) -> None:
    mce = [MedicareEdit("MANIFESTATION_AS_PDX", "D641", "diagnosis")]
    edit = only(check("D64.1", medicare=mce), "manifestation_as_principal")
    assert "the Medicare Code Editor lists it as a manifestation code" in edit.message


def test_a_manifestation_code_after_its_underlying_condition_passes(check: Check) -> None:
    assert named(check("A02.21", "G01"), "manifestation_as_principal") == []
    assert named(check("D64.1"), "manifestation_as_principal") == []


# code first / use additional code


def test_use_additional_code_reminds_until_a_named_code_is_present(check: Check) -> None:
    def kidney_stage(edits: list[CodeEdit]) -> list[CodeEdit]:
        return [e for e in named(edits, "use_additional_code") if "(N18.1-N18.6)" in e.message]

    [edit] = kidney_stage(check("E11.22"))
    assert edit.severity is REMINDER and edit.code == "E11.22"
    assert edit.message.startswith(
        "Use additional code (note at E11.22): code to identify "
        "stage of chronic kidney disease (N18.1-N18.6)."
    )
    assert kidney_stage(check("E11.22", "N18.30")) == []


def test_code_first_without_named_codes_is_one_reminder(check: Check) -> None:
    edits = named(check("A02.21", "G01"), "code_first")
    assert [(e.code, e.message) for e in edits] == [
        ("G01", "Code first: underlying disease (note at G01).")
    ]


def test_a_code_first_condition_listed_after_is_a_sequencing_warning(check: Check) -> None:
    edit = only(check("I50.21", "I11.0"), "code_first")
    assert edit.severity is WARNING and edit.fix == "Sequence I11.0 before I50.21."


def test_a_code_first_condition_listed_before_satisfies_the_note(check: Check) -> None:
    assert [e for e in named(check("I11.0", "I50.21"), "code_first") if e.code == "I50.21"] == []


# Medicare Code Editor edits


def test_a_sex_conflict_names_the_sex_the_code_is_for(check: Check) -> None:
    mce = [MedicareEdit("SEX_CONFLICT", "N400", "diagnosis")]
    edit = only(check("I10", "N40.0", sex=ClaimSex.FEMALE, medicare=mce), "sex_conflict")
    assert edit.severity is ERROR and edit.code == "N40.0"
    assert "conflicts with the patient's sex (F)" in edit.message and "male" in edit.message


def test_a_withdrawn_sex_conflict_is_advice(check: Check) -> None:
    mce = [MedicareEdit(RETIRED_SEX_CONFLICT, "0VT00ZZ", "procedure")]
    edit = only(
        check("C61", procedures=("0VT00ZZ",), sex=ClaimSex.FEMALE, medicare=mce), "sex_conflict"
    )
    assert edit.severity is WARNING and edit.code == "0VT00ZZ"
    assert "withdrew the sex conflict edit" in edit.message


def test_no_medicare_finding_no_sex_or_age_edit(check: Check) -> None:
    edits = check("I10", "N40.0", sex=ClaimSex.MALE, age=70)
    assert named(edits, "sex_conflict") == [] and named(edits, "age_conflict") == []


def test_an_age_conflict_names_the_age(check: Check) -> None:
    mce = [MedicareEdit("AGE_CONFLICT", "Z3800", "diagnosis")]
    edit = only(check("I10", "Z38.00", age=70, medicare=mce), "age_conflict")
    assert "conflicts with the patient's age (70)" in edit.message and edit.code == "Z38.00"


def test_an_age_conflict_is_not_judged_without_an_age(check: Check) -> None:
    mce = [MedicareEdit("AGE_CONFLICT", "Z3800", "diagnosis")]
    assert named(check("I10", "Z38.00", medicare=mce), "age_conflict") == []


def test_an_unacceptable_principal_diagnosis_is_an_inpatient_error(check: Check) -> None:
    mce = [MedicareEdit("UNACCEPTABLE_PDX", "Z0000", "diagnosis")]
    edit = only(check("Z00.00", medicare=mce), "unacceptable_principal")
    assert edit.severity is ERROR and "Sequence the condition" in edit.fix
    assert named(check("Z00.00", medicare=mce, inpatient=False), "unacceptable_principal") == []


def test_a_questionable_admission_is_a_warning(check: Check) -> None:
    mce = [MedicareEdit("QUESTIONABLE_ADMISSION", "I10", "diagnosis")]
    assert only(check("I10", medicare=mce), "questionable_admission").severity is WARNING


def test_an_external_cause_code_as_principal_is_an_error_in_every_setting(check: Check) -> None:
    mce = [MedicareEdit("E_CODE_AS_PDX", "W1830XA", "diagnosis")]
    for inpatient in (True, False):
        edits = check("W18.30XA", medicare=mce, inpatient=inpatient)
        assert only(edits, "external_cause_as_principal").code == "W18.30XA"


def test_the_medicare_invalid_code_is_not_repeated_over_the_tabular_edit(check: Check) -> None:
    mce = [MedicareEdit("INVALID_CODE", "I21", "diagnosis")]
    edits = check("I21", medicare=mce)
    assert named(edits, "invalid_code") == [] and only(edits, "header_code").code == "I21"


def test_coverage_and_unknown_medicare_edits_are_explained(check: Check) -> None:
    mce = [
        MedicareEdit("LIMITED_COVERAGE_KIDNEY", "0TY00Z0", "procedure"),
        MedicareEdit("SOMETHING_NEW", "", ""),
        MedicareEdit(EDITOR_UNAVAILABLE, "", ""),
    ]
    edits = check("N18.6", procedures=("0TY00Z0",), medicare=mce)
    assert "LIMITED_COVERAGE_KIDNEY" in only(edits, "limited_coverage").message
    assert only(edits, "medicare_something_new").severity is WARNING
    assert only(edits, "medicare_editor_unavailable").code == ""


# POA


def test_an_inpatient_diagnosis_without_poa_is_an_error(check: Check) -> None:
    edit = only(check("I50.21", "N17.9:"), "poa_required")
    assert edit.code == "N17.9" and edit.severity is ERROR
    assert "(secondary diagnosis) is missing" in edit.message and "Report Y" in edit.fix


def test_the_principal_diagnosis_needs_poa_too(check: Check) -> None:
    assert only(check("I50.21:"), "poa_required").code == "I50.21"


def test_a_reported_poa_passes(check: Check) -> None:
    assert named(check("I50.21:Y", "N17.9:N", "E87.1:W"), "poa_required") == []


def test_exempt_codes_take_no_poa(check: Check) -> None:
    edits = check("I50.21", "Z79.4:", "Z87.891:1", "S72.001D:", "M80.08XD:", "Y92.009:")
    assert named(edits, "poa_required") == [] and named(edits, "poa_on_exempt_code") == []


def test_a_poa_on_an_exempt_code_is_a_warning(check: Check) -> None:
    edit = only(check("I50.21", "Z79.4:Y"), "poa_on_exempt_code")
    assert edit.severity is WARNING and edit.fix == "Leave the POA indicator of Z79.4 blank."


def test_poa_one_on_a_code_that_is_not_exempt_is_an_error(check: Check) -> None:
    assert "POA 1 marks an exempt code" in only(check("I50.21:1"), "poa_required").message


def test_an_unknown_poa_value_is_invalid(check: Check) -> None:
    assert only(check("I50.21:X"), "poa_invalid").severity is ERROR


def test_outpatient_claims_need_no_poa(check: Check) -> None:
    edits = check("I50.21:", "N17.9:", inpatient=False)
    assert named(edits, "poa_required") == []


def test_a_fall_without_poa_is_an_error_as_falls_are_not_on_the_exempt_list(
    check: Check,
) -> None:
    edit = only(check("S72.001A", "W19.XXXA:"), "poa_required")
    assert edit.code == "W19.XXXA" and edit.severity is ERROR


def test_an_exempt_external_cause_initial_encounter_takes_no_poa(check: Check) -> None:
    edits = check("S72.001A", "W14.XXXA:", "Y92.009:")
    assert named(edits, "poa_required") == [] and named(edits, "poa_on_exempt_code") == []


def test_a_new_fy2026_code_the_fy2025_list_cannot_decide_is_a_warning(check: Check) -> None:
    edit = only(check("S61.411A", "W45.3XXA:"), "poa_required")
    assert edit.severity is WARNING and "new in FY2026" in edit.message
    assert "Check the FY2026 CMS POA exempt list" in edit.fix


def test_poa_one_on_an_undecided_code_is_a_warning_too(check: Check) -> None:
    edit = only(check("S61.411A", "W45.3XXA:1"), "poa_required")
    assert edit.severity is WARNING and "POA 1 (exempt) is reported" in edit.message


# duplicates


def test_a_diagnosis_twice_is_an_error(check: Check) -> None:
    edit = only(check("I10", "E11.9", "I10"), "duplicate")
    assert edit.code == "I10" and edit.severity is ERROR and "2 times" in edit.message


def test_a_procedure_twice_is_a_warning(check: Check) -> None:
    edit = only(check("K80.20", procedures=("0FT44ZZ", "0FT44ZZ")), "duplicate")
    assert edit.severity is WARNING and "different dates or sites" in edit.fix


def test_distinct_codes_are_no_duplicates(check: Check) -> None:
    assert named(check("I10", "E11.9", procedures=("0FT44ZZ",)), "duplicate") == []


def test_the_medicare_duplicate_of_the_principal_is_not_repeated(check: Check) -> None:
    mce = [MedicareEdit("DUPLICATE_OF_PDX", "I10", "diagnosis")]
    assert len(named(check("I10", "I10", medicare=mce), "duplicate")) == 1


# the claim as a whole


def test_a_claim_without_diagnoses_needs_a_principal(check: Check) -> None:
    assert only(check(), "principal_missing").severity is ERROR


def test_procedures_unchecked_without_pcs_tables_say_so(cm_code_set: DiagnosisCodeSet) -> None:
    claim = Claim((ClaimDiagnosis("I10", "Y"),), ("0FT44ZZ",))
    edits = edits_for(claim, cm_code_set, None, [])
    assert only(edits, "procedure_tables_missing").severity is WARNING


def test_errors_come_first_then_warnings_then_reminders(check: Check) -> None:
    edits = check("I50.21", "I11.0", "E11.22", "Z79.4:Y", "I10:")
    ranks = [[ERROR, WARNING, REMINDER].index(e.severity) for e in edits]
    assert ranks == sorted(ranks) and {ERROR, WARNING, REMINDER} <= {e.severity for e in edits}


def test_a_clean_claim_has_no_errors_or_warnings(check: Check) -> None:
    edits = check("I21.4", "E11.22", "N18.30", "Z79.4:", "E78.5", procedures=("02703DZ",))
    assert [e for e in edits if e.severity is not REMINDER] == []


def test_an_invalid_code_gets_no_poa_edit(check: Check) -> None:
    edits = check("I50.21", "S02.0A:")
    assert named(edits, "placeholder_missing") != [] and named(edits, "poa_required") == []


# the POA exempt list and note references


@pytest.mark.parametrize(
    ("code", "reporting"),
    [
        ("Z79.4", PoaReporting.EXEMPT),
        ("Q21.0", PoaReporting.EXEMPT),
        ("S72.001D", PoaReporting.EXEMPT),  # subsequent encounter
        ("T36.0X1S", PoaReporting.EXEMPT),  # sequela
        ("V00.01XA", PoaReporting.EXEMPT),  # transport accidents, initial encounters too
        ("Y92.009", PoaReporting.EXEMPT),
        ("I50.21", PoaReporting.REQUIRED),
        ("S72.001A", PoaReporting.REQUIRED),  # initial encounter
        ("M48.50XD", PoaReporting.REQUIRED),  # the CMS list leaves collapsed vertebra out
        ("I69.910", PoaReporting.REQUIRED),  # listed under I69 but not exempt
        ("V00.811A", PoaReporting.REQUIRED),  # a powered wheelchair fall can happen in hospital
        ("V00.811D", PoaReporting.REQUIRED),  # left out whatever its 7th character
        ("Z16.10", PoaReporting.REQUIRED),
        ("W19.XXXA", PoaReporting.REQUIRED),  # falls are not on the list
        ("Z77.31", PoaReporting.UNDECIDED),  # new in FY2026, Z77 exempt only in part
    ],
)
def test_poa_reporting_follows_the_cms_exempt_list(
    cm_code_set: DiagnosisCodeSet, code: str, reporting: PoaReporting
) -> None:
    assert poa_reporting(code, cm_code_set.tabular) is reporting


def test_notes_name_codes_categories_and_ranges_in_parentheses_only() -> None:
    refs = noted_codes("hypertensive disease (O10-O11, O13-O16); vitamin B12 anemia (D51.-)")
    assert [r.label for r in refs] == ["O10-O11", "O13-O16", "D51"]
    stage = noted_codes("stage of chronic kidney disease (N18.1-N18.6)")[0]
    assert stage.covers("N18.30") and stage.covers("N18.6") and not stage.covers("N18.9")
    assert noted_codes("subsequent infarction (I22.-)")[0].covers("I22.0")
    assert noted_codes("meningitis (in):") == ()


def test_text_that_is_no_code_is_named_as_written_and_gets_no_other_edit(check: Check) -> None:
    edits = check("I10", "HEART:", "HEART:")
    assert {(e.code, e.edit) for e in edits if e.code == "HEART"} == {
        ("HEART", "invalid_code"),
        ("HEART", "duplicate"),
    }


def test_the_medicare_invalid_code_of_text_that_is_no_code_is_not_repeated(check: Check) -> None:
    mce = [MedicareEdit("INVALID_CODE", "HEART", "diagnosis")]
    assert [e.code for e in check("I10", "HEART", medicare=mce) if e.edit == "invalid_code"] == [
        "HEART"
    ]
