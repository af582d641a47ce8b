"""`himdesk code group`: the MS-DRG of a set of codes, with what made it and what would
change it."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.markup import escape

from himdesk.cli.claim_options import (
    discharge_date_option,
    disposition_option,
    quoted,
    sex_option,
)
from himdesk.cli.context import build, clean_errors, fail, operator
from himdesk.codesets.drg_weights import Table5Unreadable
from himdesk.domain.access import Role
from himdesk.domain.coding.claims import Claim, ClaimDiagnosis, DrgAssignment
from himdesk.domain.coding.codes import looks_like_cm_code, looks_like_pcs_code, normalized_code
from himdesk.domain.coding.grouping import POA_INDICATORS, ClaimNotGroupable, release_of
from himdesk.services.drg_grouping import group_claim

SECONDARIES = typer.Option([], "--sdx", help="A secondary diagnosis (repeatable)")
PROCEDURES = typer.Option([], "--pcs", help="An ICD-10-PCS procedure (repeatable), principal first")
ASSUMED_POA = "POA not given: every diagnosis was taken as present on admission (Y)."
# DESIGN.md makes --age optional; MS-DRG logic splits by age only for a few groups (newborns,
# pediatric), so a Medicare beneficiary's age is assumed and said.
ASSUMED_AGE = 65
AGE_NOTE = f"Age not given: grouped as {ASSUMED_AGE} (a Medicare beneficiary); give --age."


def group_codes(
    ctx: typer.Context,
    pdx: str = typer.Option(..., "--pdx", help="Principal diagnosis (ICD-10-CM, dot optional)"),
    sdx: list[str] = SECONDARIES,
    pcs: list[str] = PROCEDURES,
    age: int = typer.Option(None, "--age", help="Age in years at discharge (default 65)"),
    sex: str = typer.Option("U", "--sex", help="F, M or U (unknown)"),
    discharged: str = typer.Option(
        None, "--discharged", help="Discharge date YYYY-MM-DD: picks the grouper release"
    ),
    disposition: str = typer.Option("01", "--disposition", help="UB-04 discharge status, e.g. 20"),
    poa: str = typer.Option(
        None, "--poa", help="POA indicators, one per diagnosis, principal first (e.g. YYN)"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the DRG as one JSON document"),
) -> None:
    """Group codes to an MS-DRG (the release in effect on --discharged, else the latest)."""
    claim, notes = _claim(pdx, sdx, pcs, age, sex, discharged, disposition, poa)
    himdesk = build(ctx)
    with clean_errors():
        try:
            assignment = group_claim(operator(Role.CODER), himdesk.code_reference, claim)
        except (ClaimNotGroupable, Table5Unreadable) as err:
            fail(str(err))
    if as_json:
        typer.echo(json.dumps(as_document(assignment, notes)))
        return
    _print(assignment, notes)


def _claim(
    pdx: str,
    sdx: list[str],
    pcs: list[str],
    age: int | None,
    sex: str,
    discharged: str | None,
    disposition: str,
    poa: str | None,
) -> tuple[Claim, list[str]]:
    diagnoses = [_cm_code(pdx, "--pdx"), *(_cm_code(code, "--sdx") for code in sdx)]
    indicators, notes = _poa(poa, len(diagnoses))
    if age is None:
        age, notes = ASSUMED_AGE, [*notes, AGE_NOTE]
    return Claim(
        diagnoses=tuple(ClaimDiagnosis(c, p) for c, p in zip(diagnoses, indicators, strict=True)),
        procedures=tuple(_pcs_code(code) for code in pcs),
        age=age,
        sex=sex_option(sex),
        discharged_on=discharge_date_option(discharged),
        discharge_status=disposition_option(disposition),
    ), notes


def _cm_code(text: str, option: str) -> str:
    if not looks_like_cm_code(text):
        fail(f"{option} {quoted(text)} is not an ICD-10-CM code (e.g. I50.21).")
    return normalized_code(text)


def _pcs_code(text: str) -> str:
    if not looks_like_pcs_code(text):
        fail(f"--pcs {quoted(text)} is not an ICD-10-PCS code (7 characters, e.g. 027034Z).")
    return normalized_code(text)


def _poa(text: str | None, count: int) -> tuple[list[str], list[str]]:
    if text is None:
        return ["Y"] * count, [ASSUMED_POA]
    indicators = list(text.strip().upper())
    if len(indicators) != count or not set(indicators) <= POA_INDICATORS:
        fail(f"--poa {quoted(text)}: give {count} indicator(s) from Y, N, U, W, 1, "
             "principal first.")  # fmt: skip
    return indicators, []


def as_document(assignment: DrgAssignment, notes: list[str]) -> dict[str, object]:
    release = release_of(assignment.grouper_version)
    return {
        "drg": assignment.drg,
        "title": assignment.title,
        "weight": float(assignment.weight) if assignment.weight is not None else None,
        "mdc": assignment.mdc,
        "mdc_title": assignment.mdc_title,
        "version": release.label,
        "fiscal_year": release.fiscal_year,
        "return_code": assignment.return_code,
        "drivers": [
            {"code": d.code, "role": d.role, "severity": d.severity, "effect": d.effect}
            for d in assignment.drivers
        ],
        "hints": list(assignment.hints),
        "notes": [*notes, *assignment.notes],
    }


def _print(assignment: DrgAssignment, notes: list[str]) -> None:
    console = Console(highlight=False)
    release = release_of(assignment.grouper_version)
    weight = assignment.weight if assignment.weight is not None else "not loaded"
    console.print(
        f"[bold]DRG {assignment.drg}[/] {escape(assignment.title)} — weight {weight} "
        f"(MS-DRG {release.label}, FY{release.fiscal_year})"
    )
    if assignment.mdc is not None:
        console.print(f"MDC {assignment.mdc:02d} {escape(assignment.mdc_title)}")
    for driver in assignment.drivers:
        console.print(f"  {driver.code:<9} {escape(driver.effect)}")
    for line in (*assignment.hints, *notes, *assignment.notes):
        console.print(f"- {escape(line)}")
