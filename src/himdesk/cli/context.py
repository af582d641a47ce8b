"""Shared CLI plumbing: building himdesk from the global options, and clean failures."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from himdesk.bootstrap import Himdesk
from himdesk.config import Settings
from himdesk.domain.access import Actor, PermissionDenied, PurposeOfUse, Role
from himdesk.domain.demographics import InvalidInput
from himdesk.services.access_control import ReasonRequired
from himdesk.services.errors import Conflict, NotFound
from himdesk.storage.crypto import FieldKeyError

err_console = Console(stderr=True, soft_wrap=True)


def build(ctx: typer.Context) -> Himdesk:
    overrides = {"database_url": ctx.obj["db"]} if ctx.obj and ctx.obj.get("db") else {}
    try:
        return Himdesk(Settings(**overrides))
    except ValidationError as err:
        fail("; ".join(str(e["msg"]).removeprefix("Value error, ") for e in err.errors()))


def operator(role: Role = Role.ADMIN) -> Actor:
    """The person at the server's terminal; audited under their OS account name."""
    return Actor(
        user_id=0,
        username=f"cli:{getpass.getuser()}",
        role=role,
        client_address="cli",
        purpose=PurposeOfUse.OPERATIONS,
    )


def fail(message: str, code: int = 1) -> NoReturn:
    # Escaped: messages quote user input and file sections such as "[default]".
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def clean_errors() -> Iterator[None]:
    """Known failures become one clear line on stderr and a non-zero exit, never a traceback."""
    try:
        yield
    except (NotFound, Conflict, PermissionDenied) as err:
        fail(str(err))
    except ReasonRequired as err:
        fail(f"patient {err.patient_id}'s record is restricted: open it in the workstation, "
             "which asks for the reason (the command line cannot state one yet)")  # fmt: skip
    except FieldKeyError as err:
        fail(f"encrypted field not readable: {err}")
    except InvalidInput as err:
        fail("; ".join(f"{field}: {message}" for field, message in err.errors.items()))
    except OSError as err:
        fail(f"{err.strerror or err} ({getattr(err, 'filename', '') or 'database'})")
    except Exception as err:
        if type(err).__module__.startswith("sqlalchemy"):
            fail(f"database error: {_first_line(err)}. Has `himdesk db upgrade` been run?")
        raise


def _first_line(err: Exception) -> str:
    text = str(getattr(err, "orig", err)) or type(err).__name__
    return text.splitlines()[0]


def read_stdin_secret() -> str:
    value = sys.stdin.readline().rstrip("\n")
    if not value:
        fail("no password was given on standard input")
    return value
