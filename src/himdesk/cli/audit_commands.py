"""`himdesk audit verify`."""

from __future__ import annotations

import json
import time

import typer

from himdesk.cli.context import build, clean_errors, err_console
from himdesk.services.audit import verify

app = typer.Typer(help="The audit trail.", no_args_is_help=True)


@app.command("verify")
def verify_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON"),
) -> None:
    """Check the hash chain: exit 0 when intact, 1 naming the first broken event."""
    himdesk = build(ctx)
    started = time.perf_counter()
    with clean_errors(), himdesk.unit_of_work() as uow:
        report = verify(uow)
    seconds = time.perf_counter() - started
    broken = report.first_break
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "intact": report.intact,
                    "checked": report.checked,
                    "total": report.total,
                    "first_broken_event": broken.sequence if broken else None,
                    "reason": broken.reason if broken else None,
                    "seconds": round(seconds, 3),
                }
            )
        )
    elif broken:
        err_console.print(
            f"audit trail BROKEN at event {broken.sequence}: {broken.reason} "
            f"({report.checked} events before it are intact)",
            highlight=False,
        )
    else:
        err_console.print(f"audit trail intact: {report.checked} events in {seconds:.2f} s")
    if broken:
        raise typer.Exit(1)
