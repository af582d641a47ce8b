"""`himdesk code ...`: the encoder, code edits and the MS-DRG grouper from the command line.
Each command lives in its own module and is registered here."""

from __future__ import annotations

import typer

app = typer.Typer(help="Look up, validate and group ICD-10-CM/PCS codes.", no_args_is_help=True)
