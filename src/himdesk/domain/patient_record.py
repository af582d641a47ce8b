"""A patient's whole record as himdesk holds it: what leaves in an export or `$everything`."""

from __future__ import annotations

from dataclasses import dataclass

from himdesk.domain.incoming import PatientIdentifier
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


@dataclass(frozen=True)
class PatientRecord:
    patient: Patient
    # Identifiers other systems know the patient by (the hospital MRN is `patient.mrn`).
    identifiers: tuple[PatientIdentifier, ...] = ()
    encounters: tuple[Encounter, ...] = ()
    documents: tuple[ClinicalDocument, ...] = ()
    observations: tuple[Observation, ...] = ()
    diagnoses: tuple[Diagnosis, ...] = ()
    procedures: tuple[Procedure, ...] = ()
    medications: tuple[Medication, ...] = ()
    allergies: tuple[Allergy, ...] = ()
    # Every clinician the record refers to (attendings, authors, signers, performers).
    clinicians: tuple[Clinician, ...] = ()
