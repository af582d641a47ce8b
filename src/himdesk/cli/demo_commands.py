"""`himdesk demo load`: the deterministic synthetic hospital."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from himdesk.bootstrap import Himdesk
from himdesk.cli.context import build, clean_errors, err_console, operator
from himdesk.domain.access import USER_ROLES
from himdesk.domain.sign_in import requires_second_factor
from himdesk.services.api_clients import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, add_demo_client
from himdesk.services.hospital import (
    add_demo_users,
    demo_password,
    enroll_demo_users,
    load_hospital,
)
from himdesk.storage.bulk import SqlBulkWriter

app = typer.Typer(help="The demo hospital.", no_args_is_help=True)


@app.command("load")
def load(
    ctx: typer.Context,
    patients: int = typer.Option(200, min=1, max=2_000_000, help="How many patients"),
    seed: int = typer.Option(1, help="Same seed, same hospital"),
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing when patients exist"),
    as_json: bool = typer.Option(False, "--json", help="Print the load report as JSON"),
) -> None:
    """Load a synthetic hospital with planted HIM problems, and one demo login per role."""
    from himdesk.demo.generator import build_hospital, generate_charts

    himdesk = build(ctx)
    writer = SqlBulkWriter(himdesk.engine, himdesk.cipher)
    with clean_errors():
        if if_empty and writer.count_patients():
            err_console.print("the database already holds patients; demo not loaded again")
            enroll_demo_users(himdesk.unit_of_work, operator())
            _add_demo_client(himdesk)
            _print_logins()
            return
        today = himdesk.clock().date()
        hospital = build_hospital(seed)
        started = time.perf_counter()
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err_console,
            disable=as_json,
        ) as progress:
            task = progress.add_task("patients", total=patients)
            report = load_hospital(
                writer,
                himdesk.unit_of_work,
                operator(),
                hospital,
                generate_charts(hospital, seed, patients, today),
                on_batch=lambda n: progress.advance(task, n),
            )
        signer = report.busiest_drafter or hospital.clinicians[0].id
        add_demo_users(himdesk.unit_of_work, operator(), signer)
        _add_demo_client(himdesk)
    seconds = time.perf_counter() - started
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "patients": report.patients,
                    "documents": report.documents,
                    "seconds": round(seconds, 2),
                    "loaded_at": datetime.now(UTC).isoformat(),
                }
            )
        )
        return
    err_console.print(
        f"loaded {report.patients} patients and {report.documents} documents in {seconds:.1f} s"
    )
    _print_logins()


def _add_demo_client(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow:
        add_demo_client(uow, operator())


def _print_logins() -> None:
    typer.echo("demo logins (username / password):")
    for role in USER_ROLES:
        typer.echo(f"  demo_{role.value:<16} {demo_password(role):<32} {role.label}")
    exempt = ", ".join(r.value for r in USER_ROLES if not requires_second_factor(r)) or "none"
    typer.echo(
        "then the authenticator code, which "
        "`HIMDESK_DEMO_MODE=1 .venv/bin/himdesk user totp demo_<role>` prints "
        f"(roles without a second factor: {exempt})"
    )
    typer.echo(
        f"demo FHIR API client: {DEMO_CLIENT_ID} / {DEMO_CLIENT_SECRET} (system/*.read; "
        "POST /fhir/R4/auth/token with grant_type=client_credentials)"
    )
