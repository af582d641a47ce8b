"""Physician queries: sent, answered once, escalated when overdue, listed for worklists."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, insert, select, true, update

from himdesk.domain.queries import ClinicalIndicator, PhysicianQuery, QueryOutcome, QueryStatus
from himdesk.services.ports import QueryListing
from himdesk.storage import tables as t

Q = t.physician_queries.c
_FIELDS = tuple(f.name for f in fields(PhysicianQuery))
_ANSWER = ("status", "answer_option", "answer", "answered_by", "answered_at", "addendum_id",
           "outcome", "coding_changed", "version")  # fmt: skip
_ESCALATION = ("status", "escalated_at", "outcome", "version")


def _row(query: PhysicianQuery, names: Sequence[str] = _FIELDS) -> dict[str, Any]:
    row = {name: getattr(query, name) for name in names if name != "id"}
    if "indicators" in row:
        row["indicators"] = [{"quote": i.quote, "where": i.where} for i in query.indicators]
    if "options" in row:
        row["options"] = list(query.options)
    row["status"] = query.status.value
    if "outcome" in row:
        row["outcome"] = query.outcome.value if query.outcome else None
    return row


def _query(mapping: Any) -> PhysicianQuery:
    values = {name: mapping[name] for name in _FIELDS}
    values["indicators"] = tuple(
        ClinicalIndicator(i["quote"], i["where"]) for i in values["indicators"]
    )
    values["options"] = tuple(values["options"])
    values["status"] = QueryStatus(values["status"])
    values["outcome"] = QueryOutcome(values["outcome"]) if values["outcome"] else None
    return PhysicianQuery(**values)


class SqlPhysicianQueryRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, query: PhysicianQuery) -> PhysicianQuery:
        new_id = self._db.execute(
            insert(t.physician_queries).values(_row(query)).returning(Q.id)
        ).scalar_one()
        return replace(query, id=new_id)

    def find(self, query_id: int) -> PhysicianQuery | None:
        row = self._db.execute(select(t.physician_queries).where(Q.id == query_id)).first()
        return _query(row._mapping) if row else None

    def record_answer(self, query: PhysicianQuery) -> bool:
        # Only the version the clinician read is answered: two answers at once, one wins.
        return self._update(query, _ANSWER, Q.status != QueryStatus.ANSWERED.value)

    def escalate(self, query: PhysicianQuery) -> bool:
        return self._update(query, _ESCALATION, Q.status == QueryStatus.OPEN.value)

    def _update(self, query: PhysicianQuery, names: Sequence[str], still: Any) -> bool:
        done = self._db.execute(
            update(t.physician_queries)
            .where(Q.id == query.id, Q.version == query.version - 1, still)
            .values(_row(query, names))
        )
        return done.rowcount == 1

    def listed(
        self,
        statuses: Collection[QueryStatus] = (),
        limit: int = 500,
        addressee_id: int | None = None,
    ) -> Sequence[QueryListing]:
        """Queries with their patient and encounter, the soonest due first."""
        where: ColumnElement[bool] = true()
        if statuses:
            where = where & Q.status.in_(sorted(s.value for s in statuses))
        if addressee_id is not None:
            where = where & (Q.addressee_id == addressee_id)
        return self._listings(_listing_query().where(where).order_by(Q.due_at, Q.id).limit(limit))

    def due_for_escalation(self, now: datetime) -> Sequence[QueryListing]:
        where = (Q.status == QueryStatus.OPEN.value) & (Q.due_at < now)
        return self._listings(_listing_query().where(where).order_by(Q.due_at, Q.id))

    def all_queries(self) -> Sequence[PhysicianQuery]:
        rows = self._db.execute(select(t.physician_queries).order_by(Q.id))
        return [_query(r._mapping) for r in rows]

    def waiting_about(self, deficiency_id: int) -> PhysicianQuery | None:
        waiting = Q.status != QueryStatus.ANSWERED.value
        query = select(t.physician_queries).where(Q.deficiency_id == deficiency_id, waiting)
        row = self._db.execute(query.order_by(Q.id).limit(1)).first()
        return _query(row._mapping) if row else None

    def _listings(self, query: Select[Any]) -> list[QueryListing]:
        return [
            QueryListing(_query(r._mapping), r.mrn, f"{r.family_name}, {r.given_name}",
                         r.account_number, r.attending_id)
            for r in self._db.execute(query)
        ]  # fmt: skip


def _listing_query() -> Select[Any]:
    p, e = t.patients.c, t.encounters.c
    return (
        select(t.physician_queries, p.mrn, p.family_name, p.given_name, e.account_number,
               e.attending_id)
        .join(t.patients, p.id == Q.patient_id)
        .join(t.encounters, e.id == Q.encounter_id)
    )  # fmt: skip
