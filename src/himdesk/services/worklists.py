"""Completeness worklists: the HIT's charts and open deficiencies, the HIM manager's
delinquency measure. Each view lists many patients and is audited once, as a whole."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from himdesk.domain.access import Action, Actor, is_permitted
from himdesk.domain.chart_review import ChartStatus
from himdesk.domain.delinquency import (
    AGE_BANDS,
    AgeBand,
    AgeRow,
    ClinicianDelinquency,
    DelinquencyRate,
    ServiceDelinquency,
    age_table,
    hospital_rate,
    measurement_start,
)
from himdesk.domain.restrictions import PATIENT_LEVEL
from himdesk.services import audit
from himdesk.services.ports import ChartList, UnitOfWork

LIST_LIMIT = 100  # rows per list; the rest are counted, not read


@dataclass(frozen=True)
class CompletenessWorklist:
    today: date
    to_analyze: ChartList
    incomplete: ChartList
    by_age: Sequence[AgeRow]
    bands: tuple[AgeBand, ...] = AGE_BANDS

    @property
    def open_deficiencies(self) -> int:
        return sum(row.total for row in self.by_age)

    @property
    def band_totals(self) -> tuple[int, ...]:
        return tuple(sum(row.counts[i] for row in self.by_age) for i in range(len(self.bands)))


def completeness_worklist(
    uow: UnitOfWork, actor: Actor, limit: int = LIST_LIMIT
) -> CompletenessWorklist:
    """Charts to analyze and incomplete charts (oldest discharge first), open deficiencies
    by kind and days since discharge."""
    audit.require(uow, actor, Action.ANALYZE_CHARTS)
    today = uow.clock().date()
    to_analyze = _screened(uow, actor, uow.worklists.charts(ChartStatus.AWAITING_ANALYSIS, limit))
    incomplete = _screened(uow, actor, uow.worklists.charts(ChartStatus.INCOMPLETE, limit))
    by_age = age_table(uow.worklists.open_by_age(today))
    # The trail keeps how many charts were shown, not who (the list is not a chart read).
    shown = len(to_analyze.charts) + len(incomplete.charts)
    audit.record(uow, actor, "completeness.worklist", object_type="worklist", object_id=shown)
    uow.commit()
    return CompletenessWorklist(today, to_analyze, incomplete, by_age)


def _screened(uow: UnitOfWork, actor: Actor, found: ChartList) -> ChartList:
    """VIP and employee charts stay on the list (they need analysis too) without a name."""
    if is_permitted(actor.role, Action.READ_RESTRICTED):
        return found
    restricted = uow.access.restrictions_of({c.patient_id for c in found.charts})
    charts = [
        replace(c, patient_name="", restricted=True)
        if restricted.get(c.patient_id, frozenset()) & PATIENT_LEVEL
        else c
        for c in found.charts
    ]
    return replace(found, charts=charts)


@dataclass(frozen=True)
class DelinquencyReport:
    """The Joint Commission delinquency rate on `measured_on` (domain/delinquency.py)."""

    measured_on: date
    period_start: date  # first day of the 12 months of discharges counted
    overall: DelinquencyRate
    by_clinician: Sequence[ClinicianDelinquency]
    by_service: Sequence[ServiceDelinquency]


def delinquency_report(uow: UnitOfWork, actor: Actor) -> DelinquencyReport:
    """Delinquent records, average monthly discharges and the rate, per clinician and service."""
    audit.require(uow, actor, Action.REPORT_COMPLETENESS)
    today = uow.clock().date()
    start = measurement_start(today)
    by_service = uow.worklists.delinquency_by_service(today, start)
    report = DelinquencyReport(
        measured_on=today,
        period_start=start,
        overall=hospital_rate(by_service),
        by_clinician=uow.worklists.delinquency_by_clinician(today),
        by_service=by_service,
    )
    audit.record(uow, actor, "completeness.delinquency", object_type="report",
                 object_id=report.overall.delinquent_records)  # fmt: skip
    uow.commit()
    return report
