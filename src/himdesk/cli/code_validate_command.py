"""`himdesk code validate CODE...`: the code edits of a set of codes, each with its fix.

The first CODE is the principal diagnosis; the others are secondary diagnoses or, by their
shape, ICD-10-PCS procedures (`--pcs` names a procedure explicitly). A diagnosis takes its
POA indicator after a colon: `I50.21:N`. Exits 1 when any edit is an error.
"""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.markup import escape

from himdesk.cli.claim_options import (
    LONGEST_CODE,
    discharge_date_option,
    disposition_option,
    quoted,
    sex_option,
)
from himdesk.cli.context import build, clean_errors, fail, operator
from himdesk.domain.access import Role
from himdesk.domain.coding.claims import Claim, ClaimDiagnosis
from himdesk.domain.coding.code_edit import CodeEdit, EditSeverity
from himdesk.domain.coding.code_set import CodeSetLibrary
from himdesk.domain.coding.codes import looks_like_cm_code, looks_like_pcs_code, normalized_code
from himdesk.services.code_edits import validate_codes
from himdesk.services.code_reference import CodeSetsNotLoaded

CODES = typer.Argument(
    ..., help="Codes, principal diagnosis first; CODE:POA gives a diagnosis its POA (I50.21:N)"
)
PROCEDURES = typer.Option([], "--pcs", help="An ICD-10-PCS procedure (repeatable)")
SETTINGS = ("inpatient", "outpatient")
_STYLE = {EditSeverity.ERROR: "bold red", EditSeverity.WARNING: "yellow",
          EditSeverity.REMINDER: "cyan"}  # fmt: skip


def validate(
    ctx: typer.Context,
    codes: list[str] = CODES,
    pcs: list[str] = PROCEDURES,
    age: int = typer.Option(None, "--age", help="Age in years (age edits need it)", min=0),
    sex: str = typer.Option("U", "--sex", help="F, M or U (unknown)"),
    setting: str = typer.Option("inpatient", "--setting", help="inpatient or outpatient"),
    discharged: str = typer.Option(
        None, "--discharged", help="Discharge date YYYY-MM-DD: picks the code set release"
    ),
    disposition: str = typer.Option("01", "--disposition", help="UB-04 discharge status, e.g. 20"),
    as_json: bool = typer.Option(False, "--json", help="Print the edits as one JSON document"),
) -> None:
    """Check codes for an encounter: validity, notes, POA, duplicates and the Medicare
    Code Editor; each edit says what is wrong and what would fix it."""
    himdesk = build(ctx)
    with clean_errors():
        try:
            reference = himdesk.code_reference
            claim = _claim(reference.library, codes, pcs, age, sex, setting, discharged,
                           disposition)  # fmt: skip
            edits = validate_codes(operator(Role.CODER), reference, claim)
        except CodeSetsNotLoaded as err:
            fail(f"{err} Load the code sets with `himdesk codesets load DIR`.")
    if as_json:
        typer.echo(json.dumps([as_document(edit) for edit in edits]))
    else:
        _print(edits)
    if any(edit.severity is EditSeverity.ERROR for edit in edits):
        raise typer.Exit(1)


def as_document(edit: CodeEdit) -> dict[str, str]:
    return {"code": edit.code, "edit": edit.edit, "severity": edit.severity.value,
            "message": edit.message, "fix": edit.fix}  # fmt: skip


def _claim(
    library: CodeSetLibrary,
    codes: list[str],
    pcs: list[str],
    age: int | None,
    sex: str,
    setting: str,
    discharged: str | None,
    disposition: str,
) -> Claim:
    if setting not in SETTINGS:
        fail(f"--setting {quoted(setting)}: use inpatient or outpatient.")
    diagnoses: list[ClaimDiagnosis] = []
    procedures = [_explicit_procedure(code) for code in pcs]
    for position, text in enumerate(codes):
        if len(text) > LONGEST_CODE:
            fail(f"{quoted(text)} is not a code: a code has at most 8 characters and a POA.")
        written, separator, poa = text.partition(":")
        code = normalized_code(written)
        if separator or not _is_procedure(code, library):
            diagnoses.append(ClaimDiagnosis(code, poa.strip().upper()))
        elif position == 0:
            fail(f"{quoted(text)} is a procedure code: the first CODE is the principal diagnosis.")
        else:
            procedures.append(code)
    return Claim(tuple(diagnoses), tuple(procedures), age=age, sex=sex_option(sex),
                 inpatient=setting == "inpatient", discharged_on=discharge_date_option(discharged),
                 discharge_status=disposition_option(disposition))  # fmt: skip


def _is_procedure(code: str, library: CodeSetLibrary) -> bool:
    """By shape; a 7-character code of both shapes (B24BZZ4) by the tables that have it."""
    if not looks_like_pcs_code(code):
        return False
    if not looks_like_cm_code(code):
        return True
    diagnoses, procedures = library.latest_diagnoses, library.latest_procedures
    in_pcs = procedures is not None and procedures.tables.is_valid(code)
    in_cm = diagnoses is not None and diagnoses.tabular.is_billable(code)
    return in_pcs and not in_cm


def _explicit_procedure(text: str) -> str:
    if not looks_like_pcs_code(text) and not looks_like_cm_code(text):
        fail(f"--pcs {quoted(text)} is not an ICD-10-PCS code (7 characters, e.g. 02703DZ).")
    return normalized_code(text)


def _print(edits: list[CodeEdit]) -> None:
    console = Console(highlight=False, soft_wrap=True)
    if not edits:
        console.print("No edits: the codes pass every check.")
    for edit in edits:
        label = f"[{_STYLE[edit.severity]}]{edit.severity.value.upper():<8}[/]"
        console.print(f"{label} {escape(edit.code or 'claim'):<9} {edit.edit}")
        console.print(f"         {escape(edit.message)}")
        console.print(f"         fix: {escape(edit.fix)}")
