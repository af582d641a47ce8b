"""`himdesk code ...`: the encoder, code edits and the MS-DRG grouper from the command line.
Each command lives in its own module and is registered here."""

from __future__ import annotations

import typer

from himdesk.cli import (
    code_group_command,
    code_lookup_command,
    code_show_command,
    code_validate_command,
)

app = typer.Typer(help="Look up, validate and group ICD-10-CM/PCS codes.", no_args_is_help=True)
app.command("group")(code_group_command.group_codes)
app.command("lookup")(code_lookup_command.lookup)
app.command("show")(code_show_command.show_code)
app.command("validate")(code_validate_command.validate)
