"""What the demo generator produces: charts whose ids are assigned when they are stored.

Record parts inside a chart use `patient_id=0` and `encounter_id=None` as placeholders;
the loader fills them in. Documents, results, diagnoses, procedures and medications hang
off the encounter they belong to (or, for a misfiled document, the one it was filed to).
Author and attending ids refer to the generator's clinician roster (ids 1..N).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from himdesk.domain.records import (
    Allergy,
    ClinicalDocument,
    Clinician,
    Diagnosis,
    Encounter,
    Medication,
    Observation,
    Patient,
    Procedure,
)
from himdesk.domain.sensitivity import SensitiveCategory


class ProblemKind(enum.StrEnum):
    """The problems the demo plants on purpose, for chart analysis to find."""

    UNSIGNED_DOCUMENT = "unsigned_document"
    MISSING_DOCUMENT = "missing_document"
    LATE_DISCHARGE_SUMMARY = "late_discharge_summary"
    WRONG_ENCOUNTER = "wrong_encounter"
    LATERALITY_CONFLICT = "laterality_conflict"
    ABNORMAL_LAB_WITHOUT_DIAGNOSIS = "abnormal_lab_without_diagnosis"
    MISSING_COSIGNATURE = "missing_cosignature"
    DUPLICATE_DOCUMENT = "duplicate_document"
    ALLERGY_CONFLICT = "allergy_conflict"


@dataclass(frozen=True)
class PlantedProblem:
    kind: ProblemKind
    mrn: str
    account_number: str
    detail: str


@dataclass
class DemoEncounter:
    encounter: Encounter
    documents: list[ClinicalDocument] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    diagnoses: list[Diagnosis] = field(default_factory=list)
    procedures: list[Procedure] = field(default_factory=list)
    medications: list[Medication] = field(default_factory=list)


@dataclass
class DemoChart:
    patient: Patient
    encounters: list[DemoEncounter] = field(default_factory=list)
    allergies: list[Allergy] = field(default_factory=list)
    problems: list[PlantedProblem] = field(default_factory=list)
    restrictions: list[SensitiveCategory] = field(default_factory=list)


@dataclass(frozen=True)
class DemoHospital:
    clinicians: list[Clinician]
    facility: str
