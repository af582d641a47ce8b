"""Code edits: what is wrong with a set of codes for an encounter, and what would fix it.

`edits_for` runs every check over a claim: validity of each code against the release
(invalid, header, 7th character), duplicates, the tabular's instructional notes (Excludes1,
manifestation as principal, code first / use additional code), POA indicators, and the
Medicare Code Editor's findings (passed in, already attributed to codes). Where the MCE
repeats what the tabular already showed (an invalid code, a duplicate, a manifestation),
the tabular's edit is kept: it says more. Errors come first, then warnings, then reminders.
"""

from __future__ import annotations

from collections import Counter

from himdesk.domain.coding.claims import Claim, MedicareEdit
from himdesk.domain.coding.code_edit import CodeEdit, EditSeverity, ordered, shown_code
from himdesk.domain.coding.code_set import DiagnosisCodeSet, ProcedureCodeSet
from himdesk.domain.coding.code_validity import diagnosis_validity, procedure_validity
from himdesk.domain.coding.codes import normalized_code
from himdesk.domain.coding.medicare_edits import medicare_code_edits
from himdesk.domain.coding.note_edits import (
    excludes1_edits,
    manifestation_as_principal,
    manifestation_edit,
    note_reminders,
)
from himdesk.domain.coding.poa_edits import poa_edits
from himdesk.domain.coding.tabular import Tabular

__all__ = ["CodeEdit", "EditSeverity", "edits_for", "ordered"]
MANIFESTATION_AS_PDX = "MANIFESTATION_AS_PDX"
# MCE edits that repeat a tabular finding on the same code.
_REPEATS = {"invalid_code", "duplicate"}


def edits_for(
    claim: Claim,
    diagnoses: DiagnosisCodeSet,
    procedures: ProcedureCodeSet | None,
    medicare: list[MedicareEdit],
) -> list[CodeEdit]:
    tabular = diagnoses.tabular
    codes = [normalized_code(d.code) for d in claim.diagnoses]
    edits = _diagnosis_validity(codes, diagnoses)
    invalid = {e.code for e in edits}  # as edits name codes
    valid = [c for c in dict.fromkeys(codes) if shown_code(c) not in invalid]
    edits += _procedure_validity(claim, procedures)
    edits += _duplicates(codes, claim.procedures)
    if codes and shown_code(codes[0]) not in invalid:
        edits += _manifestation_first(codes[0], tabular, medicare)
    edits += excludes1_edits(valid, tabular)
    # A code that is no code has no POA status to check: its own edit comes first.
    edits += [e for e in poa_edits(claim, tabular) if e.code not in invalid]
    edits += _medicare(claim, medicare, edits)
    # A manifestation listed first already says to code the underlying condition first.
    told = {(e.code, "code_first") for e in edits if e.edit == "manifestation_as_principal"}
    edits += [e for e in note_reminders(valid, tabular) if (e.code, e.edit) not in told]
    return ordered(edits)


def _diagnosis_validity(codes: list[str], diagnoses: DiagnosisCodeSet) -> list[CodeEdit]:
    if not codes:
        return [
            CodeEdit(
                "",
                "principal_missing",
                EditSeverity.ERROR,
                "The claim has no principal diagnosis.",
                "Report the condition chiefly responsible for the encounter first.",
            )
        ]
    checked = (diagnosis_validity(c, diagnoses.tabular, diagnoses.release.label) for c in codes)
    return [edit for edit in checked if edit is not None]


def _procedure_validity(claim: Claim, procedures: ProcedureCodeSet | None) -> list[CodeEdit]:
    if not claim.procedures:
        return []
    if procedures is None:
        return [
            CodeEdit(
                "",
                "procedure_tables_missing",
                EditSeverity.WARNING,
                "No ICD-10-PCS release is loaded: the procedure codes were not "
                "checked against the PCS tables.",
                "Load the ICD-10-PCS tables with `himdesk codesets load DIR`.",
            )
        ]
    checked = (procedure_validity(code, procedures.tables) for code in claim.procedures)
    return [edit for edit in checked if edit is not None]


def _duplicates(codes: list[str], procedures: tuple[str, ...]) -> list[CodeEdit]:
    edits = [
        CodeEdit(shown_code(code), "duplicate", EditSeverity.ERROR,
                 f"{shown_code(code)} is reported {times} times.",
                 f"Report {shown_code(code)} once.")
        for code, times in Counter(codes).items() if times > 1
    ]  # fmt: skip
    counted = Counter(normalized_code(p) for p in procedures)
    edits += [
        CodeEdit(code, "duplicate", EditSeverity.WARNING,
                 f"{code} is reported {times} times.",
                 "Keep the repeats only when the procedure was performed that many times "
                 "(on different dates or sites); otherwise report it once.")
        for code, times in counted.items() if times > 1
    ]  # fmt: skip
    return edits


def _manifestation_first(
    principal: str, tabular: Tabular, medicare: list[MedicareEdit]
) -> list[CodeEdit]:
    found = manifestation_as_principal(principal, tabular)
    if found is None and any(m.name == MANIFESTATION_AS_PDX for m in medicare):
        why = "the Medicare Code Editor lists it as a manifestation code"
        found = manifestation_edit(principal, tabular, why)
    return [found] if found is not None else []


def _medicare(claim: Claim, medicare: list[MedicareEdit], so_far: list[CodeEdit]) -> list[CodeEdit]:
    already = {(edit.code, edit.edit) for edit in so_far}
    flagged = {edit.code for edit in so_far if edit.severity is EditSeverity.ERROR}
    others = [m for m in medicare if m.name != MANIFESTATION_AS_PDX]
    return [
        edit for edit in medicare_code_edits(claim, others)
        if (edit.code, edit.edit) not in already
        and not (edit.edit in _REPEATS and edit.code in flagged)
    ]  # fmt: skip
