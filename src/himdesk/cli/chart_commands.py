"""`himdesk chart analyze`: deficiency analysis of discharged encounters."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from himdesk.cli.context import build, clean_errors, operator
from himdesk.domain.access import Role
from himdesk.services.completeness import Finding, analyze_charts

app = typer.Typer(help="Chart completeness.", no_args_is_help=True)


@app.command("analyze")
def analyze(
    ctx: typer.Context,
    encounter: int = typer.Option(None, "--encounter", help="Only this encounter (its id)"),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON"),
) -> None:
    """Find missing, unsigned, late and misfiled documents (each chart read is audited)."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        findings = analyze_charts(uow, operator(Role.HIM_MANAGER), encounter)
    rows = [_as_json(f) for f in findings]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    table = Table("encounter", "account", "MRN", "kind", "message", "assignee", "due")
    for f in findings:
        d = f.deficiency
        table.add_row(str(f.encounter.id), f.encounter.account_number, f.mrn, d.kind.value,
                      d.message, f.assignee, d.due_on.isoformat())  # fmt: skip
    Console().print(table)
    Console(stderr=True).print(f"{len(findings)} deficiencies")


def _as_json(f: Finding) -> dict[str, object]:
    d = f.deficiency
    return {
        "encounter": f.encounter.id,
        "account": f.encounter.account_number,
        "mrn": f.mrn,
        "kind": d.kind.value,
        "rule": d.rule,
        "severity": d.severity,
        "message": d.message,
        "assignee": f.assignee,
        "due_on": d.due_on.isoformat(),
        "document": d.document_id,
    }
