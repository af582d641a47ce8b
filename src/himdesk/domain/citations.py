"""Citing the record: the exact piece each discrepancy rests on, worded as it stands, so that
a physician query can quote it as a clinical indicator.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from himdesk.domain.clinical_text import DocumentText, Span
from himdesk.domain.completeness import EncounterRecord, Evidence, EvidenceSource
from himdesk.domain.records import (
    Allergy,
    ClinicalDocument,
    Diagnosis,
    Medication,
    Observation,
    Patient,
    Procedure,
)

S = EvidenceSource


@dataclass(frozen=True, eq=False)
class Entry:
    """A diagnosis or procedure on the encounter's lists, as the rules reading both see it."""

    item: Diagnosis | Procedure
    owner_id: int | None  # who documented or performed it, else the attending

    @property
    def is_procedure(self) -> bool:
        return isinstance(self.item, Procedure)

    @property
    def what(self) -> str:
        """ "diagnosis 'Cellulitis of left lower limb'"."""
        return f"{'procedure' if self.is_procedure else 'diagnosis'} '{self.item.description}'"

    @property
    def subject(self) -> str:
        """ "diagnosis 21": what a finding about this entry is keyed by."""
        return f"{'procedure' if self.is_procedure else 'diagnosis'} {self.item.id}"

    @property
    def evidence(self) -> Evidence:
        item = self.item
        return cite_procedure(item) if isinstance(item, Procedure) else cite_diagnosis(item)


def entries(record: EncounterRecord) -> list[Entry]:
    attending = record.encounter.attending_id
    return [Entry(d, d.documented_by_id or attending) for d in record.diagnoses] + [
        Entry(p, p.performed_by_id or attending) for p in record.procedures
    ]


def cite_sentence(doc: DocumentText, span: Span) -> Evidence:
    return Evidence(S.DOCUMENT, doc.document.id, doc.quote(span))


def cite_diagnosis(diagnosis: Diagnosis) -> Evidence:
    side = f" (laterality: {diagnosis.laterality})" if diagnosis.laterality else ""
    principal = " [principal]" if diagnosis.is_principal else ""
    return Evidence(S.DIAGNOSIS, diagnosis.id, f"{diagnosis.description}{side}{principal}")


def cite_procedure(procedure: Procedure) -> Evidence:
    side = f" (laterality: {procedure.laterality})" if procedure.laterality else ""
    return Evidence(
        S.PROCEDURE,
        procedure.id,
        f"{procedure.description}{side}, {procedure.performed_at:%Y-%m-%d %H:%M}",
    )


def cite_result(result: Observation) -> Evidence:
    reference = f"; reference {result.reference_range}" if result.reference_range else ""
    return Evidence(
        S.RESULT,
        result.id,
        f"{result.display}: {plain(result.value)} {result.unit} ({result.flag.value}"
        f"{reference}) at {result.observed_at:%Y-%m-%d %H:%M}",
    )


def cite_medication(medication: Medication) -> Evidence:
    how = " ".join(p for p in (medication.dose, medication.route, medication.frequency) if p)
    return Evidence(
        S.MEDICATION, medication.id, f"{medication.name} {how}, from {medication.started_on}"
    )


def cite_allergy(allergy: Allergy) -> Evidence:
    return Evidence(
        S.ALLERGY,
        allergy.id,
        f"{allergy.substance}: {allergy.reaction} ({allergy.severity}), recorded "
        f"{allergy.recorded_on}",
    )


def cite_patient(patient: Patient, fact: str) -> Evidence:
    return Evidence(S.PATIENT, patient.id, fact)


def named(document: ClinicalDocument) -> str:
    """'Operative report of 2026-03-04': by type, never by title, which a restricted
    document's could give away."""
    return f"{document.document_type.label} of {document.authored_at:%Y-%m-%d}"


def plain(value: Decimal) -> str:
    """124.000 -> '124', 8.10 -> '8.1'."""
    return f"{value.normalize():f}"
