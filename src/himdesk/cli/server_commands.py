"""`himdesk serve` and `himdesk db upgrade`."""

from __future__ import annotations

import typer

from himdesk.cli.context import build, clean_errors, err_console
from himdesk.storage.migrate import upgrade

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(db_app, name="db")


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(8000, help="Port to listen on"),
) -> None:
    """Serve the workstation over HTTP."""
    import uvicorn

    from himdesk.web.app import create_app

    himdesk = build(ctx)
    uvicorn.run(create_app(himdesk), host=host, port=port, log_level="info", access_log=False)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create or migrate the database schema to the latest version."""
    himdesk = build(ctx)
    with clean_errors():
        upgrade(himdesk.engine)
    err_console.print("database is up to date")
