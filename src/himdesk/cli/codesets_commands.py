"""`himdesk codesets load [DIR]` and `himdesk codesets list`: official ICD-10-CM/PCS releases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from himdesk.cli.context import build, clean_errors, err_console, fail, operator
from himdesk.codesets.code_set_codec import UnreadablePart
from himdesk.codesets.release_reader import ReleaseDirectory
from himdesk.services.code_sets import (
    CodeSetFileError,
    LoadSummary,
    NoCodeSetFiles,
    list_code_sets,
    load_code_sets,
)
from himdesk.services.ports import StoredRelease

app = typer.Typer(help="Official ICD-10-CM and ICD-10-PCS code-set releases.", no_args_is_help=True)

DIRECTORY = typer.Argument(
    None,
    help="Directory of release files (default: HIMDESK_CODESET_DIR; without either, only the "
    "ICD-10-CM tabular packaged with simple-icd-10-cm)",
    show_default=False,
)
AS_JSON = typer.Option(False, "--json", help="Print one JSON document on stdout")


@app.command("load")
def load(ctx: typer.Context, directory: Path | None = DIRECTORY, as_json: bool = AS_JSON) -> None:
    """Load the release files in DIR; a release of the same system and fiscal year is
    replaced, and one whose files are already loaded is left unchanged."""
    himdesk = build(ctx)
    directory = directory or himdesk.settings.codeset_dir
    with clean_errors(), _readable_files(), _progress() as progress:
        task = progress.add_task("reading", total=None)

        def reading(name: str) -> None:
            progress.update(task, description=f"reading {name}")
            progress.advance(task)

        def open_source(path: Path | None) -> ReleaseDirectory:
            source = ReleaseDirectory(path, progress=reading)
            progress.update(task, total=source.file_count)
            return source

        with himdesk.unit_of_work() as uow:
            summary = load_code_sets(operator(), uow, directory, open_source)
    if summary.changed:
        himdesk.code_reference.reload()
    if as_json:
        typer.echo(json.dumps(load_report(summary)))
    else:
        _print_load(summary)


@app.command("list")
def list_releases(ctx: typer.Context, as_json: bool = AS_JSON) -> None:
    """List the loaded releases with their files, years and when they were loaded."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        releases = list_code_sets(operator(), uow)
    if as_json:
        typer.echo(json.dumps([release_report(stored) for stored in releases]))
        return
    if not releases:
        err_console.print("No code sets are loaded: run `himdesk codesets load DIR`.")
        return
    table = Table("release", "file", "file year", "entries", "loaded")
    for stored in releases:
        release = stored.release
        loaded = f"{stored.loaded_at:%Y-%m-%d %H:%M} UTC by {escape(stored.loaded_by)}"
        for number, source in enumerate(release.sources):
            table.add_row(
                escape(release.label) if number == 0 else "", escape(source.name),
                f"FY{source.fiscal_year}", f"{source.entries:,}", loaded if number == 0 else "",
            )  # fmt: skip
    err_console.print(table)


@contextmanager
def _readable_files() -> Iterator[None]:
    try:
        yield
    except (CodeSetFileError, NoCodeSetFiles, UnreadablePart) as err:
        fail(str(err))


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


def release_report(stored: StoredRelease) -> dict[str, Any]:
    release = stored.release
    return {
        "system": release.system.value,
        "fiscal_year": release.fiscal_year,
        "effective_from": release.effective_from.isoformat(),
        "effective_to": release.effective_to.isoformat(),
        "sources": [
            {
                "name": s.name,
                "part": s.part,
                "fiscal_year": s.fiscal_year,
                "entries": s.entries,
                "sha256": s.sha256,
            }
            for s in release.sources
        ],  # fmt: skip
        "absent_index_codes": {"count": stored.absent_count, "first": list(stored.absent_codes)},
        "loaded_at": stored.loaded_at.isoformat(),
        "loaded_by": stored.loaded_by,
    }


def load_report(summary: LoadSummary) -> dict[str, Any]:
    return {
        "directory": summary.directory or None,
        "releases": [
            {"outcome": loaded.outcome, **release_report(loaded.stored)}
            for loaded in summary.releases
        ],
        "ignored": list(summary.ignored),
    }


def _print_load(summary: LoadSummary) -> None:
    if not summary.directory:
        err_console.print("No directory given: the packaged ICD-10-CM tabular only.")
    for loaded in summary.releases:
        stored, release = loaded.stored, loaded.stored.release
        err_console.print(f"[bold]{escape(release.label)}[/]: {loaded.outcome}")
        table = Table("file", "part", "year", "entries")
        for s in release.sources:
            table.add_row(escape(s.name), s.part, f"FY{s.fiscal_year}", f"{s.entries:,}")
        err_console.print(table)
        if stored.absent_count:
            shown = ", ".join(stored.absent_codes)
            more = " …" if stored.absent_count > len(stored.absent_codes) else ""
            err_console.print(
                f"{stored.absent_count} index codes are not codes in the FY{release.fiscal_year} "
                f"tabular (never offered as valid): {escape(shown)}{more}"
            )
    if summary.ignored:
        err_console.print(f"Not release files, ignored: {escape(', '.join(summary.ignored))}")
