"""`himdesk export --patient MRN [--format fhir] [--out FILE] [--base URL] [--reason TEXT]`.

One FHIR R4 Bundle of type `collection` holding the patient's whole record, for the patient
or another provider (ONC 170.315(b)(10), single-patient electronic health information export).
https://hl7.org/fhir/R4/bundle.html

`--reason` is the command line's stated reason: it opens a VIP or employee chart and the
documents labelled sensitive for this one export, and is recorded in the audit trail. It
leaves no access behind: every operator at the terminal acts under the same user id.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from himdesk.cli.context import build, clean_errors, err_console, fail, operator
from himdesk.domain.access import Role
from himdesk.domain.export_jobs import instant
from himdesk.domain.patient_record import PatientRecord
from himdesk.interop.fhir.outbound import record_resources
from himdesk.services.access_control import ReasonRequired
from himdesk.services.bulk_export import record_for_export

# Relative references ("Patient/12") resolve inside a bundle against the base of each entry's
# fullUrl (https://hl7.org/fhir/R4/bundle.html#references), so the fullUrls need a RESTful
# base: this server's FHIR endpoint as `himdesk serve` runs it unless told otherwise.
DEFAULT_BASE = "http://localhost:8000/fhir/R4"


class PackageFormat(enum.StrEnum):
    FHIR = "fhir"


def register(app: typer.Typer) -> None:
    app.command("export")(export)


def export(
    ctx: typer.Context,
    patient: Annotated[str, typer.Option("--patient", help="Medical record number")],
    format: Annotated[  # noqa: A002 - the documented option name
        PackageFormat, typer.Option("--format", help="Package format (FHIR R4 Bundle)")
    ] = PackageFormat.FHIR,
    out: Annotated[Path | None, typer.Option("--out", help="Write to FILE, not stdout")] = None,
    base: Annotated[
        str, typer.Option("--base", help="FHIR base URL of the entries")
    ] = DEFAULT_BASE,
    reason: Annotated[
        str,
        typer.Option("--reason", help="Why a VIP/employee chart or labelled documents go out"),
    ] = "",
) -> None:
    """Export a patient's whole record as one FHIR R4 Bundle (audited as a disclosure)."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        try:
            record = record_for_export(uow, operator(Role.HIM_MANAGER), patient,
                                       stated_reason=reason)  # fmt: skip
        except ReasonRequired:
            fail(f"MRN {patient.strip().upper()} is a restricted (VIP or employee) chart: state "
                 "why it is disclosed with --reason TEXT (kept in the audit trail)")  # fmt: skip
        bundle = package_bundle(record, base.rstrip("/"), instant(uow.clock()))
    content = orjson.dumps(bundle, option=orjson.OPT_INDENT_2) + b"\n"
    if out is None:
        typer.echo(content.decode(), nl=False)
        return
    with clean_errors():
        out.write_bytes(content)
    entries = len(bundle["entry"])
    err_console.print(f"wrote {entries} resources for MRN {record.patient.mrn} to {out}")


def package_bundle(record: PatientRecord, base: str, timestamp: str) -> dict[str, Any]:
    """The record's resources as a collection Bundle, each entry under its RESTful fullUrl."""
    entries = [
        {"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r}
        for r in record_resources(record)
    ]
    return {"resourceType": "Bundle", "type": "collection", "timestamp": timestamp,
            "entry": entries}  # fmt: skip
