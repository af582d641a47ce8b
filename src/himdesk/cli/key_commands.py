"""`himdesk keys status` and `himdesk keys rotate`: the field-encryption key ring."""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from himdesk.cli.context import build, clean_errors, err_console, operator
from himdesk.services.field_keys import MAX_BATCH, KeyStatus, key_status, rotate_field_keys

app = typer.Typer(help="Field-encryption keys.", no_args_is_help=True)


@app.command("status")
def status(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON"),
) -> None:
    """Count the encrypted values under each key id (nothing is decrypted)."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        found = key_status(uow, operator())
    if as_json:
        typer.echo(json.dumps(status_report(found)))
        return
    table = Table("column", "key id", "values", "key")
    for count in found.counts:
        table.add_row(count.column, count.key_id, str(count.values), _role_of(found, count.key_id))
    err_console.print(table)
    err_console.print(f"current key {found.current_key_id}; {found.to_rotate} values to rotate")


def status_report(found: KeyStatus) -> dict[str, Any]:
    columns: dict[str, dict[str, int]] = {}
    by_key: Counter[str] = Counter()
    for count in found.counts:
        columns.setdefault(count.column, {})[count.key_id] = count.values
        by_key[count.key_id] += count.values
    return {
        "current_key_id": found.current_key_id,
        "readable_key_ids": list(found.readable_key_ids),
        "by_key": dict(by_key),
        "columns": columns,
        "to_rotate": found.to_rotate,
        "unreadable_key_ids": found.unreadable_key_ids,
    }


def _role_of(found: KeyStatus, key_id: str) -> str:
    if key_id == found.current_key_id:
        return "current"
    if key_id in found.readable_key_ids:
        return "retired"
    return "readable by any key" if key_id == "legacy" else "NOT CONFIGURED"


@app.command("rotate")
def rotate(
    ctx: typer.Context,
    batch: int = typer.Option(1000, "--batch", min=1, max=MAX_BATCH, help="Values per commit"),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON"),
) -> None:
    """Re-encrypt every value to the current key, in small committed batches (resumable)."""
    himdesk = build(ctx)
    started = time.perf_counter()
    with clean_errors():
        with himdesk.unit_of_work() as uow:
            before = key_status(uow, operator())
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err_console,
            disable=as_json,
        ) as progress:
            task = progress.add_task("re-encrypting", total=before.to_rotate)
            report = rotate_field_keys(
                himdesk.unit_of_work, operator(), batch, lambda n: progress.advance(task, n)
            )
        with himdesk.unit_of_work() as uow:
            after = key_status(uow, operator())
    seconds = time.perf_counter() - started
    if as_json:
        typer.echo(json.dumps({"key_id": report.key_id, "rotated": report.rotated,
                               "batches": report.batches, "remaining": after.to_rotate,
                               "by_key": status_report(after)["by_key"],
                               "seconds": round(seconds, 3)}))  # fmt: skip
    else:
        err_console.print(
            f"re-encrypted {report.rotated} values to key {report.key_id} in "
            f"{report.batches} batches ({seconds:.1f} s); {after.to_rotate} under other keys"
        )
    if after.to_rotate:
        raise typer.Exit(1)
