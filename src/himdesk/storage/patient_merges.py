"""Patient merges: moving a chart's rows to another patient and exactly those rows back.

Every table whose rows belong to one patient's chart is moved by id, and the ids are kept in
`patient_merges.moved`. The history tables (record versions, the audit trail) stay as they
were written: they are append-only, and they record what happened to the merged patient.
Access grants and review flags stay too: they are about access to that patient id then.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, update
from sqlalchemy.orm import aliased

from himdesk.domain.amendments import AmendmentTarget
from himdesk.domain.patient_merges import PatientMerge
from himdesk.storage import tables as t

_BATCH = 500
# Rows of the chart, moved whole (each has an id and a patient_id).
_CHART_TABLES = (
    t.encounters,
    t.documents,
    t.observations,
    t.diagnoses,
    t.procedures,
    t.medications,
    t.allergies,
    t.deficiencies,
    t.physician_queries,
    t.source_links,
    t.patient_identifiers,
)
# Parts filed to an encounter: one added to a moved encounter after the merge would be split
# from its encounter by an undo.
_ENCOUNTER_PARTS = (
    t.documents,
    t.observations,
    t.diagnoses,
    t.procedures,
    t.medications,
    t.deficiencies,
    t.physician_queries,
)
_TABLES = {
    table.name: table for table in (*_CHART_TABLES, t.amendment_requests, t.patient_restrictions)
}
M = t.patient_merges.c


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _BATCH):
        yield list(ids[start : start + _BATCH])


class SqlPatientMergeRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def move_rows(self, from_id: int, to_id: int) -> dict[str, tuple[int, ...]]:
        """Move the chart of `from_id` to `to_id`; the ids moved, per table."""
        chosen: dict[str, list[int]] = {}
        for table in _CHART_TABLES:
            chosen[table.name] = self._ids(table, table.c.patient_id == from_id)
        requests = t.amendment_requests.c
        # A request about the merged patient's demographics stays with those demographics.
        chosen["amendment_requests"] = self._ids(
            t.amendment_requests,
            requests.patient_id == from_id,
            requests.target == AmendmentTarget.DOCUMENT.value,
        )
        restrictions = t.patient_restrictions.c
        held = select(restrictions.category).where(restrictions.patient_id == to_id)
        chosen["patient_restrictions"] = self._ids(
            t.patient_restrictions,
            restrictions.patient_id == from_id,
            restrictions.category.not_in(held),
        )
        moved = {name: tuple(ids) for name, ids in chosen.items() if ids}
        self._move(moved, from_id, to_id)
        return moved

    def move_back(self, merge: PatientMerge) -> None:
        self._move(merge.moved, merge.surviving_patient_id, merge.merged_patient_id)

    def _move(self, moved: Mapping[str, Sequence[int]], from_id: int, to_id: int) -> None:
        for name, ids in moved.items():
            table = _TABLES[name]
            for chunk in _chunks(ids):
                self._db.execute(
                    update(table)
                    .where(table.c.id.in_(chunk), table.c.patient_id == from_id)
                    .values(patient_id=to_id)
                )

    def _ids(self, table: Table, *conditions: Any) -> list[int]:
        query = select(table.c.id).where(*conditions).order_by(table.c.id)
        return list(self._db.execute(query).scalars())

    def strays(self, merge: PatientMerge) -> dict[str, int]:
        """What an undo would tear apart: per table, moved rows no longer with the survivor
        ("left:<table>") and rows filed since to moved encounters or documents
        ("added:<table>")."""
        found: dict[str, int] = {}
        survivor = merge.surviving_patient_id
        for name, ids in merge.moved.items():
            table = _TABLES[name]
            still = sum(
                self._count(table, table.c.id.in_(chunk), table.c.patient_id == survivor)
                for chunk in _chunks(ids)
            )
            if still != len(ids):
                found[f"left:{name}"] = len(ids) - still
        encounters = merge.moved.get("encounters", ())
        for table in _ENCOUNTER_PARTS:
            moved_here = set(merge.moved.get(table.name, ()))
            added = (
                self._ids(
                    table,
                    table.c.patient_id == survivor,
                    table.c.encounter_id.in_(list(encounters)),
                )
                if encounters
                else []
            )
            if extra := len(set(added) - moved_here):
                found[f"added:{table.name}"] = extra
        return found

    def _count(self, table: Table, *conditions: Any) -> int:
        return int(
            self._db.execute(
                select(func.count()).select_from(table).where(*conditions)
            ).scalar_one()
        )

    def set_merged_into(self, patient_id: int, into_id: int | None) -> None:
        self._db.execute(
            update(t.patients).where(t.patients.c.id == patient_id).values(merged_into_id=into_id)
        )

    def merged_into(self, patient_ids: Sequence[int]) -> dict[int, int | None]:
        query = select(t.patients.c.id, t.patients.c.merged_into_id).where(
            t.patients.c.id.in_(list(patient_ids))
        )
        return {row.id: row.merged_into_id for row in self._db.execute(query)}

    def merged_into_mrn(self, patient_id: int) -> str | None:
        """The MRN of the patient this one was merged into; None when it was not merged."""
        survivor = aliased(t.patients)
        query = (
            select(survivor.c.mrn)
            .join(t.patients, t.patients.c.merged_into_id == survivor.c.id)
            .where(t.patients.c.id == patient_id)
        )
        return self._db.execute(query).scalar_one_or_none()

    def add(self, merge: PatientMerge) -> PatientMerge:
        row = {
            "surviving_patient_id": merge.surviving_patient_id,
            "merged_patient_id": merge.merged_patient_id,
            "moved": {k: list(v) for k, v in merge.moved.items()},
            "source": merge.source,
            "merged_at": merge.merged_at,
            "merged_by": merge.merged_by,
        }
        new_id = self._db.execute(insert(t.patient_merges).values(row).returning(M.id))
        return PatientMerge(**{**merge.__dict__, "id": new_id.scalar_one()})

    def find(self, merge_id: int) -> PatientMerge | None:
        rows = self._listed(M.id == merge_id)
        return rows[0] if rows else None

    def active_merge(self, merged_id: int) -> PatientMerge | None:
        rows = self._listed(M.merged_patient_id == merged_id, M.undone_at.is_(None))
        return rows[0] if rows else None

    def recent(self, limit: int) -> Sequence[PatientMerge]:
        return self._listed(limit=limit)

    def mark_undone(self, merge_id: int, at: datetime, by: str, reason: str) -> bool:
        """Record the undo unless the merge was undone meanwhile (then False)."""
        done = self._db.execute(
            update(t.patient_merges)
            .where(M.id == merge_id, M.undone_at.is_(None))
            .values(undone_at=at, undone_by=by, undo_reason=reason)
        )
        return done.rowcount == 1

    def _listed(self, *conditions: Any, limit: int | None = None) -> list[PatientMerge]:
        surviving, merged = aliased(t.patients), aliased(t.patients)
        query = (
            select(
                t.patient_merges,
                surviving.c.mrn.label("surviving_mrn"),
                merged.c.mrn.label("merged_mrn"),
            )
            .join(surviving, surviving.c.id == M.surviving_patient_id)
            .join(merged, merged.c.id == M.merged_patient_id)
            .where(*conditions)
            .order_by(M.merged_at.desc(), M.id.desc())
            .limit(limit)
        )
        return [_merge(row._mapping) for row in self._db.execute(query)]


def _merge(m: Any) -> PatientMerge:
    return PatientMerge(
        id=m["id"],
        surviving_patient_id=m["surviving_patient_id"],
        merged_patient_id=m["merged_patient_id"],
        moved={name: tuple(ids) for name, ids in (m["moved"] or {}).items()},
        source=m["source"],
        merged_at=m["merged_at"],
        merged_by=m["merged_by"],
        undone_at=m["undone_at"],
        undone_by=m["undone_by"],
        undo_reason=m["undo_reason"],
        surviving_mrn=m["surviving_mrn"],
        merged_mrn=m["merged_mrn"],
    )
