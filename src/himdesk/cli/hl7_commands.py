"""`himdesk hl7 listen`: the HL7 v2 MLLP listener for the hospital's interface feeds."""

from __future__ import annotations

import asyncio
import signal
from dataclasses import replace

import typer

from himdesk.cli.context import build, clean_errors, err_console, fail
from himdesk.domain.access import Actor, PurposeOfUse, Role
from himdesk.interop.hl7v2.acks import AckCode
from himdesk.interop.hl7v2.mllp import MessageIntake, MllpListener

app = typer.Typer(help="HL7 v2 interfaces.", no_args_is_help=True)


def interface_actor(host: str, port: int) -> Actor:
    """The interface itself, audited as `mllp:HOST:PORT` from each sender's address."""
    return Actor(
        user_id=0,
        username=f"mllp:{host}:{port}"[:60],
        role=Role.HIM_MANAGER,
        purpose=PurposeOfUse.OPERATIONS,
    )


@app.command("listen")
def listen(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(2575, help="TCP port (2575 is the registered HL7 port)"),
) -> None:
    """Receive HL7 v2 messages over MLLP and acknowledge each one (AA, AE or AR).

    Every message is imported in its own transaction; rejected ones wait in the review
    queue with their reason. Ctrl-C (or SIGTERM) finishes the message in hand and stops.
    """
    if not 0 <= port <= 65535:
        fail(f"--port must be between 0 and 65535, not {port}")
    himdesk = build(ctx)
    actor = interface_actor(host, port)
    intake = MessageIntake(
        himdesk.unit_of_work, lambda peer: replace(actor, client_address=peer), himdesk.clock
    )
    with clean_errors():
        asyncio.run(_serve(intake, host, port))
    counts = intake.answered
    err_console.print(
        f"stopped: {counts[AckCode.ACCEPT]} accepted (AA), "
        f"{counts[AckCode.REJECT]} rejected (AR), {counts[AckCode.ERROR]} "
        "not applied (AE)"
    )


async def _serve(intake: MessageIntake, host: str, port: int) -> None:
    listener = MllpListener(intake, host, port)
    bound = await listener.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    err_console.print(f"listening for HL7 v2 over MLLP on {host}:{bound} (Ctrl-C stops)")
    await stop.wait()
    err_console.print("stopping: finishing the message in hand")
    await listener.stop()
