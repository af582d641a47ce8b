"""Patient repository: demographics with the SSN encrypted, and name-search candidates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from himdesk.domain.names import normalize_name, sound_key
from himdesk.domain.records import Address, AdministrativeSex, Patient
from himdesk.services.errors import NotFound
from himdesk.services.ports import NameCriteria, PatientCandidate
from himdesk.storage.crypto import FieldCipher
from himdesk.storage.tables import patient_names, patients

SSN_CONTEXT = b"patient.ssn"
_CANDIDATE_COLUMNS = (
    patients.c.id,
    patients.c.mrn,
    patients.c.family_name,
    patients.c.given_name,
    patients.c.middle_name,
    patients.c.birth_on,
    patients.c.sex,
    patients.c.family_norm,
    patients.c.given_norm,
)
# A patient merged into another (HL7 A40) is found through the survivor, never on its own.
_NOT_MERGED = patients.c.merged_into_id.is_(None)
# Built once, values as parameters: imports register and read patients message by message.
_ADD = insert(patients).returning(patients.c.id)
_GET_MANY = select(patients).where(patients.c.id.in_(bindparam("ids", expanding=True)))
_REMEMBER_NAMES = {
    "postgresql": postgresql.insert(patient_names).on_conflict_do_nothing(),
    "sqlite": sqlite.insert(patient_names).on_conflict_do_nothing(),
}


def patient_row(patient: Patient, cipher: FieldCipher) -> dict[str, Any]:
    """The row for a patient; shared by the repository and the bulk loader."""
    return {
        "facility": patient.facility,
        "mrn": patient.mrn,
        "family_name": patient.family_name,
        "given_name": patient.given_name,
        "middle_name": patient.middle_name,
        "family_norm": normalize_name(patient.family_name),
        "given_norm": normalize_name(patient.given_name),
        "family_sound": sound_key(patient.family_name),
        "given_sound": sound_key(patient.given_name),
        "birth_on": patient.birth_on,
        "sex": patient.sex.value,
        "address_line": patient.address.line,
        "city": patient.address.city,
        "state": patient.address.state,
        "postal_code": patient.address.postal_code,
        "phone": patient.phone,
        "ssn_encrypted": cipher.encrypt(patient.ssn, SSN_CONTEXT) if patient.ssn else None,
        "version": patient.version,
    }


def remember_names(connection: Connection, norms: set[str]) -> None:
    """Add family names to the list that typo-tolerant search compares against."""
    if not norms:
        return
    rows = [{"norm": n} for n in norms]
    dialect = "postgresql" if connection.dialect.name == "postgresql" else "sqlite"
    connection.execute(_REMEMBER_NAMES[dialect], rows)


class SqlPatientRepository:
    def __init__(self, connection: Connection, cipher: FieldCipher) -> None:
        self._db = connection
        self._cipher = cipher

    def add(self, patient: Patient) -> Patient:
        row = patient_row(patient, self._cipher)
        patient.id = self._db.execute(_ADD, row).scalar_one()
        remember_names(self._db, {row["family_norm"]})
        return patient

    def get(self, patient_id: int) -> Patient:
        row = self._db.execute(select(patients).where(patients.c.id == patient_id)).one_or_none()
        if row is None:
            raise NotFound("patient", patient_id)
        return self._to_patient(row)

    def get_many(self, patient_ids: set[int]) -> dict[int, Patient]:
        if not patient_ids:
            return {}
        rows = self._db.execute(_GET_MANY, {"ids": sorted(patient_ids)})
        return {row.id: self._to_patient(row) for row in rows}

    def mrns_of(self, patient_ids: set[int]) -> dict[int, str]:
        if not patient_ids:
            return {}
        query = select(patients.c.id, patients.c.mrn).where(patients.c.id.in_(sorted(patient_ids)))
        return {row.id: row.mrn for row in self._db.execute(query)}

    def find_by_mrn(self, mrn: str) -> Patient | None:
        row = self._db.execute(select(patients).where(patients.c.mrn == mrn)).first()
        return self._to_patient(row) if row else None

    def update(self, patient: Patient) -> None:
        row = patient_row(patient, self._cipher)
        del row["facility"], row["mrn"]
        self._db.execute(update(patients).where(patients.c.id == patient.id).values(row))
        remember_names(self._db, {row["family_norm"]})

    def candidates_by_mrn(self, mrn: str) -> Sequence[PatientCandidate]:
        query = select(*_CANDIDATE_COLUMNS).where(patients.c.mrn == mrn, _NOT_MERGED)
        return [PatientCandidate(*r) for r in self._db.execute(query)]

    def candidates_by_name(
        self, family: NameCriteria, near_spellings: Sequence[str], birth_on: date | None, limit: int
    ) -> Sequence[PatientCandidate]:
        # A range rather than LIKE so both SQLite and PostgreSQL use the b-tree index.
        prefix = patients.c.family_norm.between(family.norm, family.norm + "\x7f")
        conditions = [prefix, patients.c.family_sound == family.sound]
        if near_spellings:
            conditions.append(patients.c.family_norm.in_(list(near_spellings)))
        query = select(*_CANDIDATE_COLUMNS).where(or_(*conditions), _NOT_MERGED)
        if birth_on is not None:
            query = query.where(patients.c.birth_on == birth_on)
        return [PatientCandidate(*r) for r in self._db.execute(query.limit(limit))]

    def candidates_by_birth_date(self, birth_on: date, limit: int) -> Sequence[PatientCandidate]:
        query = select(*_CANDIDATE_COLUMNS).where(patients.c.birth_on == birth_on, _NOT_MERGED)
        query = query.limit(limit)
        return [PatientCandidate(*r) for r in self._db.execute(query)]

    def known_names(self) -> Sequence[str]:
        return list(self._db.execute(select(patient_names.c.norm)).scalars())

    def _to_patient(self, row: Row[Any]) -> Patient:
        m = row._mapping
        ssn = self._cipher.decrypt(m["ssn_encrypted"], SSN_CONTEXT) if m["ssn_encrypted"] else ""
        return Patient(
            id=m["id"],
            facility=m["facility"],
            mrn=m["mrn"],
            family_name=m["family_name"],
            given_name=m["given_name"],
            middle_name=m["middle_name"],
            birth_on=m["birth_on"],
            sex=AdministrativeSex(m["sex"]),
            address=Address(m["address_line"], m["city"], m["state"], m["postal_code"]),
            phone=m["phone"],
            ssn=ssn,
            version=m["version"],
        )
