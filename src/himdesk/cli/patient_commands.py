"""`himdesk patient show MRN`."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from himdesk.cli.context import build, clean_errors, operator
from himdesk.domain.access import Role
from himdesk.domain.amendments import AmendmentRequest
from himdesk.services.charts import Chart, chart_by_mrn

app = typer.Typer(help="Patients.", no_args_is_help=True)


@app.command("show")
def show(
    ctx: typer.Context,
    mrn: str = typer.Argument(..., help="Medical record number"),
    as_json: bool = typer.Option(False, "--json", help="Print the chart summary as JSON"),
) -> None:
    """Show a patient's chart summary (the access is audited)."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        chart = chart_by_mrn(uow, operator(Role.HIM_MANAGER), mrn)
    summary = chart_summary(chart)
    if as_json:
        typer.echo(json.dumps(summary))
        return
    _print(summary)


def chart_summary(chart: Chart) -> dict[str, Any]:
    p = chart.patient
    return {
        "id": p.id,
        "mrn": p.mrn,
        "facility": p.facility,
        "name": {"family": p.family_name, "given": p.given_name, "middle": p.middle_name},
        "birth_date": p.birth_on.isoformat(),
        "age": chart.banner.age,
        "sex": p.sex.value,
        "address": chart.address_shown,
        "phone": chart.phone_shown,
        "ssn": chart.ssn_shown,
        "version": p.version,
        "allergies": [
            {"substance": a.substance, "reaction": a.reaction, "severity": a.severity}
            for a in chart.banner.allergies
        ],
        "encounters": [
            {
                "id": e.id,
                "account": e.account_number,
                "class": e.encounter_class.value,
                "status": e.status.value,
                "admitted_at": e.admitted_at.isoformat(),
                "discharged_at": e.discharged_at.isoformat() if e.discharged_at else None,
            }
            for e in chart.encounters
        ],
        "documents": [
            {
                "id": d.id,
                "encounter": d.encounter_id,
                "type": d.document_type.value,
                "title": d.title,
                "status": d.status.value,
                "authored_at": d.authored_at.isoformat(),
            }
            for d in chart.documents
        ],
        "results": len(chart.observations),
        "diagnoses": [d.description for d in chart.diagnoses],
        "procedures": [x.description for x in chart.procedures],
        "medications": [m.name for m in chart.medications],
        "amendments": [amendment_summary(a) for a in chart.amendments],
    }


def amendment_summary(a: AmendmentRequest) -> dict[str, Any]:
    """One amendment request (45 CFR 164.526) with its decision and the statements."""
    return {
        "id": a.id,
        "target": {"type": a.target.value, "id": a.target_id},
        "status": a.status.value,
        "received_on": a.received_on.isoformat(),
        "due_on": a.due_on.isoformat(),
        "received_by": a.received_by,
        "requested_change": a.requested_change,
        "decided_by": a.decided_by or None,
        "decided_at": a.decided_at.isoformat() if a.decided_at else None,
        "amended_version": a.amended_version,
        "amendment_text": a.amendment_text or None,
        "denial_ground": a.denial_ground.value if a.denial_ground else None,
        "denial_explanation": a.denial_explanation or None,
        "disagreement": a.disagreement or None,
        "rebuttal": a.rebuttal or None,
    }


def _print(summary: dict[str, Any]) -> None:
    console = Console()
    name = summary["name"]
    console.print(
        f"[bold]{name['family']}, {name['given']}[/]  MRN {summary['mrn']}  "
        f"DOB {summary['birth_date']} ({summary['age']} y)  sex {summary['sex']}"
    )
    table = Table("account", "class", "status", "admitted", "discharged")
    for e in summary["encounters"]:
        table.add_row(
            e["account"],
            e["class"],
            e["status"],
            e["admitted_at"][:16],
            (e["discharged_at"] or "")[:16],
        )
    console.print(table)
    console.print(f"{len(summary['documents'])} documents, {summary['results']} results")
