"""`himdesk user add`."""

from __future__ import annotations

import typer

from himdesk.cli.context import build, clean_errors, err_console, fail, operator, read_stdin_secret
from himdesk.domain.access import Role
from himdesk.services.authentication import add_user

app = typer.Typer(help="User accounts.", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Login name"),
    role: str = typer.Option(..., "--role", help="One of: " + ", ".join(r.value for r in Role)),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input"
    ),
    display_name: str = typer.Option("", help="Full name shown in the workstation"),
    clinician_id: int = typer.Option(None, help="Clinician this user signs as (clinicians only)"),
) -> None:
    """Create a user with a role."""
    try:
        chosen = Role(role)
    except ValueError:
        fail(f"unknown role '{role}'; use one of: {', '.join(r.value for r in Role)}", code=2)
    if not password_stdin:
        fail("give the password on standard input with --password-stdin", code=2)
    password = read_stdin_secret()
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        user = add_user(uow, operator(), name, chosen, password, display_name, clinician_id)
    err_console.print(f"added {user.username} ({chosen.label})")
