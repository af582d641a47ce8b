"""The coding abstract: reading the coder's form row by row against the release of the
discharge date, what keeps an abstract from final coding, the lock after final coding, and
its version history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from himdesk.domain.coding.abstract import (
    AbstractEntries,
    AbstractLocked,
    AbstractStatus,
    CodedDiagnosis,
    CodedProcedure,
    CodingVersion,
    DrgOnFile,
    PresentOnAdmission,
    checked_reason,
    final_coding_problems,
    finalized,
    history_lines,
    reopened,
    revised,
    snapshot,
    start_abstract,
)
from himdesk.domain.coding.abstract_draft import (
    AbstractDraft,
    Releases,
    StayFacts,
    claim_of,
    read_draft,
)
from himdesk.domain.coding.claims import ClaimSex
from himdesk.domain.coding.code_set import CodeSetRelease, DiagnosisCodeSet, ProcedureCodeSet
from himdesk.domain.coding.codes import CodeSystem
from himdesk.domain.coding.edits import CodeEdit, EditSeverity
from himdesk.domain.coding.pcs import PcsAxis, PcsRow, PcsTable, PcsTables, PcsValue
from himdesk.domain.coding.tabular import (
    SeventhCharacterRule,
    Tabular,
    TabularLevel,
    TabularNode,
)
from himdesk.domain.demographics import InvalidInput

AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
STAY = StayFacts(7, True, date(2026, 2, 24), date(2026, 2, 28), 71, ClaimSex.FEMALE)


def node(key: str, level: TabularLevel, title: str, parent: str | None, *children: str,
         seventh: SeventhCharacterRule | None = None) -> TabularNode:  # fmt: skip
    return TabularNode(key, level, title, parent, children, seventh=seventh)


FRACTURE = SeventhCharacterRule("S72", "", (("A", "initial encounter for closed fracture"),
                                            ("D", "subsequent encounter")))  # fmt: skip
C = TabularLevel
TABULAR = Tabular(2026, {n.key: n for n in (
    node("9", C.CHAPTER, "Diseases of the circulatory system", None, "I30-I5A"),
    node("I30-I5A", C.SECTION, "Other forms of heart disease", "9", "I50"),
    node("I50", C.CATEGORY, "Heart failure", "I30-I5A", "I502"),
    node("I502", C.SUBCATEGORY, "Systolic (congestive) heart failure", "I50", "I5021"),
    node("I5021", C.CODE, "Acute systolic (congestive) heart failure", "I502"),
    node("N17", C.CATEGORY, "Acute kidney failure", None, "N179"),
    node("N179", C.CODE, "Acute kidney failure, unspecified", "N17"),
    node("S72", C.CATEGORY, "Fracture of femur", None, "S7200", seventh=FRACTURE),
    node("S7200", C.SUBCATEGORY, "Fracture of unspecified part of neck of femur", "S72",
         "S72001"),
    node("S72001", C.CODE, "Fracture of unspecified part of neck of right femur", "S7200"),
)})  # fmt: skip


def axis(position: int, *values: tuple[str, str]) -> PcsAxis:
    return PcsAxis(position, "", tuple(PcsValue(c, label) for c, label in values))


PCS = PcsTables(2026, {"02H": PcsTable(
    "02H", (axis(1, ("0", "Medical and Surgical")), axis(2, ("2", "Heart and Great Vessels")),
            axis(3, ("H", "Insertion"))), "",
    (PcsRow((axis(4, ("K", "Heart")), axis(5, ("3", "Percutaneous")),
             axis(6, ("2", "Monitoring Device")), axis(7, ("Z", "No Qualifier")))),),
)})  # fmt: skip
RELEASES = Releases(
    DiagnosisCodeSet(CodeSetRelease.for_fiscal_year(CodeSystem.ICD10CM, 2026), TABULAR),
    ProcedureCodeSet(CodeSetRelease.for_fiscal_year(CodeSystem.ICD10PCS, 2026), PCS),
)


def draft(**fields: object) -> AbstractDraft:
    return AbstractDraft(**fields)  # type: ignore[arg-type]


def errors_of(typed: AbstractDraft, releases: Releases = RELEASES) -> dict[str, str]:
    with pytest.raises(InvalidInput) as refused:
        read_draft(typed, STAY, releases, operators=[3])
    return refused.value.errors


def test_a_draft_reads_into_entries_in_row_order_with_blank_rows_skipped() -> None:
    typed = draft(diagnosis_codes=["i50.21", "", "N179"], poa=["y", "", "N"],
                  procedure_codes=["02HK32Z"], procedure_dates=["2026-02-25"], operators=["3"],
                  disposition="01")  # fmt: skip
    entries = read_draft(typed, STAY, RELEASES, operators=[3])
    assert entries.diagnoses == (
        CodedDiagnosis("I5021", PresentOnAdmission.YES),
        CodedDiagnosis("N179", PresentOnAdmission.NO),
    )
    assert entries.procedures == (CodedProcedure("02HK32Z", date(2026, 2, 25), 3),)
    assert entries.discharge_disposition == "01"


def test_without_a_principal_diagnosis_row_one_is_named() -> None:
    errors = errors_of(draft(diagnosis_codes=["", "N17.9"], poa=["", "N"]))
    assert errors == {"dx-1": "Enter the principal diagnosis (row 1)."}


def test_a_code_the_release_does_not_have_is_refused_naming_its_row() -> None:
    errors = errors_of(draft(diagnosis_codes=["I50.21", "I50.99"], poa=["Y", "Y"]))
    assert errors == {"dx-2": "Diagnosis row 2: I50.99 is not a code in ICD-10-CM FY2026."}


def test_text_that_is_not_a_code_is_refused_and_not_echoed_whole() -> None:
    errors = errors_of(draft(diagnosis_codes=["heart failure with reduced EF"]))
    assert errors["dx-1"].startswith("Principal diagnosis: 'heart failure wi…' is not written")


def test_a_category_is_saved_so_the_edits_can_say_it_is_not_billable() -> None:
    entries = read_draft(draft(diagnosis_codes=["I50"], poa=["Y"]), STAY, RELEASES, [])
    assert entries.diagnoses == (CodedDiagnosis("I50", PresentOnAdmission.YES),)


def test_a_seventh_character_the_rule_does_not_define_is_named() -> None:
    assert read_draft(draft(diagnosis_codes=["S72.001A"]), STAY, RELEASES, []).principal
    errors = errors_of(draft(diagnosis_codes=["S72.001Q"]))
    assert "its 7th character must be one of A, D" in errors["dx-1"]


def test_a_poa_indicator_outside_the_cms_values_is_refused() -> None:
    errors = errors_of(draft(diagnosis_codes=["I50.21"], poa=["Q"]))
    assert errors == {"poa-1": "Principal diagnosis: the POA indicator must be Y, N, U, W, 1 "
                      "or blank."}  # fmt: skip


def test_a_procedure_code_no_row_of_its_table_allows_is_refused() -> None:
    errors = errors_of(draft(diagnosis_codes=["I50.21"], procedure_codes=["02HK33Z"]))
    assert errors == {
        "px-1": "Principal procedure: 02HK33Z is not in ICD-10-PCS FY2026: no row of table "
        "02H allows it."
    }
    assert (
        "there is no table 0ZZ"
        in errors_of(draft(diagnosis_codes=["I50.21"], procedure_codes=["0ZZK32Z"]))["px-1"]
    )


def test_procedures_cannot_be_checked_without_a_pcs_release() -> None:
    releases = Releases(RELEASES.diagnoses, None)
    errors = errors_of(draft(diagnosis_codes=["I50.21"], procedure_codes=["02HK32Z"]), releases)
    assert errors["px-1"] == (
        "Principal procedure: no ICD-10-PCS release is loaded to check it against."
    )


def test_a_procedure_date_outside_the_stay_and_payment_window_is_refused() -> None:
    inside = draft(diagnosis_codes=["I50.21"], procedure_codes=["02HK32Z"],
                   procedure_dates=["2026-02-21"])  # fmt: skip
    assert read_draft(inside, STAY, RELEASES, []).procedures[0].performed_on == date(2026, 2, 21)
    errors = errors_of(draft(diagnosis_codes=["I50.21"], procedure_codes=["02HK32Z", "02HK32Z"],
                             procedure_dates=["2026-03-01", "02/25/2026"]))  # fmt: skip
    assert errors == {
        "px-1-date": "Principal procedure: 2026-03-01 is outside the stay (admitted 2026-02-24, "
        "discharged 2026-02-28).",
        "px-2-date": "Procedure row 2: the date must be written YYYY-MM-DD.",
    }


def test_an_operator_must_be_one_of_the_clinicians_offered() -> None:
    errors = errors_of(draft(diagnosis_codes=["I50.21"], procedure_codes=["02HK32Z"],
                             operators=["99"]))  # fmt: skip
    assert errors == {"px-1-operator": "Principal procedure: choose the operator from the list "
                      "of clinicians."}  # fmt: skip


@pytest.mark.parametrize("operator", ["²", "٣", "1²"])
def test_an_operator_in_digits_other_than_ascii_is_refused_not_a_crash(operator: str) -> None:
    errors = errors_of(draft(diagnosis_codes=["I50.21"], procedure_codes=["02HK32Z"],
                             operators=[operator]))  # fmt: skip
    assert list(errors) == ["px-1-operator"]


def test_a_disposition_outside_the_ub04_list_is_refused() -> None:
    assert errors_of(draft(diagnosis_codes=["I50.21"], disposition="99")) == {
        "disposition": "Choose the discharge disposition from the list."
    }


def test_the_form_is_filled_back_from_saved_entries_with_blank_rows_to_add() -> None:
    entries = AbstractEntries((CodedDiagnosis("I5021", PresentOnAdmission.YES),),
                              (CodedProcedure("02HK32Z", date(2026, 2, 25), 3),), "06")  # fmt: skip
    form = AbstractDraft.of(entries)
    assert form.diagnosis_rows() == [("I50.21", "Y"), ("", ""), ("", ""), ("", "")]
    assert form.procedure_rows() == [("02HK32Z", "2026-02-25", "3"), ("", "", ""), ("", "", "")]
    assert form.disposition == "06"


ENTRIES = AbstractEntries(
    (
        CodedDiagnosis("I5021", PresentOnAdmission.YES),
        CodedDiagnosis("N179", PresentOnAdmission.NO),
    ),
    (CodedProcedure("02HK32Z", date(2026, 2, 25), 3),),
    "01",
)


def edit(severity: EditSeverity, code: str = "I50.21") -> CodeEdit:
    return CodeEdit(code, "example", severity, "Something about the code.", "Change it.")


def test_entries_with_a_principal_diagnosis_and_no_error_edit_are_ready() -> None:
    warnings = [edit(EditSeverity.WARNING), edit(EditSeverity.REMINDER)]
    assert final_coding_problems(ENTRIES, warnings, inpatient=True) == []


def test_error_edits_and_a_missing_principal_diagnosis_keep_it_from_final_coding() -> None:
    problems = final_coding_problems(AbstractEntries(), [edit(EditSeverity.ERROR, "")], False)
    assert problems == ["There is no principal diagnosis.", "Encounter: Something about the code."]


def test_inpatient_entries_need_a_disposition_and_procedure_dates() -> None:
    entries = AbstractEntries((CodedDiagnosis("I5021"),), (CodedProcedure("02HK32Z"),), None)
    assert final_coding_problems(entries, [], inpatient=True) == [
        "Choose the discharge disposition: the MS-DRG depends on it.",
        "02HK32Z: enter the date the procedure was performed.",
    ]
    assert final_coding_problems(entries, [], inpatient=False) == []


def test_the_claim_carries_codes_poa_age_sex_setting_and_discharge_status() -> None:
    claim = claim_of(ENTRIES, STAY)
    assert [(d.code, d.poa) for d in claim.diagnoses] == [("I5021", "Y"), ("N179", "N")]
    assert claim.procedures == ("02HK32Z",)
    assert (claim.age, claim.sex, claim.inpatient) == (71, ClaimSex.FEMALE, True)
    assert (claim.discharged_on, claim.discharge_status) == (date(2026, 2, 28), 1)


DRG = DrgOnFile("291", 431, Decimal("1.2937"))


def test_final_coding_locks_the_abstract_and_counts_its_versions() -> None:
    abstract = revised(start_abstract(7, AT, "cora"), ENTRIES, 2026, DRG, (AT, "cora"))
    final = finalized(abstract, DRG, (AT, "cora"))
    assert (final.status, final.version, final.finalized_by) == (AbstractStatus.FINAL, 1, "cora")
    with pytest.raises(AbstractLocked):
        revised(final, AbstractEntries(), 2026, DRG, (AT, "cora"))
    with pytest.raises(AbstractLocked):
        finalized(final, DRG, (AT, "cora"))
    again = finalized(reopened(final, (AT, "cora")), DRG, (AT, "cora"))
    assert again.version == 2


def test_only_a_final_abstract_can_be_reopened() -> None:
    with pytest.raises(InvalidInput):
        reopened(start_abstract(7, AT, "cora"), (AT, "cora"))


@pytest.mark.parametrize(
    ("reason", "message"),
    [("   ", "State why the final-coded abstract is reopened."),
     ("x" * 501, "The reason is 501 characters; keep it to 500.")],
)  # fmt: skip
def test_reopening_needs_a_reason_of_bounded_length(reason: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        checked_reason(reason)
    assert refused.value.errors == {"reason": message}
    assert checked_reason("  Query answer:\n acute on chronic ") == "Query answer: acute on chronic"


def test_a_snapshot_keeps_codes_poa_dates_operator_and_drg() -> None:
    abstract = revised(start_abstract(7, AT, "cora"), ENTRIES, 2026, DRG, (AT, "cora"))
    kept = snapshot(finalized(abstract, DRG, (AT, "cora")), "final")
    assert kept["diagnoses"] == [{"code": "I5021", "poa": "Y"}, {"code": "N179", "poa": "N"}]
    assert kept["procedures"] == [{"code": "02HK32Z", "performed_on": "2026-02-25",
                                   "operator_id": 3}]  # fmt: skip
    assert (kept["drg"], kept["drg_weight"], kept["version"]) == ("291", "1.2937", 1)


def test_the_history_shows_the_drg_before_and_after_each_final_coding() -> None:
    def version(number: int, event: str, drg: str) -> CodingVersion:
        return CodingVersion(7, number, event, AT, "cora", "", {"drg": drg, "version": 1})

    lines = history_lines([version(3, "final", "292"), version(1, "final", "291"),
                           version(2, "reopened", "291")])  # fmt: skip
    assert [(line.version.number, line.drg_before, line.drg_after) for line in lines] == [
        (1, "", "291"), (2, "291", ""), (3, "291", "292"),
    ]  # fmt: skip
