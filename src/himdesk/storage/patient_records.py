"""Whole patient records for export and `$everything`: a few queries per batch of patients."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import Protocol, TypeVar

from sqlalchemy import Connection, Table, select

from himdesk.domain.incoming import IdentifierKind, PatientIdentifier
from himdesk.domain.patient_record import PatientRecord
from himdesk.domain.records import (
    Allergy,
    ClinicalDocument,
    Diagnosis,
    Encounter,
    Medication,
    Observation,
    Procedure,
)
from himdesk.services.errors import NotFound
from himdesk.storage import tables as t
from himdesk.storage.accounts import SqlClinicianRepository
from himdesk.storage.crypto import FieldCipher
from himdesk.storage.patients import SqlPatientRepository
from himdesk.storage.record_rows import build_records

# Patients per query: well under SQLite's bound-parameter limit.
BATCH = 500


class _OfPatient(Protocol):
    patient_id: int


R = TypeVar("R", bound=_OfPatient)


class SqlPatientRecordRepository:
    def __init__(self, connection: Connection, cipher: FieldCipher) -> None:
        self._db = connection
        self._patients = SqlPatientRepository(connection, cipher)
        self._clinicians = SqlClinicianRepository(connection)

    def whole_record(self, patient_id: int) -> PatientRecord:
        records = self.whole_records([patient_id])
        if not records:
            raise NotFound("patient", patient_id)
        return records[0]

    def whole_records(self, patient_ids: Sequence[int]) -> list[PatientRecord]:
        """The records of the patients that exist, in the order asked for."""
        found: list[PatientRecord] = []
        for start in range(0, len(patient_ids), BATCH):
            found.extend(self._batch(patient_ids[start : start + BATCH]))
        return found

    def _batch(self, patient_ids: Sequence[int]) -> list[PatientRecord]:
        ids = sorted(set(patient_ids))
        patients = self._patients.get_many(set(ids))
        encounters = self._rows(Encounter, t.encounters, ids, "admitted_at")
        documents = self._rows(ClinicalDocument, t.documents, ids, "authored_at")
        observations = self._rows(Observation, t.observations, ids, "observed_at")
        diagnoses = self._rows(Diagnosis, t.diagnoses, ids, "documented_at")
        procedures = self._rows(Procedure, t.procedures, ids, "performed_at")
        medications = self._rows(Medication, t.medications, ids, "started_on")
        allergies = self._rows(Allergy, t.allergies, ids, "recorded_on")
        identifiers = self.identifiers_of(ids)
        everyone: list[Sequence[object]] = [*encounters.values(), *documents.values()]
        everyone += [*diagnoses.values(), *procedures.values()]
        clinicians = self._clinicians.get_many(_clinician_ids(everyone))
        records = []
        for pid in dict.fromkeys(patient_ids):
            if pid not in patients:
                continue
            mine: list[Sequence[object]] = [encounters.get(pid, []), documents.get(pid, [])]
            mine += [diagnoses.get(pid, []), procedures.get(pid, [])]
            records.append(
                PatientRecord(
                    patient=patients[pid],
                    identifiers=tuple(identifiers.get(pid, ())),
                    encounters=tuple(encounters.get(pid, ())),
                    documents=tuple(documents.get(pid, ())),
                    observations=tuple(observations.get(pid, ())),
                    diagnoses=tuple(diagnoses.get(pid, ())),
                    procedures=tuple(procedures.get(pid, ())),
                    medications=tuple(medications.get(pid, ())),
                    allergies=tuple(allergies.get(pid, ())),
                    clinicians=tuple(
                        clinicians[c] for c in sorted(_clinician_ids(mine)) if c in clinicians
                    ),  # fmt: skip
                )
            )
        return records

    def _rows(self, cls: type[R], table: Table, ids: list[int], order: str) -> dict[int, list[R]]:
        query = (
            select(table)
            .where(table.c.patient_id.in_(ids))
            .order_by(table.c.patient_id, table.c[order], table.c.id)
        )
        grouped: dict[int, list[R]] = defaultdict(list)
        for item in build_records(cls, table, self._db.execute(query)):
            grouped[item.patient_id].append(item)
        return grouped

    def identifiers_of(self, ids: Collection[int]) -> dict[int, list[PatientIdentifier]]:
        """Identifiers other systems know the patients by. SSN rows hold only a keyed digest
        (for matching), never the number, so they are left out: the SSN is on the patient."""
        i = t.patient_identifiers.c
        query = (
            select(i.patient_id, i.kind, i.system, i.value)
            .where(i.patient_id.in_(sorted(ids)), i.kind != IdentifierKind.SSN.value)
            .order_by(i.patient_id, i.id)
        )
        found: dict[int, list[PatientIdentifier]] = defaultdict(list)
        for pid, kind, system, value in self._db.execute(query):
            found[pid].append(PatientIdentifier(_kind(kind), system, value))
        return found


def _kind(value: str) -> IdentifierKind:
    try:
        return IdentifierKind(value)
    except ValueError:
        return IdentifierKind.OTHER


_CLINICIAN_FIELDS = (
    "attending_id",
    "author_id",
    "signed_by_id",
    "cosigned_by_id",
    "documented_by_id",
    "performed_by_id",
)


def _clinician_ids(groups: Iterable[Sequence[object]]) -> set[int]:
    """Every clinician the parts refer to (attendings, authors, signers, performers)."""
    ids: set[int] = set()
    for items in groups:
        for item in items:
            for name in _CLINICIAN_FIELDS:
                value = getattr(item, name, None)
                if value is not None:
                    ids.add(value)
    return ids
