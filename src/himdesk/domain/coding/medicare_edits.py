"""What the CMS Medicare Code Editor's findings mean, said to a coder with the fix.

The MCE names an edit (SEX_CONFLICT, UNACCEPTABLE_PDX ...) and, through the adapter, the
code it concerns. Edits about admission and payment (unacceptable principal diagnosis,
questionable admission, coverage) are inpatient Medicare rules and are dropped for
outpatient claims; code-level facts (age and sex conflicts, external cause or manifestation
listed first) hold in every setting.
"""

from __future__ import annotations

from dataclasses import dataclass

from himdesk.domain.coding.claims import Claim, ClaimSex, MedicareEdit
from himdesk.domain.coding.code_edit import CodeEdit, EditSeverity, shown_code

# Adapter-made names. CMS withdrew the MCE sex conflict edit for discharges from 1 October
# 2024; the adapter still reports what the MCE's sex lists say, under this name, as advice.
RETIRED_SEX_CONFLICT = "SEX_CONFLICT_ADVISORY"
EDITOR_UNAVAILABLE = "EDITOR_UNAVAILABLE"
AGE_GROUPS = "newborn 0, pediatric 0-17, maternity 9-64, adult 15-124"


@dataclass(frozen=True, slots=True)
class _Meaning:
    edit: str
    severity: EditSeverity
    message: str  # str.format fields: code, age, sex, other_sex, status, name
    fix: str
    inpatient_only: bool = False


E, W = EditSeverity.ERROR, EditSeverity.WARNING
MEANINGS: dict[str, _Meaning] = {
    "INVALID_CODE": _Meaning(
        "invalid_code", E, "The Medicare Code Editor does not accept {code} for the discharge "
        "date.", "Check {code} against the code set of the discharge date's fiscal year."),
    "E_CODE_AS_PDX": _Meaning(
        "external_cause_as_principal", E, "{code} is an external cause code (V00-Y99): it "
        "tells how an injury happened and cannot be the principal or first-listed diagnosis.",
        "Sequence the injury or condition first and report {code} after it."),
    "DUPLICATE_OF_PDX": _Meaning(
        "duplicate", E, "{code} is reported both as the principal and as a secondary "
        "diagnosis.", "Remove the secondary {code}."),
    "UNACCEPTABLE_PDX": _Meaning(
        "unacceptable_principal", E, "{code} is unacceptable as the principal diagnosis "
        "(Medicare Code Editor): it describes a circumstance influencing health, not the "
        "condition chiefly responsible for the admission.", "Sequence the condition that "
        "occasioned the admission first; report {code} as a secondary diagnosis if it "
        "applies.", inpatient_only=True),
    "NONSPECIFIC_PDX": _Meaning(
        "nonspecific_principal", W, "{code} is a nonspecific principal diagnosis (Medicare "
        "Code Editor).", "Report a more specific principal diagnosis if the documentation "
        "supports one.", inpatient_only=True),
    "QUESTIONABLE_ADMISSION": _Meaning(
        "questionable_admission", W, "{code} as the principal diagnosis is usually not "
        "sufficient reason for an inpatient admission (Medicare Code Editor).", "Confirm the "
        "reason for admission; if another condition required inpatient care, sequence it "
        "first.", inpatient_only=True),
    "QUESTIONABLE_OBSTETRIC_ADMISSION": _Meaning(
        "questionable_obstetric_admission", W, "{code} makes this a questionable obstetric "
        "admission (Medicare Code Editor).", "Check the principal diagnosis against the "
        "obstetric procedures reported for the stay.", inpatient_only=True),
    "REQUIRES_SDX": _Meaning(
        "secondary_diagnosis_required", E, "{code} as the principal diagnosis requires a "
        "secondary diagnosis (Medicare Code Editor).", "Add the secondary diagnosis that "
        "describes the condition treated.", inpatient_only=True),
    "AGE_CONFLICT": _Meaning(
        "age_conflict", E, "{code} conflicts with the patient's age ({age}): the Medicare "
        f"Code Editor limits it to another age group ({AGE_GROUPS}).", "Check the age on the "
        "claim and the code; report the code that fits the patient's age."),
    "SEX_CONFLICT": _Meaning(
        "sex_conflict", E, "{code} conflicts with the patient's sex ({sex}): the Medicare "
        "Code Editor lists it for {other_sex} patients only.", "Check the sex on the claim "
        "and the code."),
    RETIRED_SEX_CONFLICT: _Meaning(
        "sex_conflict", W, "{code} is listed for {other_sex} patients only in the Medicare "
        "Code Editor's sex lists, but the patient's sex is {sex}. CMS withdrew the sex "
        "conflict edit for discharges from 1 October 2024, so it does not hold the claim.",
        "Check that the sex on the claim and the code are right; if both are, no change is "
        "needed."),
    "INVALID_AGE": _Meaning(
        "age_invalid", E, "Age {age} is not a valid age (0-124).", "Correct the patient's "
        "age on the claim."),
    "INVALID_SEX": _Meaning(
        "sex_invalid", E, "The patient's sex is not valid for the Medicare Code Editor.",
        "Report the sex as F, M or U."),
    "INVALID_DISCHARGE_STATUS": _Meaning(
        "discharge_status_invalid", E, "Discharge status {status} is not a valid patient "
        "discharge status.", "Correct the discharge status (e.g. 01 home, 20 expired)."),
    "NON_COVERED": _Meaning(
        "non_covered", E, "{code} is a procedure Medicare does not cover (Medicare Code "
        "Editor).", "Check the procedure code; if it is right, bill the procedure as "
        "non-covered.", inpatient_only=True),
    "LIMITED_COVERAGE": _Meaning(
        "limited_coverage", W, "{code} is covered by Medicare only in limited circumstances "
        "(Medicare Code Editor: {name}).", "Check that the coverage conditions are met (for "
        "transplants, an approved center) before billing.", inpatient_only=True),
    "OPEN_BIOPSY": _Meaning(
        "open_biopsy", W, "{code} is an open biopsy (Medicare Code Editor open biopsy "
        "check).", "Check whether the biopsy was closed (percutaneous or endoscopic).",
        inpatient_only=True),
    "BILATERAL": _Meaning(
        "bilateral_procedure", W, "{code} forms a bilateral procedure with another code on "
        "the claim (Medicare Code Editor).", "Check that both sides were operated on.",
        inpatient_only=True),
    "WRONG_PROCEDURE_PERFORMED": _Meaning(
        "wrong_procedure_performed", E, "{code} reports a surgery on the wrong site, the "
        "wrong patient or the wrong procedure: Medicare does not pay for it.", "Report the "
        "erroneous surgery as non-covered, as CMS instructs."),
    "INCONSISTENT_WITH_LENGTH_OF_STAY": _Meaning(
        "inconsistent_with_length_of_stay", W, "{code} is inconsistent with the length of "
        "stay (Medicare Code Editor).", "Check the duration the code states against the "
        "dates of the stay.", inpatient_only=True),
    "MEDICARE_IS_SECONDARY_PAYER": _Meaning(
        "medicare_secondary_payer", W, "{code} suggests that another payer is primary to "
        "Medicare.", "Check the payer order on the claim.", inpatient_only=True),
    "NONSPECIFIC_OR": _Meaning(
        "nonspecific_or_procedure", W, "{code} is a nonspecific O.R. procedure (Medicare "
        "Code Editor).", "Report a more specific procedure code.", inpatient_only=True),
    EDITOR_UNAVAILABLE: _Meaning(
        "medicare_editor_unavailable", W, "The Medicare Code Editor could not check this "
        "claim: its age, sex and principal-diagnosis edits are missing.", "Validate again; "
        "report the problem if it persists."),
}  # fmt: skip
_OTHER_SEX = {ClaimSex.FEMALE: "male", ClaimSex.MALE: "female", ClaimSex.UNKNOWN: "one sex"}
_SEX_NAME = {ClaimSex.FEMALE: "F", ClaimSex.MALE: "M", ClaimSex.UNKNOWN: "U"}


def meaning_of(name: str) -> _Meaning:
    if name.startswith("LIMITED_COVERAGE"):
        return MEANINGS["LIMITED_COVERAGE"]
    return MEANINGS.get(name) or _Meaning(
        f"medicare_{name.lower()}", W, "Medicare Code Editor edit {name} on {code}.",
        "Look the edit up in the Medicare Code Editor's definitions.")  # fmt: skip


def medicare_code_edits(claim: Claim, medicare: list[MedicareEdit]) -> list[CodeEdit]:
    edits = []
    for found in medicare:
        meaning = meaning_of(found.name)
        if meaning.inpatient_only and not claim.inpatient:
            continue
        if meaning.edit == "age_conflict" and claim.age is None:
            continue  # the editor was given a stand-in age; no conflict can be judged
        code = shown_code(found.code) if found.code_type == "diagnosis" else found.code
        fields = {
            "code": code or "The claim", "age": claim.age, "status": claim.discharge_status,
            "sex": _SEX_NAME[claim.sex], "other_sex": _OTHER_SEX[claim.sex], "name": found.name,
        }  # fmt: skip
        edits.append(
            CodeEdit(
                code,
                meaning.edit,
                meaning.severity,
                meaning.message.format(**fields),
                meaning.fix.format(**fields),
            )
        )
    return edits
