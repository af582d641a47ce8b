"""`himdesk coding`: the coding worklist from the command line."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from himdesk.cli.context import build, clean_errors, fail, operator
from himdesk.domain.access import Role
from himdesk.domain.coding.coding_work import CodingProgress, CodingWorkItem, WorklistCriteria
from himdesk.domain.records import EncounterClass
from himdesk.services.coding_worklist import coding_worklist

app = typer.Typer(help="Coding: the worklist of encounters to code.", no_args_is_help=True)


@app.command("worklist")
def worklist(
    ctx: typer.Context,
    kind: str = typer.Option("", "--type", help="Only this encounter type, e.g. inpatient"),
    status: str = typer.Option(
        "", "--status", help="Only not_started, in_progress or reopened encounters"
    ),
    page: int = typer.Option(1, "--page", min=1, help="Page of 50, oldest discharge first"),
    as_json: bool = typer.Option(False, "--json", help="Print the page as JSON"),
) -> None:
    """Discharged encounters not yet final-coded, the oldest discharge first (audited)."""
    criteria = WorklistCriteria(_kind(kind), _status(status), page)
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        found = coding_worklist(uow, operator(Role.HIM_MANAGER), criteria)
    rows = [_as_json(item, found.today.toordinal()) for item in found.found.items]
    if as_json:
        typer.echo(json.dumps({"total": found.found.total, "page": page, "encounters": rows}))
        return
    table = Table("encounter", "account", "MRN", "patient", "age", "type", "attending",
                  "discharged", "days", "status")  # fmt: skip
    for row in rows:
        table.add_row(*(str(row[k]) for k in ("encounter", "account", "mrn", "patient", "age",
                                              "type", "attending", "discharged_on",
                                              "days_since_discharge", "status")))  # fmt: skip
    Console().print(table)
    Console(stderr=True).print(f"{found.found.total} encounters to code; page {page} of "
                               f"{found.found.pages}")  # fmt: skip


def _kind(text: str) -> EncounterClass | None:
    if not text:
        return None
    try:
        return EncounterClass(text)
    except ValueError:
        fail(f"--type must be one of {', '.join(k.value for k in EncounterClass)}")


def _status(text: str) -> CodingProgress | None:
    if not text:
        return None
    try:
        return CodingProgress(text)
    except ValueError:
        fail(f"--status must be one of {', '.join(p.value for p in CodingProgress)}")


def _as_json(item: CodingWorkItem, today: int) -> dict[str, object]:
    discharged = item.discharged_at.date()
    return {
        "encounter": item.encounter_id,
        "account": item.account_number,
        "mrn": item.mrn,
        "patient": item.patient_name,
        "age": item.age_at_discharge,
        "sex": item.sex,
        "type": item.encounter_class,
        "attending": item.attending,
        "discharged_on": discharged.isoformat(),
        "days_since_discharge": today - discharged.toordinal(),
        "status": item.progress.value,
    }
