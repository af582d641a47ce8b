"""Searches of the record for the FHIR API: criteria to SQL, a page at a time, in id order.

Charts marked VIP or employee and documents with a sensitivity label are never in results:
they open only with a stated reason, which no search can carry. Patients merged into another
are not found either (their rows moved to the surviving chart).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Connection, Select, Table, and_, false, func, or_, select

from himdesk.domain.names import normalize_name
from himdesk.domain.record_search import (
    IdentifierMatch,
    NameMatch,
    Page,
    RecordCriteria,
    RecordKind,
    TimeRange,
)
from himdesk.domain.records import (
    Allergy,
    ClinicalDocument,
    Diagnosis,
    Encounter,
    Medication,
    Observation,
    Procedure,
)
from himdesk.domain.restrictions import PATIENT_LEVEL
from himdesk.services.ports import Found
from himdesk.storage import tables as t
from himdesk.storage.accounts import SqlClinicianRepository
from himdesk.storage.crypto import FieldCipher
from himdesk.storage.patients import SqlPatientRepository
from himdesk.storage.record_rows import build_records

# kind -> (table, record class, the part's main time: what `date` searches)
PARTS: dict[RecordKind, tuple[Table, type, str]] = {
    RecordKind.ENCOUNTER: (t.encounters, Encounter, "admitted_at"),
    RecordKind.DIAGNOSIS: (t.diagnoses, Diagnosis, "documented_at"),
    RecordKind.PROCEDURE: (t.procedures, Procedure, "performed_at"),
    RecordKind.OBSERVATION: (t.observations, Observation, "observed_at"),
    RecordKind.MEDICATION: (t.medications, Medication, "started_on"),
    RecordKind.ALLERGY: (t.allergies, Allergy, "recorded_on"),
    RecordKind.DOCUMENT: (t.documents, ClinicalDocument, "authored_at"),
}


def _restricted_patients() -> Select[Any]:
    r = t.patient_restrictions.c
    return select(r.patient_id).where(r.category.in_([c.value for c in PATIENT_LEVEL]))


class SqlRecordSearchRepository:
    def __init__(self, connection: Connection, cipher: FieldCipher) -> None:
        self._db = connection
        self._patients = SqlPatientRepository(connection, cipher)
        self._clinicians = SqlClinicianRepository(connection)

    def patients(self, criteria: RecordCriteria, page: Page) -> Found:
        p = t.patients.c
        # A patient merged into another is an empty chart: the survivor is the one to find.
        where = [p.id.not_in(_restricted_patients()), p.merged_into_id.is_(None)]
        where += _patient_conditions(criteria)
        total, ids = self._page(t.patients, where, page)
        found = self._patients.get_many(set(ids))
        return Found(total, [found[i] for i in ids if i in found])

    def parts(self, kind: RecordKind, criteria: RecordCriteria, page: Page) -> Found:
        table, cls, time_column = PARTS[kind]
        c = table.c
        where = [c.patient_id.not_in(_restricted_patients())]
        where += _part_conditions(table, time_column, criteria)
        if kind is RecordKind.DOCUMENT:
            where.append(c.sensitivity.is_(None))
        total, ids = self._page(table, where, page)
        if not ids:
            return Found(total, [])
        rows = self._db.execute(select(table).where(c.id.in_(ids)).order_by(c.id))
        return Found(total, list(build_records(cls, table, rows)))

    def part(self, kind: RecordKind, part_id: int) -> Any | None:
        """One part by id, whatever its patient (the service checks access to the patient)."""
        if kind is RecordKind.CLINICIAN:
            return self._clinicians.get_many({part_id}).get(part_id)
        table, cls, _ = PARTS[kind]
        rows = self._db.execute(select(table).where(table.c.id == part_id))
        return next(build_records(cls, table, rows), None)

    def facilities(self, patient_ids: set[int]) -> dict[int, str]:
        if not patient_ids:
            return {}
        p = t.patients.c
        rows = self._db.execute(select(p.id, p.facility).where(p.id.in_(sorted(patient_ids))))
        return {row.id: row.facility for row in rows}

    def principal_diagnoses(self, encounter_ids: set[int]) -> dict[int, int]:
        if not encounter_ids:
            return {}
        d = t.diagnoses.c
        query = select(d.encounter_id, d.id).where(
            d.encounter_id.in_(sorted(encounter_ids)), d.is_principal.is_(True)
        )
        return {row.encounter_id: row.id for row in self._db.execute(query)}

    def _page(self, table: Table, where: Sequence[Any], page: Page) -> tuple[int, list[int]]:
        total = self._db.execute(select(func.count()).select_from(table).where(*where))
        query = select(table.c.id).where(*where).order_by(table.c.id)
        ids = self._db.execute(query.limit(page.limit).offset(page.offset)).scalars()
        return int(total.scalar_one()), list(ids)


def _patient_conditions(criteria: RecordCriteria) -> list[Any]:
    p = t.patients.c
    where: list[Any] = []
    if criteria.ids:
        where.append(p.id.in_(criteria.ids))
    if criteria.patient_id is not None:
        where.append(p.id == criteria.patient_id)
    if criteria.identifiers:
        where.append(or_(*(_patient_identifier(i) for i in criteria.identifiers)))
    for alternatives in criteria.names:
        where.append(or_(*(_name(n) for n in alternatives)))
    where += [_within(p.birth_on, r, is_date=True) for r in criteria.birth]
    if criteria.sex:
        where.append(p.sex == criteria.sex)
    return where


def _patient_identifier(match: IdentifierMatch) -> Any:
    p, i = t.patients.c, t.patient_identifiers.c
    hospital = p.mrn == match.value
    if match.facility is not None:
        return and_(hospital, p.facility == match.facility)
    other = select(i.patient_id).where(i.value == match.value, i.kind != "SS")
    if match.system is not None:
        return p.id.in_(other.where(i.system == match.system))
    return or_(hospital, p.id.in_(other))


def _name(match: NameMatch) -> Any:
    norm = normalize_name(match.text)
    if not norm:
        return false()
    columns = (t.patients.c.family_norm, t.patients.c.given_norm)
    if match.exact:
        return or_(*(c == norm for c in columns))
    if match.contains:
        return or_(*(c.contains(norm, autoescape=True) for c in columns))
    # A range rather than LIKE so both SQLite and PostgreSQL use the b-tree index.
    return or_(*(c.between(norm, norm + "\x7f") for c in columns))


def _part_conditions(table: Table, time_column: str, criteria: RecordCriteria) -> list[Any]:
    c = table.c
    where: list[Any] = []
    if criteria.ids:
        where.append(c.id.in_(criteria.ids))
    if criteria.patient_id is not None:
        where.append(c.patient_id == criteria.patient_id)
    is_date = time_column.endswith("_on")
    where += [_within(c[time_column], r, is_date=is_date) for r in criteria.when]
    if criteria.codes and "code" in c:
        where.append(or_(*(_code(c.code, c.code_system, m) for m in criteria.codes)))
    elif criteria.codes:
        where.append(false())
    if criteria.identifiers and "account_number" in c:
        where.append(or_(*(c.account_number == i.value for i in criteria.identifiers)))
    elif criteria.identifiers:
        where.append(false())
    return where


def _code(code: Column[Any], system: Column[Any], match: Any) -> Any:
    if match.systems is None:
        return code == match.code
    return and_(code == match.code, system.in_(match.systems))


def _within(column: Column[Any], bounds: TimeRange, *, is_date: bool) -> Any:
    def edge(moment: datetime) -> date | datetime:
        return moment.date() if is_date else moment

    conditions = []
    if bounds.start is not None:
        conditions.append(column >= edge(bounds.start))
    if bounds.end is not None:
        conditions.append(column < edge(bounds.end))
    return and_(*conditions) if conditions else and_(True)
