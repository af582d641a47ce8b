"""Coder productivity: encounters final-coded per day, by encounter type and by coder."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from himdesk.domain.access import Action, Actor
from himdesk.domain.coding.coding_work import ProductivityReport, productivity, report_period
from himdesk.services import audit
from himdesk.services.access_control import FACILITY_ZONE
from himdesk.services.ports import UnitOfWork


def coding_productivity(
    uow: UnitOfWork, actor: Actor, start: date | None = None, end: date | None = None
) -> ProductivityReport:
    """Counts of final codings from `start` through `end` (days on the facility's clock; the
    last 30 days unless given). An abstract reopened and not yet final-coded again is not
    counted; one final-coded again counts on the day of its latest final coding."""
    audit.require(uow, actor, Action.REPORT_CODING)
    start, end = report_period(start, end, uow.clock().astimezone(FACILITY_ZONE).date())
    since = datetime.combine(start, time(0), tzinfo=FACILITY_ZONE)
    until = datetime.combine(end + timedelta(days=1), time(0), tzinfo=FACILITY_ZONE)
    codings = uow.coding_abstracts.final_codings(since, until)
    report = productivity(codings, start, end, FACILITY_ZONE)
    audit.record(uow, actor, "coding.productivity", object_type="report", object_id=report.total)
    uow.commit()
    return report
