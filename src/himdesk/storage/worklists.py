"""The completeness worklists and the delinquency measure, aggregated in SQL.

Lists read a page of rows (oldest discharge first) and count the rest; aggregates group
the open deficiencies, reached through the index on (cleared_at, due_on). Discharges per
service scan the encounters (there is no index on discharged_at).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, case, distinct, func, select

from himdesk.domain.chart_review import ChartStatus
from himdesk.domain.completeness import DeficiencyKind
from himdesk.domain.delinquency import (
    AGE_BANDS,
    ClinicianDelinquency,
    DelinquencyRate,
    ServiceDelinquency,
)
from himdesk.domain.records import Clinician
from himdesk.services.ports import ChartList, ChartWorkItem
from himdesk.storage import tables as t

D = t.deficiencies.c
E = t.encounters.c
R = t.chart_reviews.c
UNASSIGNED = "No responsible clinician"
_KEEP_INCOMPLETE = sorted(k.value for k in DeficiencyKind if k.keeps_record_incomplete)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _delinquent(today: date) -> ColumnElement[bool]:
    """Open past its due date (domain/chart_review.py TrackedDeficiency.is_delinquent)."""
    return D.cleared_at.is_(None) & (D.due_on < today) & D.kind.in_(_KEEP_INCOMPLETE)


def _discharged_between(start: date, through: date) -> ColumnElement[bool]:
    end = _midnight(through + timedelta(days=1))
    return (E.discharged_at >= _midnight(start)) & (E.discharged_at < end)


class SqlWorklistRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def charts(self, status: ChartStatus, limit: int) -> ChartList:
        """Charts in this status, the oldest discharge first, with their open deficiencies."""
        total = self._db.execute(
            select(func.count()).select_from(t.chart_reviews).where(R.status == status.value)
        ).scalar_one()
        # The page's ids first: the details below are then read for `limit` rows only.
        page = (
            select(E.id)
            .join(t.chart_reviews, R.encounter_id == E.id)
            .where(R.status == status.value)
            .order_by(E.discharged_at, E.id)
            .limit(limit)
        )
        ids = list(self._db.execute(page).scalars())
        return ChartList(self._work_items(ids, status), int(total))

    def _work_items(self, ids: list[int], status: ChartStatus) -> list[ChartWorkItem]:
        if not ids:
            return []
        p, c = t.patients.c, t.clinicians.c
        query = (
            select(E.id, E.patient_id, E.account_number, E.encounter_class, E.discharged_at,
                   E.service, p.mrn, p.family_name, p.given_name, c.given_name.label("doc_given"),
                   c.family_name.label("doc_family"), c.credentials)
            .join(t.patients, p.id == E.patient_id)
            .outerjoin(t.clinicians, c.id == E.attending_id)
            .where(E.id.in_(ids))
        )  # fmt: skip
        rows = {row.id: row for row in self._db.execute(query)}
        open_counts = self._open_counts(ids)
        return [_work_item(rows[i], status, open_counts.get(i, 0)) for i in ids]

    def _open_counts(self, ids: list[int]) -> dict[int, int]:
        # Open = all minus cleared, so the planner reads these encounters' rows by their
        # index rather than every open deficiency in the hospital.
        still_open = func.count() - func.count(D.cleared_at)
        query = (
            select(D.encounter_id, still_open)
            .where(D.encounter_id.in_(ids))
            .group_by(D.encounter_id)
        )
        return {encounter_id: int(n) for encounter_id, n in self._db.execute(query)}

    def open_by_age(self, today: date) -> dict[tuple[str, int], int]:
        """Open deficiencies per (kind, index in AGE_BANDS), by days since discharge."""
        whens = [
            (E.discharged_at >= _midnight(earliest), i)
            for i, band in enumerate(AGE_BANDS)
            if (earliest := band.earliest_discharge(today)) is not None
        ]
        band = case(*whens, else_=len(AGE_BANDS) - 1).label("band")
        aged = (
            select(D.kind, band)
            .join(t.encounters, E.id == D.encounter_id)
            .where(D.cleared_at.is_(None))
            .subquery()
        )
        # Grouped outside: PostgreSQL will not match a parameterised CASE in GROUP BY.
        query = select(aged.c.kind, aged.c.band, func.count()).group_by(aged.c.kind, aged.c.band)
        return {(kind, int(i)): int(n) for kind, i, n in self._db.execute(query)}

    def delinquency_by_service(self, today: date, start: date) -> Sequence[ServiceDelinquency]:
        """Every service with discharges in the 12 months or delinquent records now."""
        late = self._db.execute(
            select(E.service, func.count(distinct(D.encounter_id)), func.count())
            .join(t.encounters, E.id == D.encounter_id)
            .where(_delinquent(today))
            .group_by(E.service)
        ).all()
        discharged: dict[str, int] = {
            service: int(n)
            for service, n in self._db.execute(
                select(E.service, func.count())
                .where(_discharged_between(start, today))
                .group_by(E.service)
            )
        }
        counts = {service: (int(records), int(n)) for service, records, n in late}
        found = []
        for service in set(counts) | set(discharged):
            records, deficiencies = counts.get(service, (0, 0))
            rate = DelinquencyRate(records, int(discharged.get(service, 0)))
            found.append(ServiceDelinquency(service or "", deficiencies, rate))
        return sorted(found, key=lambda s: (-s.rate.delinquent_records, s.service))

    def delinquency_by_clinician(self, today: date) -> Sequence[ClinicianDelinquency]:
        c = t.clinicians.c
        query = (
            select(D.assignee_id, c.given_name, c.family_name, c.credentials,
                   func.count(distinct(D.encounter_id)), func.count(), func.min(D.due_on))
            .outerjoin(t.clinicians, c.id == D.assignee_id)
            .where(_delinquent(today))
            .group_by(D.assignee_id, c.given_name, c.family_name, c.credentials)
        )  # fmt: skip
        found = [
            ClinicianDelinquency(
                clinician_id=row[0],
                clinician=_clinician_name(row[1], row[2], row[3]) if row[0] else UNASSIGNED,
                delinquent_records=int(row[4]),
                deficiencies=int(row[5]),
                oldest_due_on=row[6],
            )
            for row in self._db.execute(query)
        ]
        return sorted(found, key=lambda x: (-x.delinquent_records, x.oldest_due_on, x.clinician))


def _clinician_name(given: str | None, family: str | None, credentials: str | None) -> str:
    if family is None:
        return ""
    return Clinician(0, "", family, given or "", credentials or "", "").display_name


def _work_item(row: Any, status: ChartStatus, open_deficiencies: int) -> ChartWorkItem:
    return ChartWorkItem(
        encounter_id=row.id,
        patient_id=row.patient_id,
        mrn=row.mrn,
        patient_name=f"{row.family_name}, {row.given_name}",
        account_number=row.account_number,
        encounter_class=row.encounter_class,
        discharged_at=row.discharged_at,
        attending=_clinician_name(row.doc_given, row.doc_family, row.credentials),
        service=row.service,
        status=status,
        open_deficiencies=open_deficiencies,
    )
