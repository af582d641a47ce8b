"""`himdesk audit verify` and `himdesk audit checkpoint`."""

from __future__ import annotations

import json
import time

import typer

from himdesk.cli.context import build, clean_errors, err_console, operator
from himdesk.domain.audit_checkpoints import AuditCheckpoint
from himdesk.services.audit import VerificationReport, verify, write_checkpoint

app = typer.Typer(help="The audit trail.", no_args_is_help=True)


@app.command("verify")
def verify_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON"),
) -> None:
    """Check the hash chain and its signed checkpoints: 0 = intact, 1 = names the first problem."""
    himdesk = build(ctx)
    started = time.perf_counter()
    with clean_errors(), himdesk.unit_of_work() as uow:
        report = verify(uow)
    seconds = time.perf_counter() - started
    if as_json:
        typer.echo(json.dumps(_verification_json(report, seconds)))
    else:
        _print_verification(report, seconds)
    if not report.intact:
        raise typer.Exit(1)


@app.command("checkpoint")
def checkpoint_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the checkpoint as JSON"),
) -> None:
    """Sign a checkpoint at the audit trail's tip now (one is also signed every N events)."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        checkpoint = write_checkpoint(uow, operator())
    if as_json:
        typer.echo(json.dumps(_checkpoint_json(checkpoint)))
        return
    # Printed in full so that a copy can be kept away from the database (see README).
    typer.echo(
        f"checkpoint {checkpoint.number} vouches for events 1-{checkpoint.sequence} "
        f"(signed {checkpoint.created_at:%Y-%m-%d %H:%M:%S} UTC, "
        f"signature {checkpoint.signature})"
    )


def _verification_json(report: VerificationReport, seconds: float) -> dict[str, object]:
    broken = report.first_break
    last = report.last_checkpoint
    return {
        "intact": report.intact,
        "checked": report.checked,
        "total": report.total,
        "first_broken_event": broken.sequence if broken else None,
        "reason": broken.reason if broken else None,
        "seconds": round(seconds, 3),
        "checkpoints_checked": report.checkpoints_checked,
        "broken_checkpoint": broken.checkpoint if broken else None,
        "last_checkpoint": _checkpoint_json(last) if last else None,
    }


def _checkpoint_json(checkpoint: AuditCheckpoint) -> dict[str, object]:
    return {
        "number": checkpoint.number,
        "sequence": checkpoint.sequence,
        "event_count": checkpoint.event_count,
        "created_at": checkpoint.created_at.isoformat(),
        "signature": checkpoint.signature,
    }


def _print_verification(report: VerificationReport, seconds: float) -> None:
    broken = report.first_break
    if broken:
        err_console.print(
            f"audit trail BROKEN at event {broken.sequence}: {broken.reason} "
            f"({report.checked} events before it are intact)",
            highlight=False,
        )
        return
    last = report.last_checkpoint
    if last is None:
        vouched = "no signed checkpoint yet (run `himdesk audit checkpoint`)"
    else:
        vouched = (
            f"{report.checkpoints_checked} signed checkpoints hold, the last at event "
            f"{last.sequence}"
        )
        if report.checked > last.sequence:
            vouched += f"; the {report.checked - last.sequence} events since are chain-checked only"
    err_console.print(
        f"audit trail intact: {report.checked} events in {seconds:.2f} s; {vouched}",
        highlight=False,
    )
