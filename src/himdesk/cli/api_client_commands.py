"""`himdesk api-client add | list | keys | revoke`: systems that read through the FHIR API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from himdesk.cli.context import build, clean_errors, err_console, fail, operator
from himdesk.domain.api_clients import ApiClient, scope_text
from himdesk.services.api_clients import list_clients, register_client, revoke_client
from himdesk.services.client_assertions import register_client_with_keys, replace_client_keys

app = typer.Typer(help="API clients of the FHIR API (client credentials).", no_args_is_help=True)

JwksFile = Annotated[
    Path | None,
    typer.Option(
        "--jwks",
        help="The client's public JWK Set (JSON): it signs JWT assertions "
        "(private_key_jwt) and gets no secret",
    ),  # fmt: skip
]


def client_json(client: ApiClient) -> dict[str, Any]:
    return {
        "client_id": client.client_id,
        "name": client.name,
        "scopes": [str(s) for s in client.scopes],
        "auth_method": client.auth_method,
        "key_ids": [key.kid for key in client.keys],
        "active": client.active,
        "created_at": client.created_at.isoformat(),
        "created_by": client.created_by,
    }


def read_key_set(path: Path) -> object:
    """The JWK Set in a file, as parsed JSON; a clear failure when it is not JSON."""
    try:
        return json.loads(path.read_bytes())
    except json.JSONDecodeError as err:
        fail(f"jwks: {path} is not JSON ({err.msg} at line {err.lineno}, column {err.colno})")
    except UnicodeDecodeError:
        fail(f"jwks: {path} is not JSON text (UTF-8)")


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Name of the system, e.g. 'County HIE'"),
    scope: list[str] = typer.Option(  # noqa: B008 - Typer's way of declaring a repeated option
        ..., "--scope", help="system/<Type>.read, system/*.read or system/<Type>.rs (repeat)"
    ),
    jwks: JwksFile = None,
    as_json: bool = typer.Option(False, "--json", help="Print the client as JSON"),
) -> None:
    """Register a client: with --jwks it authenticates with signed JWT assertions; otherwise
    it gets a secret, printed once (only a hash of it is kept)."""
    himdesk = build(ctx)
    with clean_errors():
        key_set = read_key_set(jwks) if jwks is not None else None
        with himdesk.unit_of_work() as uow:
            if key_set is None:
                registered = register_client(uow, operator(), name, scope)
                client, secret = registered.client, registered.secret
            else:
                client = register_client_with_keys(uow, operator(), name, scope, key_set)
                secret = ""
    _print_added(client, secret, as_json)


def _print_added(client: ApiClient, secret: str, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({**client_json(client), **({"secret": secret} if secret else {})}))
        return
    typer.echo(f"client_id: {client.client_id}")
    if secret:
        typer.echo(f"secret:    {secret}")
        err_console.print(f"registered {client.name} with {scope_text(client.scopes)}; the "
                          "secret is shown only now: store it with the client")  # fmt: skip
        return
    err_console.print(f"registered {client.name} with {scope_text(client.scopes)}; it signs "
                      f"assertions with key {', '.join(k.kid for k in client.keys)} (RS384 or "
                      "ES384) and has no secret")  # fmt: skip


@app.command("list")
def list_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the clients as JSON"),
) -> None:
    """The registered clients with their scopes and how they authenticate (never secrets)."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        clients = list_clients(uow, operator())
    if as_json:
        typer.echo(json.dumps([client_json(c) for c in clients]))
        return
    table = Table("client id", "name", "scopes", "authenticates by", "active", "created")
    for c in clients:
        method = f"JWT, keys {', '.join(k.kid for k in c.keys)}" if c.keys else "secret"
        table.add_row(c.client_id, c.name, scope_text(c.scopes), method,
                      "yes" if c.active else "revoked",
                      f"{c.created_at:%Y-%m-%d} by {c.created_by}")  # fmt: skip
    err_console.print(table)


@app.command("keys")
def keys(
    ctx: typer.Context,
    client_id: str = typer.Argument(..., help="The client whose public keys change"),
    jwks: JwksFile = None,
) -> None:
    """Replace a client's public JWK Set (key rotation); a client that had a secret
    authenticates by these keys from now on, and its secret stops working."""
    if jwks is None:
        fail("give the new public keys: --jwks FILE")
    himdesk = build(ctx)
    with clean_errors():
        key_set = read_key_set(jwks)
        with himdesk.unit_of_work() as uow:
            replace_client_keys(uow, operator(), client_id, key_set)
    err_console.print(f"{client_id} now authenticates with the keys in {jwks}")


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
