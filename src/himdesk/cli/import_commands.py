"""`himdesk import PATH...`: FHIR R4 JSON/NDJSON, HL7 v2 and C-CDA files and directories."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from himdesk.cli.context import build, clean_errors, err_console, fail, operator
from himdesk.domain.access import Role
from himdesk.interop.file_imports import ImportReport, import_files, importable_files, read_files
from himdesk.services.patient_labels import label_patients

PATHS = typer.Argument(..., help="Files or directories (searched recursively)")


def register(app: typer.Typer) -> None:
    app.command("import")(import_paths)


def import_paths(
    ctx: typer.Context,
    paths: list[Path] = PATHS,
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON document"),
) -> None:
    """Import FHIR R4 bundles/NDJSON, HL7 v2 messages and C-CDA documents.

    Each bundle, message or document is imported whole or not at all; exits 1 when anything
    was rejected (every rejection is listed and put in the review queue).
    """
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        fail(f"no such file or directory: {', '.join(missing)}")
    himdesk, actor = build(ctx), operator(Role.HIM_MANAGER)
    files = importable_files(paths)
    total = sum(p.stat().st_size for p in files)
    with clean_errors(), _progress(total) as progress:
        task = progress.add_task("importing", total=total)
        report = import_files(
            himdesk.unit_of_work, actor, read_files(files),
            progress=lambda done: progress.advance(task, done),
        )  # fmt: skip
    if as_json:
        with clean_errors(), himdesk.unit_of_work() as uow:
            labels = label_patients(uow, actor, report.patient_ids)
        typer.echo(json.dumps(report.as_json({i: p.mrn for i, p in labels.items()})))
    else:
        _print(report)
    if report.rejected:
        raise typer.Exit(1)


def _progress(total: int) -> Progress:
    # Only on a terminal, and only for imports big enough to wait for.
    shown = err_console.is_terminal and total > 5_000_000
    return Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                    DownloadColumn(), TimeRemainingColumn(), console=err_console,
                    disable=not shown, transient=True)  # fmt: skip


def _print(report: ImportReport) -> None:
    out = Console(soft_wrap=True)
    summary = Table("files", "imported", "unchanged", "held for review", "rejected")
    summary.add_row(*(str(n) for n in (report.files, report.imported, report.unchanged,
                                       report.held, report.rejected)))  # fmt: skip
    out.print(summary)
    if report.counts:
        parts = Table("written or updated", "count")
        for kind, n in sorted(report.counts.items()):
            parts.add_row(kind, str(n))
        parts.add_row("unchanged parts", str(report.unchanged_parts))
        out.print(parts)
    if report.not_held:
        lacking = Table("received, not held by the record", "count")
        for kind, n in sorted(report.not_held.items()):
            lacking.add_row(escape(kind), str(n))
        out.print(lacking)
    if report.holds:
        out.print(f"Held for patient-match review: {len(report.holds)} "
                  "(see /imports/holds in the workstation)")  # fmt: skip
    received, charts = len(report.submissions), len(report.patient_ids)
    units = "bundle, message or document" if received == 1 else "bundles, messages or documents"
    out.print(f"{received} {units}; {charts} patient {'chart' if charts == 1 else 'charts'} "
              "touched (--json lists each with its outcome and patients' MRNs)")  # fmt: skip
    for rejection in report.rejections:
        err_console.print(f"[bold red]rejected:[/] {escape(rejection.label)}: "
                          f"{escape(rejection.reason)}", highlight=False)  # fmt: skip
