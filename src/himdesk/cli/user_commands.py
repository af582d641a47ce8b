"""`himdesk user add`, `user unlock`, `user reset-authenticator`, `user totp` (demo only)."""

from __future__ import annotations

import typer

from himdesk.cli.context import build, clean_errors, err_console, fail, operator, read_stdin_secret
from himdesk.domain.access import USER_ROLES, Role
from himdesk.services.authentication import add_user, unlock
from himdesk.services.hospital import demo_totp_code
from himdesk.services.second_factor import reset_authenticator

app = typer.Typer(help="User accounts.", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Login name"),
    role: str = typer.Option(..., "--role", help="One of: " + ", ".join(map(str, USER_ROLES))),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input"
    ),
    display_name: str = typer.Option("", help="Full name shown in the workstation"),
    clinician_id: int = typer.Option(None, help="Clinician this user signs as (clinicians only)"),
) -> None:
    """Create a user with a role."""
    try:
        chosen = Role(role)
        if chosen not in USER_ROLES:
            raise ValueError(role)
    except ValueError:
        fail(f"unknown role '{role}'; use one of: {', '.join(r.value for r in USER_ROLES)}", code=2)
    if not password_stdin:
        fail("give the password on standard input with --password-stdin", code=2)
    password = read_stdin_secret()
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        user = add_user(uow, operator(), name, chosen, password, display_name, clinician_id)
    err_console.print(f"added {user.username} ({chosen.label})")


@app.command("unlock")
def unlock_user(ctx: typer.Context, name: str = typer.Argument(..., help="Login name")) -> None:
    """Let a user log in again after repeated failed logins paused or locked the account."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        user = unlock(uow, operator(), name)
    err_console.print(f"unlocked {user.username}")


@app.command("reset-authenticator")
def reset(ctx: typer.Context, name: str = typer.Argument(..., help="Login name")) -> None:
    """Forget a lost authenticator; the user sets up a new one at their next login."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        user = reset_authenticator(uow, operator(), name)
    err_console.print(f"{user.username} will set up a new authenticator at their next login")


@app.command("totp")
def totp(ctx: typer.Context, name: str = typer.Argument(..., help="Demo login name")) -> None:
    """Print a demo login's current authenticator code (refused outside demo mode)."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        code = demo_totp_code(uow, operator(), name, himdesk.settings.demo_mode)
    typer.echo(code)
