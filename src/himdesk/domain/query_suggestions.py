"""What the query form starts from: the finding's evidence as clinical indicators (each
with where it stands in the record), a neutral question and, where the finding has a known
set of clinically reasonable answers, those options.

Everything here is a suggestion the user edits; the compliance rules in `domain.queries`
judge what is finally sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from himdesk.domain.completeness import (
    Deficiency,
    DeficiencyKind,
    EncounterRecord,
    Evidence,
    EvidenceSource,
)
from himdesk.domain.queries import OTHER, UNDETERMINED, ClinicalIndicator, QueryFormat
from himdesk.domain.records import ClinicalDocument

K = DeficiencyKind
NO_SIGNIFICANCE = "Abnormal finding without clinical significance"
WITHHELD = "Text of a restricted document: open it from the chart to quote it"


@dataclass(frozen=True)
class QuerySuggestion:
    format: QueryFormat
    question: str
    indicators: tuple[ClinicalIndicator, ...]
    options: tuple[str, ...]


# Findings a clinician clarifies by naming a condition, keyed by the condition the finding
# says is undocumented (the first key found in its message wins, so specific keys come first).
_CONDITIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("hyponatremia", ("Hyponatremia", "Dilutional hyponatremia",
                      "Syndrome of inappropriate antidiuretic hormone (SIADH)", NO_SIGNIFICANCE)),
    ("hypernatremia", ("Hypernatremia", "Hypernatremia due to dehydration", NO_SIGNIFICANCE)),
    ("hypokalemia", ("Hypokalemia", NO_SIGNIFICANCE)),
    ("hyperkalemia", ("Hyperkalemia", NO_SIGNIFICANCE)),
    ("kidney", ("Acute kidney injury", "Chronic kidney disease",
                "Acute kidney injury on chronic kidney disease", NO_SIGNIFICANCE)),
    ("anemia", ("Acute blood loss anemia", "Anemia of chronic disease", "Iron deficiency anemia",
                NO_SIGNIFICANCE)),
    ("diabetes", ("Type 2 diabetes mellitus", "Type 1 diabetes mellitus", "Stress hyperglycemia",
                  "Steroid-induced hyperglycemia")),
    ("hypothyroidism", ("Hypothyroidism", "Postprocedural hypothyroidism",
                        "Postablative hypothyroidism")),
    ("heart failure", ("Acute heart failure", "Chronic heart failure",
                       "Acute on chronic heart failure", NO_SIGNIFICANCE)),
    ("anticoagulation", ("Atrial fibrillation", "Deep vein thrombosis", "Pulmonary embolism",
                         "Prophylaxis, no current thrombotic condition")),
)  # fmt: skip
_LATERALITY = ("Left", "Right", "Bilateral")

_QUESTIONS = {
    K.RESULT_WITHOUT_DIAGNOSIS: "Based on your clinical judgment, please clarify the condition, "
    "if any, that the findings below represent.",
    K.MEDICATION_WITHOUT_DIAGNOSIS: "Based on your clinical judgment, please clarify the "
    "condition, if any, for which the medication below was given.",
    K.LATERALITY_CONFLICT: "The record documents different sides for the same site (see "
    "below). Please clarify the laterality.",
    K.DIAGNOSIS_NOT_ON_ABSTRACT: "The condition below is documented but not on the "
    "encounter's diagnosis list. Please clarify whether it was present and treated this stay.",
    K.DIAGNOSIS_UNSUPPORTED: "Please clarify the clinical support for the diagnosis below, "
    "based on your clinical judgment.",
    K.ALLERGY_CONFLICT: "The record gives conflicting allergy statements (see below). Please "
    "clarify the patient's allergy status.",
}
_GENERIC_QUESTION = (
    "Please review the documentation below and clarify it, based on your clinical judgment."
)


def suggest(deficiency: Deficiency | None, record: EncounterRecord) -> QuerySuggestion:
    indicators = indicators_for(deficiency, record) if deficiency else ()
    kind = deficiency.kind if deficiency else None
    question = _QUESTIONS.get(kind, _GENERIC_QUESTION) if kind else _GENERIC_QUESTION
    options = _options_for(deficiency) if deficiency else ()
    chosen = QueryFormat.MULTIPLE_CHOICE if options else QueryFormat.OPEN_ENDED
    return QuerySuggestion(chosen, question, indicators, (*options, OTHER, UNDETERMINED))


def _options_for(deficiency: Deficiency) -> tuple[str, ...]:
    if deficiency.kind is K.LATERALITY_CONFLICT:
        return _LATERALITY
    if deficiency.kind not in (K.RESULT_WITHOUT_DIAGNOSIS, K.MEDICATION_WITHOUT_DIAGNOSIS):
        return ()
    words = deficiency.message.lower()
    return next((options for key, options in _CONDITIONS if key in words), ())


def indicators_for(
    deficiency: Deficiency, record: EncounterRecord
) -> tuple[ClinicalIndicator, ...]:
    """The finding's evidence, each piece with where it is; the finding itself if none."""
    if deficiency.evidence:
        return tuple(ClinicalIndicator(_quote(e, record), where_of(e, record))
                     for e in deficiency.evidence)  # fmt: skip
    document = _document(record, deficiency.document_id)
    where = _document_label(document) if document else "Chart completeness analysis"
    return (ClinicalIndicator(deficiency.message, where),)


def _quote(evidence: Evidence, record: EncounterRecord) -> str:
    """The quote, unless it comes from a labelled document (opened with a reason only)."""
    if evidence.source is EvidenceSource.DOCUMENT:
        document = _document(record, evidence.source_id)
        if document is None or document.sensitivity is not None:
            return WITHHELD
    return evidence.quote


def where_of(evidence: Evidence, record: EncounterRecord) -> str:
    """Where in the record a piece of evidence stands, in words a clinician can look up."""
    source, found_id = evidence.source, evidence.source_id
    if source is EvidenceSource.DOCUMENT:
        document = _document(record, found_id)
        return _document_label(document) if document else "Clinical document"
    if source is EvidenceSource.RESULT:
        result = next((o for o in record.observations if o.id == found_id), None)
        if result is None:
            return "Laboratory results"
        return f"{result.display} result of {result.observed_at:%Y-%m-%d %H:%M}"
    if source is EvidenceSource.MEDICATION:
        med = next((m for m in record.medications if m.id == found_id), None)
        return f"Medication list, started {med.started_on}" if med else "Medication list"
    if source is EvidenceSource.PROCEDURE:
        proc = next((p for p in record.procedures if p.id == found_id), None)
        return f"Procedure of {proc.performed_at:%Y-%m-%d}" if proc else "Procedures"
    return {
        EvidenceSource.DIAGNOSIS: "Diagnosis list",
        EvidenceSource.ALLERGY: "Allergy list",
        EvidenceSource.PATIENT: "Patient demographics",
    }[source]


def _document(record: EncounterRecord, document_id: int | None) -> ClinicalDocument | None:
    return next((d for d in record.documents if d.id == document_id), None)


def _document_label(document: ClinicalDocument) -> str:
    # A labelled document is named by its category only, as on the worklists.
    title = (
        document.title
        if document.sensitivity is None
        else f"Restricted document ({document.sensitivity.label})"
    )
    return f"{title} of {document.authored_at:%Y-%m-%d %H:%M}"
