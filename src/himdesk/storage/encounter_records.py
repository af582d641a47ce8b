"""Everything chart analysis reads about many encounters, in a few queries per batch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, select

from himdesk.domain.completeness import EncounterRecord
from himdesk.domain.records import (
    Allergy,
    ClinicalDocument,
    Diagnosis,
    Encounter,
    Medication,
    Observation,
    Patient,
    Procedure,
)
from himdesk.storage import tables as t
from himdesk.storage.record_rows import build_record

T = TypeVar("T")


def load_encounter_records(
    db: Connection,
    encounters: Sequence[Encounter],
    patients_of: Callable[[set[int]], dict[int, Patient]],
) -> list[EncounterRecord]:
    """One EncounterRecord per encounter, in the given order."""
    encounter_ids = sorted({e.id for e in encounters if e.id is not None})
    patient_ids = {e.patient_id for e in encounters}
    patients = patients_of(patient_ids)
    documents = _grouped(db, ClinicalDocument, t.documents, encounter_ids)
    procedures = _grouped(db, Procedure, t.procedures, encounter_ids)
    diagnoses = _grouped(db, Diagnosis, t.diagnoses, encounter_ids)
    medications = _grouped(db, Medication, t.medications, encounter_ids)
    observations = _by_patient(db, Observation, t.observations, patient_ids)
    allergies = _by_patient(db, Allergy, t.allergies, patient_ids)
    records = []
    for e in encounters:
        results = [o for o in observations.get(e.patient_id, []) if o.encounter_id == e.id]
        assert e.id is not None  # noqa: S101 - stored encounters have ids
        records.append(
            EncounterRecord(
                patient=patients[e.patient_id],
                encounter=e,
                documents=documents.get(e.id, []),
                procedures=procedures.get(e.id, []),
                observations=results,
                diagnoses=diagnoses.get(e.id, []),
                medications=medications.get(e.id, []),
                allergies=allergies.get(e.patient_id, []),
            )
        )  # fmt: skip
    return records


def _order(table: Table) -> Any:
    for name in ("authored_at", "performed_at", "documented_at", "observed_at", "started_on"):
        if name in table.c:
            return table.c[name]
    return table.c.id


def _grouped(db: Connection, cls: type[T], table: Table, ids: list[int]) -> dict[int, list[T]]:
    found: dict[int, list[T]] = defaultdict(list)
    if ids:
        query = select(table).where(table.c.encounter_id.in_(ids))
        for row in db.execute(query.order_by(_order(table), table.c.id)):
            found[row.encounter_id].append(build_record(cls, table, row._mapping))
    return found


def _by_patient(db: Connection, cls: type[T], table: Table, ids: set[int]) -> dict[int, list[T]]:
    found: dict[int, list[T]] = defaultdict(list)
    if ids:
        query = select(table).where(table.c.patient_id.in_(sorted(ids)))
        for row in db.execute(query.order_by(_order(table), table.c.id)):
            found[row.patient_id].append(build_record(cls, table, row._mapping))
    return found
