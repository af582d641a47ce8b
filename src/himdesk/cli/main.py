"""Entry point: `himdesk [--db URL] COMMAND`."""

from __future__ import annotations

import typer

from himdesk.cli import (
    api_client_commands,
    audit_commands,
    audit_report,
    chart_commands,
    code_commands,
    codesets_commands,
    coding_commands,
    demo_commands,
    export_commands,
    hl7_commands,
    import_commands,
    key_commands,
    patient_commands,
    query_commands,
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
audit_report.register(audit_commands.app)
app.add_typer(audit_commands.app, name="audit")
app.add_typer(patient_commands.app, name="patient")
app.add_typer(chart_commands.app, name="chart")
app.add_typer(query_commands.app, name="query")
app.add_typer(key_commands.app, name="keys")
app.add_typer(hl7_commands.app, name="hl7")
app.add_typer(api_client_commands.app, name="api-client")
app.add_typer(code_commands.app, name="code")
app.add_typer(codesets_commands.app, name="codesets")
app.add_typer(coding_commands.app, name="coding")
export_commands.register(app)
import_commands.register(app)


if __name__ == "__main__":
    app()
