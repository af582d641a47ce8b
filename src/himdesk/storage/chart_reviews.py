"""Tracked deficiencies and each discharged encounter's completion status."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, or_, select, update

from himdesk.domain.chart_review import ChartReview, ChartStatus, Resolution, TrackedDeficiency
from himdesk.domain.completeness import Deficiency, DeficiencyKind, Evidence, EvidenceSource
from himdesk.services.ports import NewDeficiency
from himdesk.storage import tables as t

D = t.deficiencies.c
_STICKY = [r.value for r in Resolution if not r.reopens]
_REVIEW_COLUMNS = ("status", "analyzed_at", "reviewed_by", "reviewed_at", "completed_at")
# Executed with many rows at once; SET takes the columns the rows name.
_UPDATE_REVIEW = update(t.chart_reviews).where(t.chart_reviews.c.encounter_id == bindparam("key"))
# Built once (ids bound as expanding parameters): re-analysis runs inside every signature
# and every discharge an interface sends, where building the statement cost more than it.
_TRACKED = (
    select(t.deficiencies)
    .where(D.encounter_id.in_(bindparam("ids", expanding=True)))
    .where(or_(D.cleared_at.is_(None), D.resolution.in_(_STICKY)))
    .order_by(D.id)
)
_REVIEWS = select(t.chart_reviews).where(
    t.chart_reviews.c.encounter_id.in_(bindparam("ids", expanding=True))
)


def evidence_json(evidence: Sequence[Evidence]) -> list[dict[str, Any]]:
    return [{"source": e.source.value, "id": e.source_id, "quote": e.quote} for e in evidence]


def evidence_of(rows: Sequence[dict[str, Any]]) -> tuple[Evidence, ...]:
    return tuple(Evidence(EvidenceSource(r["source"]), r["id"], r["quote"]) for r in rows)


def tracked_of(row: Any) -> TrackedDeficiency:
    deficiency = Deficiency(
        kind=DeficiencyKind(row.kind),
        rule=row.rule,
        message=row.message,
        assignee_id=row.assignee_id,
        due_on=row.due_on,
        document_id=row.document_id,
        subject=row.finding_key.split("/", 2)[2],
        evidence=evidence_of(row.evidence),
    )
    return TrackedDeficiency(
        id=row.id,
        encounter_id=row.encounter_id,
        patient_id=row.patient_id,
        deficiency=deficiency,
        found_at=row.found_at,
        found_by=row.found_by,
        cleared_at=row.cleared_at,
        cleared_by=row.cleared_by,
        resolution=Resolution(row.resolution) if row.resolution else None,
        resolution_note=row.resolution_note,
    )


def deficiency_row(
    encounter_id: int, patient_id: int, d: Deficiency, found_at: datetime, found_by: str
) -> dict[str, Any]:
    return {
        "encounter_id": encounter_id,
        "patient_id": patient_id,
        "finding_key": d.key[:200],
        "kind": d.kind.value,
        "rule": d.rule,
        "severity": d.severity,
        "message": d.message[:1000],
        "assignee_id": d.assignee_id,
        "due_on": d.due_on,
        "document_id": d.document_id,
        "evidence": evidence_json(d.evidence),
        "found_at": found_at,
        "found_by": found_by,
        "cleared_by": "",
        "resolution_note": "",
    }


class SqlChartReviewRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def tracked(self, encounter_ids: Collection[int]) -> dict[int, list[TrackedDeficiency]]:
        """Open deficiencies and those closed for good (answered, waived), per encounter."""
        found: dict[int, list[TrackedDeficiency]] = {e: [] for e in encounter_ids}
        if not encounter_ids:
            return found
        for row in self._db.execute(_TRACKED, {"ids": sorted(encounter_ids)}):
            found[row.encounter_id].append(tracked_of(row))
        return found

    def history(self, encounter_id: int) -> Sequence[TrackedDeficiency]:
        query = select(t.deficiencies).where(D.encounter_id == encounter_id).order_by(D.id)
        return [tracked_of(r) for r in self._db.execute(query)]

    def find(self, deficiency_id: int) -> TrackedDeficiency | None:
        row = self._db.execute(select(t.deficiencies).where(D.id == deficiency_id)).first()
        return tracked_of(row) if row else None

    def add(self, found: Sequence[NewDeficiency], at: datetime, by: str) -> None:
        if found:
            rows = [deficiency_row(e, p, d, at, by) for e, p, d in found]
            self._db.execute(insert(t.deficiencies), rows)

    def clear(
        self, ids: Collection[int], at: datetime, by: str, resolution: Resolution, note: str = ""
    ) -> int:
        """Close the open ones among `ids`; how many were still open."""
        if not ids:
            return 0
        done = self._db.execute(
            update(t.deficiencies)
            .where(and_(D.id.in_(sorted(ids)), D.cleared_at.is_(None)))
            .values(cleared_at=at, cleared_by=by, resolution=resolution.value,
                    resolution_note=note[:500])
        )  # fmt: skip
        return int(done.rowcount)

    def blocking_count(self, encounter_id: int) -> int:
        blocking = [k.value for k in DeficiencyKind if k.blocks_completion]
        query = select(func.count()).where(
            D.encounter_id == encounter_id, D.cleared_at.is_(None), D.kind.in_(blocking)
        )
        return int(self._db.execute(query).scalar_one())

    def reviews(self, encounter_ids: Collection[int]) -> dict[int, ChartReview]:
        if not encounter_ids:
            return {}
        rows = self._db.execute(_REVIEWS, {"ids": sorted(encounter_ids)})
        return {row.encounter_id: _review_of(row) for row in rows}

    def save_reviews(self, reviews: Sequence[ChartReview], existing: Collection[int]) -> None:
        """Insert the new ones, update those in `existing` (encounter ids already stored)."""
        rows = [_review_row(v) for v in reviews]
        fresh = [row for row in rows if row["encounter_id"] not in existing]
        if fresh:
            self._db.execute(insert(t.chart_reviews), fresh)
        # One statement for all: a statement per row cost more than the analysis itself.
        stored = [
            {"key": row["encounter_id"], **{name: row[name] for name in _REVIEW_COLUMNS}}
            for row in rows
            if row["encounter_id"] in existing
        ]
        if stored:
            self._db.execute(_UPDATE_REVIEW, stored)

    def open_for_assignee(self, clinician_id: int) -> Sequence[TrackedDeficiency]:
        """The clinician's open deficiencies, the soonest due first (their inbox)."""
        query = (
            select(t.deficiencies)
            .where(D.assignee_id == clinician_id, D.cleared_at.is_(None))
            .order_by(D.due_on, D.id)
        )
        return [tracked_of(r) for r in self._db.execute(query)]


def _review_of(row: Any) -> ChartReview:
    return ChartReview(
        encounter_id=row.encounter_id,
        status=ChartStatus(row.status),
        analyzed_at=row.analyzed_at,
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
        completed_at=row.completed_at,
    )


def _review_row(review: ChartReview) -> dict[str, Any]:
    row = {name: getattr(review, name) for name in ("encounter_id", *_REVIEW_COLUMNS)}
    return row | {"status": review.status.value}
