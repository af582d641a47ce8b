"""`himdesk serve` and `himdesk db upgrade`."""

from __future__ import annotations

import threading

import typer

from himdesk.bootstrap import Himdesk
from himdesk.cli.context import build, clean_errors, err_console
from himdesk.services.code_reference import CodeSetsNotLoaded
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
    # The encoder's index takes about a second to build: build it while the server starts,
    # so the first coder's first lookup does not wait for it.
    threading.Thread(target=_prepare_encoder, args=(himdesk,), daemon=True).start()
    uvicorn.run(create_app(himdesk), host=host, port=port, log_level="info", access_log=False)


def _prepare_encoder(himdesk: Himdesk) -> None:
    try:
        himdesk.code_reference.encoder()
    except CodeSetsNotLoaded:
        err_console.print("no ICD-10-CM code set is loaded: `himdesk codesets load DIR`")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create or migrate the database schema to the latest version."""
    himdesk = build(ctx)
    with clean_errors():
        upgrade(himdesk.engine)
    err_console.print("database is up to date")
