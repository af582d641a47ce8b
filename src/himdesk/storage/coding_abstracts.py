"""Coding abstracts: the abstract row, its coded diagnoses and procedures, the versions kept
at each final coding and reopening, the coding worklist and the final codings counted by
the productivity report.

The worklist reads a page of encounter ids (oldest discharge first) and then the details of
that page only, in one query; the total is counted with the same conditions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    delete,
    func,
    insert,
    select,
    update,
)

from himdesk.domain.coding.abstract import (
    AbstractEntries,
    AbstractStatus,
    CodedDiagnosis,
    CodedProcedure,
    CodingAbstract,
    CodingVersion,
    DrgOnFile,
    PresentOnAdmission,
)
from himdesk.domain.coding.coding_work import (
    CodingProgress,
    CodingWorkItem,
    FinalCoding,
    WorklistCriteria,
    age_on,
)
from himdesk.domain.records import Clinician
from himdesk.storage import tables as t

# The rule of which encounters are the hospital's own (domain.record_sources.analysed_here):
# those are the encounters it codes and bills; encounters received from elsewhere are not.
from himdesk.storage.chart import _analysed_here

A = t.coding_abstracts.c
DX = t.coded_diagnoses.c
PX = t.coded_procedures.c
V = t.coding_abstract_versions.c
E = t.encounters.c
IN_PROGRESS = AbstractStatus.IN_PROGRESS.value
FINAL = AbstractStatus.FINAL.value


class SqlCodingAbstractRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def find(self, encounter_id: int) -> CodingAbstract | None:
        row = self._db.execute(
            select(t.coding_abstracts).where(A.encounter_id == encounter_id)
        ).first()
        if row is None:
            return None
        return _abstract(row._mapping, self._entries(encounter_id, row.discharge_disposition))

    def find_for_change(self, encounter_id: int) -> CodingAbstract | None:
        """The abstract, with the encounter's row held until the transaction ends, so that
        two coders' changes to one abstract run one after the other on PostgreSQL (SQLite
        write transactions are one at a time already)."""
        self._db.execute(select(E.id).where(E.id == encounter_id).with_for_update())
        return self.find(encounter_id)

    def _entries(self, encounter_id: int, disposition: str | None) -> AbstractEntries:
        diagnoses = self._db.execute(
            select(DX.code, DX.poa).where(DX.encounter_id == encounter_id).order_by(DX.sequence)
        )
        procedures = self._db.execute(
            select(PX.code, PX.performed_on, PX.operator_id)
            .where(PX.encounter_id == encounter_id)
            .order_by(PX.sequence)
        )
        return AbstractEntries(
            tuple(CodedDiagnosis(code, PresentOnAdmission(poa)) for code, poa in diagnoses),
            tuple(CodedProcedure(code, day, operator) for code, day, operator in procedures),
            disposition,
        )

    def add(self, abstract: CodingAbstract) -> None:
        self._db.execute(insert(t.coding_abstracts).values(_header(abstract)))
        self._write_entries(abstract)

    def update(self, abstract: CodingAbstract, expected: AbstractStatus) -> bool:
        """Store the abstract unless its status changed meanwhile from `expected` (False)."""
        values = _header(abstract)
        values.pop("encounter_id")
        changed = self._db.execute(
            update(t.coding_abstracts)
            .where(A.encounter_id == abstract.encounter_id, A.status == expected.value)
            .values(values)
        ).rowcount
        if changed != 1:
            return False
        self._write_entries(abstract)
        return True

    def _write_entries(self, abstract: CodingAbstract) -> None:
        encounter_id = abstract.encounter_id
        self._db.execute(delete(t.coded_diagnoses).where(DX.encounter_id == encounter_id))
        self._db.execute(delete(t.coded_procedures).where(PX.encounter_id == encounter_id))
        diagnoses = [
            {"encounter_id": encounter_id, "sequence": n, "code": d.code, "poa": d.poa.value}
            for n, d in enumerate(abstract.diagnoses, start=1)
        ]
        procedures = [
            {"encounter_id": encounter_id, "sequence": n, "code": p.code,
             "performed_on": p.performed_on, "operator_id": p.operator_id}
            for n, p in enumerate(abstract.procedures, start=1)
        ]  # fmt: skip
        if diagnoses:
            self._db.execute(insert(t.coded_diagnoses), diagnoses)
        if procedures:
            self._db.execute(insert(t.coded_procedures), procedures)

    def add_version(self, version: CodingVersion) -> None:
        snapshot = {**version.snapshot, "event": version.event}
        self._db.execute(
            insert(t.coding_abstract_versions).values(
                encounter_id=version.encounter_id, version=version.number,
                recorded_at=version.recorded_at, recorded_by=version.recorded_by,
                reason=version.reason, snapshot=snapshot,
            )
        )  # fmt: skip

    def versions(self, encounter_id: int) -> Sequence[CodingVersion]:
        rows = self._db.execute(
            select(t.coding_abstract_versions)
            .where(V.encounter_id == encounter_id)
            .order_by(V.version)
        )
        return [
            CodingVersion(r.encounter_id, r.version, str(r.snapshot.get("event", "")),
                          r.recorded_at, r.recorded_by, r.reason, r.snapshot)
            for r in rows
        ]  # fmt: skip

    def worklist(self, criteria: WorklistCriteria) -> tuple[list[CodingWorkItem], int]:
        """A page of discharged encounters not final-coded, oldest discharge first, and how
        many there are in all."""
        conditions = _worklist_conditions(criteria)
        total = self._db.execute(select(func.count()).where(*conditions)).scalar_one()
        page = (
            select(E.id)
            .where(*conditions)
            .order_by(E.discharged_at, E.id)
            .limit(criteria.per_page)
            .offset(criteria.offset)
        )
        ids = list(self._db.execute(page).scalars())
        return self._work_items(ids), int(total)

    def _work_items(self, ids: list[int]) -> list[CodingWorkItem]:
        if not ids:
            return []
        p, c = t.patients.c, t.clinicians.c
        query = (
            select(E.id, E.patient_id, E.account_number, E.encounter_class, E.discharged_at,
                   p.mrn, p.family_name, p.given_name, p.birth_on, p.sex, A.status, A.version,
                   c.given_name.label("doc_given"), c.family_name.label("doc_family"),
                   c.credentials)
            .join(t.patients, p.id == E.patient_id)
            .outerjoin(t.clinicians, c.id == E.attending_id)
            .outerjoin(t.coding_abstracts, A.encounter_id == E.id)
            .where(E.id.in_(ids))
        )  # fmt: skip
        rows = {row.id: row for row in self._db.execute(query)}
        return [_work_item(rows[i]) for i in ids]

    def final_codings(self, start: datetime, end: datetime) -> Sequence[FinalCoding]:
        """Abstracts final-coded at or after `start` and before `end`, as they stand now."""
        query = (
            select(A.finalized_at, E.encounter_class, A.finalized_by)
            .join(t.encounters, E.id == A.encounter_id)
            .where(A.status == AbstractStatus.FINAL.value)
            .where(A.finalized_at >= start, A.finalized_at < end)
        )
        return [FinalCoding(at, kind, by) for at, kind, by in self._db.execute(query)]


def _worklist_conditions(criteria: WorklistCriteria) -> list[ColumnElement[bool]]:
    # Abstracts are matched with IN / NOT IN over their encounter ids, which PostgreSQL runs
    # as a hashed subplan: one pass over the abstracts, however wrong its row estimates are
    # (a nested loop chosen on stale statistics took seconds at 10,000 encounters).
    conditions: list[ColumnElement[bool]] = [
        E.discharged_at.is_not(None),
        E.id.not_in(_abstracts(A.status == FINAL)),
    ]
    conditions.append(_analysed_here())
    if criteria.encounter_class is not None:
        conditions.append(E.encounter_class == criteria.encounter_class.value)
    if criteria.progress is CodingProgress.NOT_STARTED:
        conditions.append(E.id.not_in(_abstracts()))
    elif criteria.progress is CodingProgress.IN_PROGRESS:
        conditions.append(E.id.in_(_abstracts(A.status == IN_PROGRESS, A.version == 0)))
    elif criteria.progress is CodingProgress.REOPENED:
        conditions.append(E.id.in_(_abstracts(A.status == IN_PROGRESS, A.version > 0)))
    return conditions


def _abstracts(*conditions: ColumnElement[bool]) -> Select[tuple[int]]:
    return select(A.encounter_id).where(*conditions)


def _header(abstract: CodingAbstract) -> dict[str, Any]:
    return {
        "encounter_id": abstract.encounter_id,
        "status": abstract.status.value,
        "version": abstract.version,
        "discharge_disposition": abstract.entries.discharge_disposition,
        "code_set_year": abstract.code_set_year,
        "drg": abstract.drg.drg,
        "drg_version": abstract.drg.grouper_version,
        "drg_weight": abstract.drg.weight,
        "started_at": abstract.started_at,
        "started_by": abstract.started_by,
        "updated_at": abstract.updated_at,
        "updated_by": abstract.updated_by,
        "finalized_at": abstract.finalized_at,
        "finalized_by": abstract.finalized_by,
    }


def _abstract(row: Any, entries: AbstractEntries) -> CodingAbstract:
    return CodingAbstract(
        encounter_id=row["encounter_id"],
        entries=entries,
        started_at=row["started_at"],
        started_by=row["started_by"],
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
        status=AbstractStatus(row["status"]),
        version=row["version"],
        code_set_year=row["code_set_year"],
        drg=DrgOnFile(row["drg"], row["drg_version"], row["drg_weight"]),
        finalized_at=row["finalized_at"],
        finalized_by=row["finalized_by"],
    )


def _progress(status: str | None, version: int | None) -> CodingProgress:
    if status is None:
        return CodingProgress.NOT_STARTED
    return CodingProgress.REOPENED if (version or 0) > 0 else CodingProgress.IN_PROGRESS


def _work_item(row: Any) -> CodingWorkItem:
    discharged: datetime = row.discharged_at
    return CodingWorkItem(
        encounter_id=row.id,
        patient_id=row.patient_id,
        mrn=row.mrn,
        patient_name=f"{row.family_name}, {row.given_name}",
        account_number=row.account_number,
        encounter_class=row.encounter_class,
        age_at_discharge=age_on(row.birth_on, discharged.date()),
        sex=row.sex,
        attending=_clinician_name(row.doc_given, row.doc_family, row.credentials),
        discharged_at=discharged,
        progress=_progress(row.status, row.version),
    )


def _clinician_name(given: str | None, family: str | None, credentials: str | None) -> str:
    if family is None:
        return ""
    return Clinician(0, "", family, given or "", credentials or "", "").display_name
