"""`himdesk query escalate | metrics | list`: physician queries from the command line."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from himdesk.cli.context import build, clean_errors, operator
from himdesk.domain.access import Role
from himdesk.services.ports import QueryListing
from himdesk.services.queries import escalate_overdue, query_metrics, query_worklist

app = typer.Typer(help="Physician queries.", no_args_is_help=True)
STATUSES = ("overdue", "escalated", "open", "answered")


@app.command("escalate")
def escalate(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the escalated queries as JSON"),
) -> None:
    """Escalate every open query past its due time (run it from cron, e.g. hourly)."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        done = escalate_overdue(uow, operator(Role.HIM_MANAGER))
        now = uow.clock()
    rows = [{**_as_json(e.listing, now), "escalated_to": e.escalated_to} for e in done]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    Console(stderr=True).print(f"{len(rows)} overdue queries escalated")


@app.command("metrics")
def metrics(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as one JSON object"),
) -> None:
    """Queries sent and answered, response hours, outcome rates, coding changed."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        found = query_metrics(uow, operator(Role.HIM_MANAGER)).as_json()
    if as_json:
        typer.echo(json.dumps(found))
        return
    table = Table("measure", "value")
    for key, value in found.items():
        table.add_row(key, json.dumps(value))
    Console().print(table)


@app.command("list")
def list_queries(
    ctx: typer.Context,
    status: str = typer.Option(None, "--status", help="open, overdue, escalated or answered"),
    as_json: bool = typer.Option(False, "--json", help="Print the queries as JSON"),
) -> None:
    """Queries by status (all when no --status), the soonest due first."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        worklist = query_worklist(uow, operator(Role.HIM_MANAGER))
        chosen = [status] if status is not None else STATUSES
        rows = [_as_json(item, worklist.now) for s in chosen for item in worklist.of_status(s)]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    table = Table("query", "encounter", "MRN", "status", "due", "outcome")
    for row in rows:
        table.add_row(str(row["id"]), row["account"], row["mrn"], row["status"],
                      row["due_at"], row["outcome"] or "")  # fmt: skip
    Console().print(table)


def _as_json(item: QueryListing, now: datetime) -> dict[str, Any]:
    q = item.query
    return {
        "id": q.id,
        "encounter": q.encounter_id,
        "account": item.account_number,
        "mrn": item.mrn,
        "deficiency": q.deficiency_id,
        "addressee": q.addressee_id,
        "attending": item.attending_id,
        "asked_by": q.asked_by,
        "asked_at": q.asked_at.isoformat(),
        "due_at": q.due_at.isoformat(),
        "format": q.format.value,
        "status": q.status.value,
        "overdue": q.is_overdue(now),
        "escalated_at": q.escalated_at.isoformat() if q.escalated_at else None,
        "answered_at": q.answered_at.isoformat() if q.answered_at else None,
        "outcome": q.outcome.value if q.outcome else None,
        "coding_changed": q.coding_changed,
    }
