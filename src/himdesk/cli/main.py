"""Entry point: `himdesk [--db URL] COMMAND`."""

from __future__ import annotations

import typer

from himdesk.cli import (
    audit_commands,
    demo_commands,
    patient_commands,
    server_commands,
    user_commands,
)

app = typer.Typer(
    help="himdesk — the health information management workstation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    db: str = typer.Option(
        None,
        "--db",
        help="Database URL (default: HIMDESK_DATABASE_URL or sqlite:///var/himdesk.db)",
    ),
) -> None:
    ctx.obj = {"db": db}


server_commands.register(app)
app.add_typer(demo_commands.app, name="demo")
app.add_typer(user_commands.app, name="user")
app.add_typer(audit_commands.app, name="audit")
app.add_typer(patient_commands.app, name="patient")


if __name__ == "__main__":
    app()
