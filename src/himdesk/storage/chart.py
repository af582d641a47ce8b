"""Chart repository: encounters, documents, results, problems, procedures, meds, allergies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Table, exists, insert, not_, or_, select, update

from himdesk.domain.completeness import EncounterRecord
from himdesk.domain.import_records import PartKind
from himdesk.domain.record_sources import HL7V2_PREFIX, ReceivedPart
from himdesk.domain.records import (
    Allergy,
    ClinicalDocument,
    Diagnosis,
    DocumentStatus,
    DocumentType,
    Encounter,
    Medication,
    Observation,
    Procedure,
)
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.services.ports import DocumentHeader, PatientsById
from himdesk.storage import tables as t
from himdesk.storage.encounter_records import load_encounter_records
from himdesk.storage.record_rows import build_record, build_records, record_row

T = TypeVar("T")


class SqlChartRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def _list(self, cls: type[T], table: Table, patient_id: int, order: Any) -> list[T]:
        query = select(table).where(table.c.patient_id == patient_id).order_by(order, table.c.id)
        return [build_record(cls, table, r._mapping) for r in self._db.execute(query)]

    def _add(self, table: Table, item: T) -> T:
        new_id = self._db.execute(insert(table).values(record_row(item)).returning(table.c.id))
        item.id = new_id.scalar_one()  # type: ignore[attr-defined]
        return item

    def encounters(self, patient_id: int) -> Sequence[Encounter]:
        return self._list(Encounter, t.encounters, patient_id, t.encounters.c.admitted_at.desc())

    def encounter(self, encounter_id: int) -> Encounter | None:
        row = self._db.execute(
            select(t.encounters).where(t.encounters.c.id == encounter_id)
        ).first()
        return build_record(Encounter, t.encounters, row._mapping) if row else None

    def document_headers(self, patient_id: int) -> Sequence[DocumentHeader]:
        d = t.documents.c
        query = (
            select(d.id, d.encounter_id, d.document_type, d.title, d.authored_at, d.author_id,
                   d.status, d.signed_at, d.version, d.sensitivity)
            .where(d.patient_id == patient_id)
            .order_by(d.authored_at.desc(), d.id)
        )  # fmt: skip
        return [
            DocumentHeader(r.id, r.encounter_id, DocumentType(r.document_type), r.title,
                           r.authored_at, r.author_id, DocumentStatus(r.status), r.signed_at,
                           r.version, SensitiveCategory(r.sensitivity) if r.sensitivity else None)
            for r in self._db.execute(query)
        ]  # fmt: skip

    def discharged_encounters(
        self, encounter_id: int | None = None, *, after: int = 0, limit: int | None = None
    ) -> Sequence[Encounter]:
        e = t.encounters.c
        query = select(t.encounters).where(e.discharged_at.is_not(None), e.id > after)
        query = query.where(_analysed_here())
        if encounter_id is not None:
            query = query.where(e.id == encounter_id)
        query = query.limit(limit)
        return list(build_records(Encounter, t.encounters, self._db.execute(query.order_by(e.id))))

    def received_parts(self, patient_id: int) -> Sequence[ReceivedPart]:
        """Every part of the chart an import wrote, with its sender: one query per chart."""
        s = t.source_links.c
        kinds = [k.value for k in PartKind if k not in (PartKind.PATIENT, PartKind.CLINICIAN)]
        query = select(s.entity_type, s.entity_id, s.source_system).where(
            s.patient_id == patient_id, s.entity_type.in_(kinds)
        )
        return list(map(ReceivedPart._make, self._db.execute(query.order_by(s.id))))

    def senders_of(self, kind: PartKind, entity_id: int) -> Sequence[str]:
        s = t.source_links.c
        query = select(s.source_system).where(s.entity_type == kind.value, s.entity_id == entity_id)
        return list(self._db.execute(query.order_by(s.id)).scalars())

    def encounter_documents(self, encounter_id: int) -> Sequence[ClinicalDocument]:
        d = t.documents
        query = select(d).where(d.c.encounter_id == encounter_id).order_by(d.c.authored_at)
        return [build_record(ClinicalDocument, d, r._mapping) for r in self._db.execute(query)]

    def encounter_records(
        self, encounters: Sequence[Encounter], patients: PatientsById
    ) -> list[EncounterRecord]:
        return load_encounter_records(self._db, encounters, patients)

    def encounter_procedures(self, encounter_id: int) -> Sequence[Procedure]:
        p = t.procedures
        query = select(p).where(p.c.encounter_id == encounter_id).order_by(p.c.performed_at)
        return [build_record(Procedure, p, r._mapping) for r in self._db.execute(query)]

    def document(self, document_id: int) -> ClinicalDocument | None:
        row = self._db.execute(select(t.documents).where(t.documents.c.id == document_id)).first()
        return build_record(ClinicalDocument, t.documents, row._mapping) if row else None

    def update_document(self, document: ClinicalDocument) -> None:
        row = record_row(document)
        self._db.execute(update(t.documents).where(t.documents.c.id == document.id).values(row))

    def observations(self, patient_id: int) -> Sequence[Observation]:
        return self._list(Observation, t.observations, patient_id, t.observations.c.observed_at)

    def diagnoses(self, patient_id: int) -> Sequence[Diagnosis]:
        return self._list(Diagnosis, t.diagnoses, patient_id, t.diagnoses.c.documented_at.desc())

    def procedures(self, patient_id: int) -> Sequence[Procedure]:
        return self._list(Procedure, t.procedures, patient_id, t.procedures.c.performed_at.desc())

    def medications(self, patient_id: int) -> Sequence[Medication]:
        return self._list(Medication, t.medications, patient_id, t.medications.c.started_on.desc())

    def allergies(self, patient_id: int) -> Sequence[Allergy]:
        return self._list(Allergy, t.allergies, patient_id, t.allergies.c.recorded_on)

    def add_encounter(self, encounter: Encounter) -> Encounter:
        return self._add(t.encounters, encounter)

    def add_document(self, document: ClinicalDocument) -> ClinicalDocument:
        return self._add(t.documents, document)

    def add_observation(self, observation: Observation) -> Observation:
        return self._add(t.observations, observation)

    def add_diagnosis(self, diagnosis: Diagnosis) -> Diagnosis:
        return self._add(t.diagnoses, diagnosis)

    def add_procedure(self, procedure: Procedure) -> Procedure:
        return self._add(t.procedures, procedure)

    def add_medication(self, medication: Medication) -> Medication:
        return self._add(t.medications, medication)

    def add_allergy(self, allergy: Allergy) -> Allergy:
        return self._add(t.allergies, allergy)


def _analysed_here() -> ColumnElement[bool]:
    """SQL for domain.record_sources.analysed_here: no source link, or one from the hospital's
    HL7 v2 feed. Encounters received from other organisations are filed, not analysed."""
    s = t.source_links.c
    linked = (s.entity_type == PartKind.ENCOUNTER.value) & (s.entity_id == t.encounters.c.id)
    fed = s.source_system.startswith(HL7V2_PREFIX)
    return or_(~exists().where(linked, not_(fed)), exists().where(linked, fed))
