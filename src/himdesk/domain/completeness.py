"""Chart completeness: the deficiencies an HIT finds when analysing a discharged encounter.

Rules follow the usual medical-staff bylaws and CMS Conditions of Participation
(42 CFR 482.24(c)): an H&P within 24 hours after admission (or 30 days before, updated), a
discharge summary, an operative report right after surgery, a pathology report for removed
tissue, an ED note for ED visits, every entry authenticated (and co-signed for residents),
documents filed to the right patient and encounter. Thresholds are settings, not constants.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from himdesk.domain.records import (
    Allergy,
    ClinicalDocument,
    Diagnosis,
    DocumentStatus,
    DocumentType,
    Encounter,
    EncounterClass,
    Medication,
    Observation,
    Patient,
    Procedure,
)

T = DocumentType


class DeficiencyKind(enum.StrEnum):
    MISSING_DOCUMENT = "missing_document"
    UNSIGNED_DOCUMENT = "unsigned_document"
    MISSING_COSIGNATURE = "missing_cosignature"
    LATE_DOCUMENT = "late_document"
    WRONG_PATIENT = "wrong_patient"
    OUTSIDE_ENCOUNTER = "outside_encounter"
    MISSING_DATA = "missing_data"
    # Discrepancies (domain/discrepancies.py): conflicts between parts of the record.
    LATERALITY_CONFLICT = "laterality_conflict"
    SEX_INCONSISTENT = "sex_inconsistent"
    AGE_INCONSISTENT = "age_inconsistent"
    DIAGNOSIS_NOT_ON_ABSTRACT = "diagnosis_not_on_abstract"
    DIAGNOSIS_UNSUPPORTED = "diagnosis_unsupported"
    RESULT_WITHOUT_DIAGNOSIS = "result_without_diagnosis"
    MEDICATION_WITHOUT_DIAGNOSIS = "medication_without_diagnosis"
    ALLERGY_CONFLICT = "allergy_conflict"
    DUPLICATE_DOCUMENT = "duplicate_document"

    @property
    def is_discrepancy(self) -> bool:
        return self in _DISCREPANCIES

    @property
    def blocks_completion(self) -> bool:
        """Whether an open one keeps the chart from completing: a late signature is a fact
        to report, not work left (the document is there and signed)."""
        return self is not DeficiencyKind.LATE_DOCUMENT

    @property
    def keeps_record_incomplete(self) -> bool:
        """Whether an open one counts towards delinquency (bylaws, Joint Commission).

        A late signature is already there: its lateness is reported, not work left, and a
        record must not stay delinquent for ever after it was completed. A discrepancy goes
        to the clinician as a query, with its own due time and escalation.
        """
        return not self.is_discrepancy and self is not DeficiencyKind.LATE_DOCUMENT


_DOCUMENTATION = {"missing_document", "unsigned_document", "missing_cosignature", "missing_data",
                  "late_document", "wrong_patient", "outside_encounter"}  # fmt: skip
_DISCREPANCIES = frozenset(k for k in DeficiencyKind if k.value not in _DOCUMENTATION)


class EvidenceSource(enum.StrEnum):
    DOCUMENT = "document"
    RESULT = "result"
    DIAGNOSIS = "diagnosis"
    PROCEDURE = "procedure"
    MEDICATION = "medication"
    ALLERGY = "allergy"
    PATIENT = "patient"


@dataclass(frozen=True)
class Evidence:
    """One exact piece of the record a finding rests on: which item, and what it says."""

    source: EvidenceSource
    source_id: int | None
    quote: str  # the sentence, value or entry, as it stands in the record


@dataclass(frozen=True)
class CompletenessRules:
    """The bylaws' numbers for one encounter class (see domain/rule_book.py); any rule can
    be switched off by its name or by its kind."""

    hp_after_admission: timedelta = timedelta(hours=24)
    hp_before_admission: timedelta = timedelta(days=30)
    operative_report_within: timedelta = timedelta(hours=24)
    discharge_summary_within: timedelta = timedelta(days=30)
    # Entries other than the discharge summary (which has its own limit) are authenticated
    # promptly; 72 hours is the common bylaws figure.
    signature_within: timedelta = timedelta(hours=72)
    completion_days: int = 30  # deficiencies are due this long after discharge
    disabled: frozenset[str] = frozenset()  # rule names or deficiency kinds


@dataclass(frozen=True)
class Deficiency:
    kind: DeficiencyKind
    rule: str
    message: str
    assignee_id: int | None
    due_on: date
    document_id: int | None = None
    # What distinguishes two findings of one rule on one encounter (a procedure, a result).
    subject: str = ""
    evidence: tuple[Evidence, ...] = ()

    @property
    def severity(self) -> str:
        if self.kind is DeficiencyKind.LATE_DOCUMENT or self.kind.is_discrepancy:
            return "warning"
        return "error"

    @property
    def key(self) -> str:
        """Stable identity across re-analyses, so a finding is cleared rather than re-made."""
        return f"{self.rule}/{self.document_id or ''}/{self.subject}"


@dataclass(frozen=True)
class EncounterRecord:
    """Everything the rules look at for one encounter."""

    patient: Patient
    encounter: Encounter
    documents: Sequence[ClinicalDocument]
    procedures: Sequence[Procedure] = field(default_factory=tuple)
    observations: Sequence[Observation] = field(default_factory=tuple)
    diagnoses: Sequence[Diagnosis] = field(default_factory=tuple)
    medications: Sequence[Medication] = field(default_factory=tuple)
    allergies: Sequence[Allergy] = field(default_factory=tuple)


def analyze(record: EncounterRecord, rules: CompletenessRules) -> list[Deficiency]:
    # Imported here: the discrepancy rules build on this module's types.
    from himdesk.domain.discrepancies import find_discrepancies

    e = record.encounter
    if e.discharged_at is None:
        return []  # analysis starts at discharge
    due = (e.discharged_at + timedelta(days=rules.completion_days)).date()
    found = [
        *_required(record, rules, due),
        *_authentication(record, due),
        *_filing(record, rules, due),
        *_timeliness(record, rules, due),
        *_required_data(record, due),
        *find_discrepancies(record, due),
    ]
    off = rules.disabled
    return [d for d in found if d.kind.value not in off and d.rule not in off]


def _named(document: ClinicalDocument) -> str:
    """A labelled document is named by its category only: worklists are read widely."""
    if document.sensitivity is not None:
        return f"Restricted document ({document.sensitivity.label})"
    return document.title


def _of(record: EncounterRecord, kind: DocumentType) -> list[ClinicalDocument]:
    return [d for d in record.documents if d.document_type is kind]


def _missing(
    what: str, rule: str, assignee: int | None, due: date, subject: str = ""
) -> Deficiency:
    return Deficiency(
        DeficiencyKind.MISSING_DOCUMENT,
        rule,
        f"No {what} in the record.",
        assignee,
        due,
        subject=subject,
    )


def _required(record: EncounterRecord, rules: CompletenessRules, due: date) -> Iterator[Deficiency]:
    e, attending = record.encounter, record.encounter.attending_id
    if e.encounter_class is EncounterClass.INPATIENT:
        window_start = e.admitted_at - rules.hp_before_admission
        window_end = e.admitted_at + rules.hp_after_admission
        if not any(
            window_start <= d.authored_at <= window_end for d in _of(record, T.HISTORY_AND_PHYSICAL)
        ):
            yield _missing(
                "history and physical within 24 hours of admission", "hp_required", attending, due
            )
        if not _of(record, T.DISCHARGE_SUMMARY):
            yield _missing("discharge summary", "discharge_summary_required", attending, due)
    if e.encounter_class is EncounterClass.EMERGENCY and not _of(record, T.ED_NOTE):
        yield _missing("emergency department note", "ed_note_required", attending, due)
    yield from _surgical(record, rules, due)


def _surgical(record: EncounterRecord, rules: CompletenessRules, due: date) -> Iterator[Deficiency]:
    operative = _of(record, T.OPERATIVE_REPORT)
    for procedure in record.procedures:
        limit = procedure.performed_at + rules.operative_report_within
        if not any(
            procedure.performed_at - timedelta(hours=1) <= d.authored_at <= limit for d in operative
        ):
            yield _missing(
                f"operative report for {procedure.description}",
                "operative_report_required",
                procedure.performed_by_id,
                due,
                subject=f"procedure {procedure.id}",
            )
    if any(p.tissue_removed for p in record.procedures) and not _of(record, T.PATHOLOGY_REPORT):
        surgeon = next(p.performed_by_id for p in record.procedures if p.tissue_removed)
        yield _missing(
            "pathology report for the tissue removed", "pathology_required", surgeon, due
        )


def _authentication(record: EncounterRecord, due: date) -> Iterator[Deficiency]:
    for d in record.documents:
        if d.status is DocumentStatus.DRAFT:
            yield Deficiency(
                DeficiencyKind.UNSIGNED_DOCUMENT,
                "signature_required",
                f"{_named(d)} of {d.authored_at:%Y-%m-%d} is not signed.",
                d.author_id,
                due,
                d.id,
            )
        elif d.requires_cosignature and d.cosigned_at is None:
            yield Deficiency(
                DeficiencyKind.MISSING_COSIGNATURE,
                "cosignature_required",
                f"{_named(d)} of {d.authored_at:%Y-%m-%d} by a resident has no "
                "attending co-signature.",
                record.encounter.attending_id,
                due,
                d.id,
            )


_MRN = re.compile(r"\bMRN:\s*(\S+)")
_DOB = re.compile(r"\bDOB:\s*(\d{2})/(\d{2})/(\d{4})")


def names_other_patient(document: ClinicalDocument, patient: Patient) -> str | None:
    """What in the document's header disagrees with the chart (MRN or date of birth)."""
    text = document.text
    header_end = text.find("\n\n")  # the header is the first paragraph
    if header_end < 0:
        header_end = len(text)
    mrn = _MRN.search(text, 0, header_end)  # searched in place: no copy of a long note
    if mrn and mrn.group(1) != patient.mrn:
        return f"MRN {mrn.group(1)}"
    dob = _DOB.search(text, 0, header_end)
    if dob:
        month, day, year = (int(x) for x in dob.groups())
        if (year, month, day) != (
            patient.birth_on.year,
            patient.birth_on.month,
            patient.birth_on.day,
        ):
            return f"date of birth {dob.group(0)[5:].strip()}"
    return None


def _filing(record: EncounterRecord, rules: CompletenessRules, due: date) -> Iterator[Deficiency]:
    e = record.encounter
    assert e.discharged_at is not None  # noqa: S101 - analyze() checks
    for d in record.documents:
        other = names_other_patient(d, record.patient)
        if other:
            yield Deficiency(
                DeficiencyKind.WRONG_PATIENT,
                "header_matches_chart",
                f"{_named(d)} of {d.authored_at:%Y-%m-%d} names {other}, not this "
                "patient: filed to the wrong patient?",
                d.author_id,
                due,
                d.id,
            )
        elif _outside(d, e, e.discharged_at, rules):
            yield Deficiency(
                DeficiencyKind.OUTSIDE_ENCOUNTER,
                "dated_inside_encounter",
                f"{_named(d)} dated {d.authored_at:%Y-%m-%d %H:%M} lies outside the "
                f"encounter ({e.admitted_at:%Y-%m-%d} to {e.discharged_at:%Y-%m-%d}): "
                "filed to the wrong encounter?",
                d.author_id,
                due,
                d.id,
            )


def _outside(
    d: ClinicalDocument, e: Encounter, discharged: datetime, rules: CompletenessRules
) -> bool:
    if d.document_type in (T.DISCHARGE_SUMMARY, T.ADDENDUM):
        # Lateness is its own rule; an addendum (e.g. a query answer) comes after discharge.
        return d.authored_at < e.admitted_at
    start = e.admitted_at - (
        rules.hp_before_admission if d.document_type is T.HISTORY_AND_PHYSICAL else timedelta(0)
    )
    return not start <= d.authored_at <= discharged


# Encounter classes that end in a discharge with a UB-04 patient status.
_DISPOSITION_REQUIRED = {EncounterClass.INPATIENT, EncounterClass.OBSERVATION,
                         EncounterClass.EMERGENCY}  # fmt: skip


def _required_data(record: EncounterRecord, due: date) -> Iterator[Deficiency]:
    e = record.encounter
    assert e.discharged_at is not None  # noqa: S101 - analyze() checks

    def missing(rule: str, message: str) -> Deficiency:
        return Deficiency(DeficiencyKind.MISSING_DATA, rule, message, e.attending_id, due)

    if e.attending_id is None:
        yield missing("attending_required", "No attending physician is recorded.")
    if e.encounter_class in _DISPOSITION_REQUIRED and e.discharge_disposition is None:
        yield missing("disposition_required", "No discharge disposition is recorded.")
    if e.discharged_at <= e.admitted_at:
        yield missing(
            "discharge_after_admission",
            f"Discharge time {e.discharged_at:%Y-%m-%d %H:%M} is not after admission "
            f"{e.admitted_at:%Y-%m-%d %H:%M}.",
        )


def _timeliness(
    record: EncounterRecord, rules: CompletenessRules, due: date
) -> Iterator[Deficiency]:
    discharged = record.encounter.discharged_at
    assert discharged is not None  # noqa: S101 - analyze() checks
    for d in record.documents:
        if d.document_type is T.DISCHARGE_SUMMARY or d.signed_at is None:
            continue
        if d.signed_at - d.authored_at > rules.signature_within:
            hours = int((d.signed_at - d.authored_at).total_seconds() // 3600)
            yield Deficiency(
                DeficiencyKind.LATE_DOCUMENT,
                "signature_timely",
                f"{_named(d)} of {d.authored_at:%Y-%m-%d} was signed {hours} hours after it "
                f"was written (limit {_hours(rules.signature_within)} hours).",
                d.author_id,
                due,
                d.id,
            )
    for d in _of(record, T.DISCHARGE_SUMMARY):
        signed = d.signed_at or d.authored_at
        if signed - discharged > rules.discharge_summary_within:
            days = (signed - discharged).days
            yield Deficiency(
                DeficiencyKind.LATE_DOCUMENT,
                "discharge_summary_timely",
                f"Discharge summary signed {days} days after discharge (limit "
                f"{rules.discharge_summary_within.days} days).",
                d.author_id,
                due,
                d.id,
            )


def _hours(span: timedelta) -> int:
    return int(span.total_seconds() // 3600)
