"""`himdesk audit report`: who accessed a patient's record, or what a user accessed."""

from __future__ import annotations

import json
from collections.abc import Sequence

import typer

from himdesk.cli.context import build, clean_errors, fail, operator
from himdesk.domain.access import Role
from himdesk.domain.audit import SealedAuditEvent
from himdesk.services.access_review import (
    CSV_COLUMNS,
    events_as_csv,
    patient_access_report_by_mrn,
    user_access_report,
)


def register(audit_app: typer.Typer) -> None:
    audit_app.command("report")(report)


def report(
    ctx: typer.Context,
    patient: str = typer.Option(None, "--patient", help="MRN: everyone who accessed this record"),
    user: str = typer.Option(None, "--user", help="Username: every access this user made"),
    as_csv: bool = typer.Option(False, "--csv", help="Print CSV (the default is JSON)"),
) -> None:
    """Audit report for a patient's accounting of access, or for one user's review."""
    if (patient is None) == (user is None):
        fail("give exactly one of --patient MRN or --user NAME", code=2)
    himdesk = build(ctx)
    # The privacy officer's report, run from the server's console.
    actor = operator(Role.PRIVACY_OFFICER)
    with clean_errors(), himdesk.unit_of_work() as uow:
        if patient is not None:
            events = patient_access_report_by_mrn(uow, actor, patient)
        else:
            events = user_access_report(uow, actor, user)
    typer.echo(events_as_csv(events) if as_csv else json.dumps(_as_json(events)), nl=not as_csv)


def _as_json(events: Sequence[SealedAuditEvent]) -> list[dict[str, str | int | None]]:
    rows = []
    for event in events:
        e = event.entry
        values = (event.sequence, e.occurred_at.isoformat(), e.username, e.role, e.action,
                  e.outcome, e.patient_id, e.object_type, e.object_id, e.client_address,
                  e.purpose)  # fmt: skip
        rows.append(dict(zip(CSV_COLUMNS, values, strict=True)))
    return rows
