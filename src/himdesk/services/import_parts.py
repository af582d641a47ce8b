"""Incoming parts as record parts: references resolved, display text fitted to the record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from himdesk.domain.import_records import PartKind
from himdesk.domain.incoming import (
    IncomingAllergy,
    IncomingDiagnosis,
    IncomingDocument,
    IncomingMedication,
    IncomingObservation,
    IncomingProcedure,
    SourceRef,
    shortened,
)
from himdesk.domain.records import (
    Allergy,
    ClinicalDocument,
    Diagnosis,
    DocumentStatus,
    Medication,
    Observation,
    Procedure,
)

EncounterOf = Callable[[str, SourceRef | None, int], int | None]
ClinicianOf = Callable[[str, SourceRef | None], int | None]


@dataclass
class PartContext:
    """The chart a part belongs to, and how its references become ids (or a rejection).

    `place` is the part being built: (chart index, kind, number in its list, its source),
    spelled out as `where` only when a reference fails.
    """

    patient_id: int
    encounter_of: EncounterOf
    clinician_of: ClinicianOf
    place: tuple[int, str, int, SourceRef] | None = None

    @property
    def where(self) -> str:
        if self.place is None:
            return ""
        index, kind, number, source = self.place
        return f"chart {index + 1}, {kind} {number} ({source})"

    def encounter(self, ref: SourceRef | None) -> int | None:
        if ref is None:
            return None
        return self.encounter_of(f"{self.where} encounter", ref, self.patient_id)

    def clinician(self, ref: SourceRef | None, role: str) -> int | None:
        if ref is None:
            return None
        return self.clinician_of(f"{self.where} {role}", ref)


def document(part: IncomingDocument, at: PartContext) -> ClinicalDocument:
    signed = part.status is not DocumentStatus.DRAFT
    author_id = at.clinician(part.author, "author")
    # A sender that calls a document signed without saying by whom: signed by its author.
    signer_id = at.clinician(part.signed_by, "signer") if part.signed_by else author_id
    return ClinicalDocument(
        patient_id=at.patient_id,
        encounter_id=at.encounter(part.encounter),
        document_type=part.document_type,
        author_id=author_id,
        authored_at=part.authored_at,
        title=shortened(part.title, 200) or part.document_type.label,
        text=part.text,
        status=part.status,
        signed_by_id=signer_id if signed else None,
        # A sender that calls a document signed without saying when: signed as written.
        signed_at=(part.signed_at or part.authored_at) if signed else None,
        requires_cosignature=part.requires_cosignature,
        cosigned_by_id=at.clinician(part.cosigned_by, "co-signer"),
        cosigned_at=part.cosigned_at,
        sensitivity=part.sensitivity,
        type_code=part.type_code.strip(),
    )


def observation(part: IncomingObservation, at: PartContext) -> Observation:
    return Observation(
        patient_id=at.patient_id,
        encounter_id=at.encounter(part.encounter),
        code=part.code.strip(),
        display=shortened(part.display, 120),
        value=part.value,
        unit=part.unit.strip(),
        observed_at=part.observed_at,
        reference_low=part.reference_low,
        reference_high=part.reference_high,
        flag=part.flag,
        code_system=part.code_system.strip(),
    )


def diagnosis(part: IncomingDiagnosis, at: PartContext) -> Diagnosis:
    return Diagnosis(
        patient_id=at.patient_id,
        encounter_id=at.encounter(part.encounter),
        description=shortened(part.description, 200),
        documented_by_id=at.clinician(part.documented_by, "documented by"),
        documented_at=part.documented_at,
        is_principal=part.is_principal,
        laterality=part.laterality.strip(),
        code=part.code.strip(),
        code_system=part.code_system.strip(),
    )


def procedure(part: IncomingProcedure, at: PartContext) -> Procedure:
    return Procedure(
        patient_id=at.patient_id,
        encounter_id=at.encounter(part.encounter),
        description=shortened(part.description, 200),
        performed_by_id=at.clinician(part.performed_by, "performer"),
        performed_at=part.performed_at,
        laterality=part.laterality.strip(),
        tissue_removed=part.tissue_removed,
        code=part.code.strip(),
        code_system=part.code_system.strip(),
    )


def medication(part: IncomingMedication, at: PartContext) -> Medication:
    return Medication(
        patient_id=at.patient_id,
        encounter_id=at.encounter(part.encounter),
        name=shortened(part.name, 120),
        dose=part.dose.strip(),
        route=part.route.strip(),
        frequency=part.frequency.strip(),
        started_on=part.started_on,
        ended_on=part.ended_on,
        code=part.code.strip(),
        code_system=part.code_system.strip(),
    )


def allergy(part: IncomingAllergy, at: PartContext) -> Allergy:
    return Allergy(
        patient_id=at.patient_id,
        substance=shortened(part.substance, 120),
        reaction=shortened(part.reaction, 120),
        severity=part.severity.strip(),
        recorded_on=part.recorded_on,
        code=part.code.strip(),
        code_system=part.code_system.strip(),
    )


# Each kind in one batch, after the encounters they refer to.
PART_BUILDERS: tuple[tuple[PartKind, str, Callable[[Any, PartContext], Any]], ...] = (
    (PartKind.DOCUMENT, "documents", document),
    (PartKind.OBSERVATION, "observations", observation),
    (PartKind.DIAGNOSIS, "diagnoses", diagnosis),
    (PartKind.PROCEDURE, "procedures", procedure),
    (PartKind.MEDICATION, "medications", medication),
    (PartKind.ALLERGY, "allergies", allergy),
)
