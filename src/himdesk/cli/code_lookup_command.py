"""`himdesk code lookup "TEXT"`: the encoder from the command line.

Prints ranked ICD-10-CM codes, best first, each with its tabular title and the index path
that leads to it; `--json` prints them as one JSON array.
"""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from himdesk.cli.context import build, clean_errors, fail, operator
from himdesk.domain.access import Role
from himdesk.domain.coding.lookup import LookupHit
from himdesk.services.code_lookup import MAX_LIMIT, InvalidLookup, lookup_codes
from himdesk.services.code_reference import CodeSetsNotLoaded

TEXT = typer.Argument(..., help='A diagnosis as written ("heart attack", "NSTEMI") or a code')


def lookup(
    ctx: typer.Context,
    text: str = TEXT,
    limit: int = typer.Option(10, "--limit", help=f"How many codes, 1 to {MAX_LIMIT}"),
    year: int = typer.Option(
        None, "--year", help="ICD-10-CM fiscal year to search (default: the latest loaded)"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the codes as one JSON document"),
) -> None:
    """Find ICD-10-CM codes for a term the way a coder works the Alphabetic Index."""
    himdesk = build(ctx)
    with clean_errors():
        try:
            hits = lookup_codes(operator(Role.CODER), himdesk.code_reference, text, limit, year)
        except InvalidLookup as err:
            fail(str(err))
        except CodeSetsNotLoaded as err:
            fail(f"{err} Load the code sets with `himdesk codesets load DIR`.")
    if as_json:
        typer.echo(json.dumps([as_document(hit) for hit in hits]))
        return
    _print(text, hits)


def as_document(hit: LookupHit) -> dict[str, object]:
    return {
        "code": hit.code,
        "title": hit.title,
        "path": hit.path,
        "score": round(hit.score, 3),
        "valid": hit.valid,
        "billable": hit.billable,
        "note": hit.note,
    }


def _print(text: str, hits: list[LookupHit]) -> None:
    console = Console()
    if not hits:
        console.print(f"No codes found for {escape(text)!r}.", highlight=False)
        return
    table = Table(title=f"ICD-10-CM codes for {escape(text)!r}", title_justify="left")
    for column in ("code", "title", "index path", "note"):
        table.add_column(column, overflow="fold")
    for hit in hits:
        code = hit.code if hit.valid else f"[red]{hit.code}[/]"
        note = escape(hit.note) if hit.valid and hit.billable else f"[yellow]{escape(hit.note)}[/]"
        table.add_row(code, escape(hit.title), escape(hit.path), note)
    console.print(table)
