"""`himdesk chart`: deficiency analysis, the completeness worklist, delinquency, completing
the HIT's analysis."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import typer
from rich.console import Console
from rich.table import Table

from himdesk.cli.context import build, clean_errors, operator
from himdesk.domain.access import Role
from himdesk.domain.chart_review import ChartStatus
from himdesk.domain.delinquency import DelinquencyRate
from himdesk.domain.records import EncounterClass
from himdesk.domain.rule_book import RULES, RuleBook, describe
from himdesk.services.completeness import Finding, analyze_charts, complete_review
from himdesk.services.ports import ChartWorkItem
from himdesk.services.worklists import (
    CompletenessWorklist,
    DelinquencyReport,
    completeness_worklist,
    delinquency_report,
)

app = typer.Typer(help="Chart completeness.", no_args_is_help=True)


@app.command("analyze")
def analyze(
    ctx: typer.Context,
    encounter: int = typer.Option(None, "--encounter", help="Only this encounter (its id)"),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON"),
) -> None:
    """Find missing, unsigned, late and misfiled documents (each chart read is audited)."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        findings = analyze_charts(uow, operator(Role.HIM_MANAGER), encounter)
    rows = [_as_json(f) for f in findings]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    table = Table("encounter", "account", "MRN", "kind", "message", "assignee", "due")
    for f in findings:
        d = f.deficiency
        table.add_row(str(f.encounter.id), f.encounter.account_number, f.mrn, d.kind.value,
                      d.message, f.assignee, d.due_on.isoformat())  # fmt: skip
    Console().print(table)
    Console(stderr=True).print(f"{len(findings)} deficiencies")


def _as_json(f: Finding) -> dict[str, object]:
    d = f.deficiency
    return {
        "encounter": f.encounter.id,
        "account": f.encounter.account_number,
        "mrn": f.mrn,
        "kind": d.kind.value,
        "rule": d.rule,
        "severity": d.severity,
        "message": d.message,
        "assignee": f.assignee,
        "due_on": d.due_on.isoformat(),
        "document": d.document_id,
    }


@app.command("rules")
def rules(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the rules as JSON"),
) -> None:
    """The completeness rules in effect, with the thresholds of HIMDESK_COMPLETENESS_RULES."""
    book = build(ctx).settings.rule_book
    rows = rule_rows(book)
    if as_json:
        typer.echo(json.dumps(rows))
        return
    table = Table("rule", "kind", "checks", "off for")
    for row in rows:
        off = row["disabled_for"]
        assert isinstance(off, list)  # noqa: S101 - built just above
        table.add_row(str(row["rule"]), str(row["kind"]), str(row["checks"]), ", ".join(off))
    Console().print(table)


def rule_rows(book: RuleBook) -> list[dict[str, object]]:
    classes = list(EncounterClass)
    return [
        {
            "rule": rule.name,
            "kind": rule.kind.value,
            "checks": describe(rule, book.default),
            "disabled_for": [
                c.value for c in classes
                if {rule.name, rule.kind.value} & book.for_class(c).disabled
            ],
        }
        for rule in RULES
    ]  # fmt: skip


@app.command("worklist")
def worklist(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the worklist as JSON"),
) -> None:
    """Charts to analyze, incomplete charts and open deficiencies by age (audited)."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        found = completeness_worklist(uow, operator(Role.HIT))
    if as_json:
        typer.echo(json.dumps(worklist_json(found)))
        return
    console = Console()
    for title, charts in (("Charts to analyze", found.to_analyze),
                          ("Incomplete charts", found.incomplete)):  # fmt: skip
        table = Table("discharged", "encounter", "account", "MRN", "patient", "attending",
                      "service", "open", title=f"{title} ({charts.total})")  # fmt: skip
        for c in charts.charts:
            table.add_row(c.discharged_at.date().isoformat(), str(c.encounter_id),
                          c.account_number, c.mrn, c.patient_name or "(restricted chart)",
                          c.attending, c.service,
                          str(c.open_deficiencies))  # fmt: skip
        console.print(table)
    ages = Table("kind", *(b.label for b in found.bands), "total", title="Open deficiencies by age")
    for row in found.by_age:
        ages.add_row(row.kind, *(str(n) for n in row.counts), str(row.total))
    console.print(ages)


@app.command("delinquency")
def delinquency(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the measure as JSON"),
) -> None:
    """The Joint Commission delinquency rate, per clinician and per service (audited)."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        report = delinquency_report(uow, operator(Role.HIM_MANAGER))
    if as_json:
        typer.echo(json.dumps(delinquency_json(report)))
        return
    o = report.overall
    percent = "—" if o.percent is None else f"{o.percent}%"
    Console().print(
        f"Delinquent records {o.delinquent_records} · average monthly discharges "
        f"{o.average_monthly_discharges} · rate {percent}"
        + (" · [bold red]above 50%[/]" if o.flagged else "")
    )
    table = Table("clinician", "delinquent records", "deficiencies", "oldest due")
    for c in report.by_clinician:
        table.add_row(c.clinician, str(c.delinquent_records), str(c.deficiencies),
                      c.oldest_due_on.isoformat())  # fmt: skip
    Console().print(table)
    services = Table("service", "delinquent records", "discharges (12 months)", "AMD", "rate")
    for sd in report.by_service:
        r = sd.rate
        services.add_row(sd.service or "—", str(r.delinquent_records), str(r.discharges),
                         str(r.average_monthly_discharges),
                         "—" if r.percent is None else f"{r.percent}%")  # fmt: skip
    Console().print(services)


@app.command("complete")
def complete(
    ctx: typer.Context,
    encounter: int = typer.Option(..., "--encounter", help="The encounter's id"),
    as_json: bool = typer.Option(False, "--json", help="Print the chart's status as JSON"),
) -> None:
    """Complete the HIT's analysis: complete when nothing is open, else incomplete."""
    himdesk = build(ctx)
    with clean_errors(), himdesk.unit_of_work() as uow:
        review = complete_review(uow, operator(Role.HIT), encounter)
    if as_json:
        typer.echo(json.dumps({"encounter": encounter, "status": review.status.value,
                               "reviewed_by": review.reviewed_by,
                               "completed_at": _iso(review.completed_at)}))  # fmt: skip
        return
    if review.status is ChartStatus.COMPLETE:
        typer.echo(f"Encounter {encounter} is complete: nothing is open; it moves to coding.")
    else:
        typer.echo(f"Encounter {encounter} is incomplete: its open deficiencies went to the "
                   f"clinicians (himdesk chart analyze --encounter {encounter}).")  # fmt: skip


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _chart_json(c: ChartWorkItem) -> dict[str, object]:
    return {
        "encounter": c.encounter_id,
        "account": c.account_number,
        "mrn": c.mrn,
        "patient": c.patient_name,
        "restricted": c.restricted,  # a VIP or employee chart, its name not shown
        "discharged_at": _iso(c.discharged_at),
        "attending": c.attending,
        "service": c.service,
        "status": c.status.value,
        "open_deficiencies": c.open_deficiencies,
    }


def worklist_json(found: CompletenessWorklist) -> dict[str, object]:
    bands = [band.label for band in found.bands]
    return {
        "as_of": found.today.isoformat(),
        "charts_to_analyze": [_chart_json(c) for c in found.to_analyze.charts],
        "charts_to_analyze_total": found.to_analyze.total,
        "incomplete_charts": [_chart_json(c) for c in found.incomplete.charts],
        "incomplete_charts_total": found.incomplete.total,
        "age_bands": bands,
        "open_deficiencies_by_age": [
            {"kind": row.kind, "counts": dict(zip(bands, row.counts, strict=True)),
             "total": row.total}
            for row in found.by_age
        ],
    }  # fmt: skip


def _rate_json(rate: DelinquencyRate) -> dict[str, object]:
    return {
        "delinquent_records": rate.delinquent_records,
        "discharges": rate.discharges,
        "average_monthly_discharges": _number(rate.average_monthly_discharges),
        "rate": _number(rate.rate),
        "flagged": rate.flagged,
    }


def delinquency_json(report: DelinquencyReport) -> dict[str, object]:
    today = report.measured_on
    return {
        "measured_on": today.isoformat(),
        "period_start": report.period_start.isoformat(),
        **_rate_json(report.overall),
        "by_clinician": [
            {"clinician": c.clinician, "clinician_id": c.clinician_id,
             "delinquent_records": c.delinquent_records, "deficiencies": c.deficiencies,
             "oldest_due_on": c.oldest_due_on.isoformat(), "days_overdue": c.days_overdue(today)}
            for c in report.by_clinician
        ],
        "by_service": [
            {"service": s.service, "deficiencies": s.deficiencies, **_rate_json(s.rate)}
            for s in report.by_service
        ],
    }  # fmt: skip
