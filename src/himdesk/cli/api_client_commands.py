"""`himdesk api-client add | list | revoke`: systems that read through the FHIR API."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from himdesk.cli.context import build, clean_errors, err_console, operator
from himdesk.domain.api_clients import ApiClient, scope_text
from himdesk.services.api_clients import list_clients, register_client, revoke_client

app = typer.Typer(help="API clients of the FHIR API (client credentials).", no_args_is_help=True)


def client_json(client: ApiClient) -> dict[str, Any]:
    return {
        "client_id": client.client_id,
        "name": client.name,
        "scopes": [str(s) for s in client.scopes],
        "active": client.active,
        "created_at": client.created_at.isoformat(),
        "created_by": client.created_by,
    }


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Name of the system, e.g. 'County HIE'"),
    scope: list[str] = typer.Option(  # noqa: B008 - Typer's way of declaring a repeated option
        ..., "--scope", help="system/<Type>.read, system/*.read or system/<Type>.rs (repeat)"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the client as JSON"),
) -> None:
    """Register a client; prints its id and secret once (only a hash of the secret is kept)."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        registered = register_client(uow, operator(), name, scope)
    if as_json:
        typer.echo(json.dumps({**client_json(registered.client), "secret": registered.secret}))
        return
    typer.echo(f"client_id: {registered.client.client_id}")
    typer.echo(f"secret:    {registered.secret}")
    err_console.print(
        f"registered {registered.client.name} with {scope_text(registered.client.scopes)}; "
        "the secret is shown only now: store it in the client's configuration"
    )


@app.command("list")
def list_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the clients as JSON"),
) -> None:
    """The registered clients with their scopes (never their secrets)."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        clients = list_clients(uow, operator())
    if as_json:
        typer.echo(json.dumps([client_json(c) for c in clients]))
        return
    table = Table("client id", "name", "scopes", "active", "created")
    for c in clients:
        table.add_row(c.client_id, c.name, scope_text(c.scopes), "yes" if c.active else "revoked",
                      f"{c.created_at:%Y-%m-%d} by {c.created_by}")  # fmt: skip
    err_console.print(table)


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    client_id: str = typer.Argument(..., help="The client id to deactivate"),
) -> None:
    """Deactivate a client: its tokens stop working at once."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        revoke_client(uow, operator(), client_id)
    err_console.print(f"revoked {client_id}")
