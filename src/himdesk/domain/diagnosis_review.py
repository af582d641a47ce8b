"""The encounter's diagnosis list (the abstract the coder will code) against the patient and
the documents: diagnoses and procedures that do not fit the patient's sex or age, diagnoses
the discharge summary names that are not on the list, and listed diagnoses that no document
of the encounter mentions.

Wording is matched by normalised words (`clinical_text.Concept`), not exact strings, so
"CHF" in a summary finds "Acute on chronic systolic (congestive) heart failure" on the list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from himdesk.domain.citations import cite_diagnosis, cite_patient, cite_sentence, entries
from himdesk.domain.clinical_terms import (
    ADULT_AGE,
    CHILDBEARING_AGES,
    FEMALE_ONLY,
    HISTORICAL,
    MALE_ONLY,
    NEGATED_AFTER,
    NEGATED_BEFORE,
    NEWBORN,
    ORIGINATING_PERINATAL,
    PREGNANCY,
    SENESCENT,
    SEX_OR_AGE_SPECIFIC,
)
from himdesk.domain.clinical_text import ChartText, Concept, DocumentText, Span, concept
from himdesk.domain.completeness import (
    Deficiency,
    DeficiencyKind,
    EncounterRecord,
)
from himdesk.domain.records import AdministrativeSex, DocumentType

K = DeficiencyKind
# Diagnosis headings of a summary that are not the final diagnoses.
_NOT_FINAL = ("ADMI", "DIFFERENTIAL", "PREOP", "PRE-OP", "WORKING", "PROVISIONAL", "PAST")
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s*")
_NOTHING = frozenset({"none", "n/a", "na", "same", "none known"})
_NOT_A_CURRENT_DIAGNOSIS = re.compile(
    "|".join(p.pattern for p in (HISTORICAL, NEGATED_BEFORE, NEGATED_AFTER))
)
_SEX_ONLY = {AdministrativeSex.MALE: FEMALE_ONLY, AdministrativeSex.FEMALE: MALE_ONLY}


def find_demographic_conflicts(record: EncounterRecord, due: date) -> Iterator[Deficiency]:
    """Diagnoses and procedures that do not fit the patient's recorded sex or age."""
    patient, encounter = record.patient, record.encounter
    age = patient.age_on(encounter.admitted_at.date())
    wrong_sex = _SEX_ONLY.get(patient.sex)
    for entry in entries(record):
        text = entry.item.description.lower()
        if not SEX_OR_AGE_SPECIFIC.search(text):
            continue
        what, subject, evidence = (
            entry.what[:1].upper() + entry.what[1:],
            entry.subject,
            entry.evidence,
        )
        if wrong_sex is not None and wrong_sex.search(text):
            sex = patient.sex.label.lower()
            yield Deficiency(
                K.SEX_INCONSISTENT,
                "sex_consistent",
                f"{what} does not fit the patient's recorded sex ({sex}).",
                entry.owner_id,
                due,
                subject=subject,
                evidence=(evidence, cite_patient(patient, f"Sex: {patient.sex.label}")),
            )
        problem = _age_problem(text, age)
        if problem:
            born = f"Born {patient.birth_on}; {age} years old at admission"
            yield Deficiency(
                K.AGE_INCONSISTENT,
                "age_consistent",
                f"{what} {problem} (age {age} at admission).",
                entry.owner_id,
                due,
                subject=subject,
                evidence=(evidence, cite_patient(patient, born)),
            )


def _age_problem(text: str, age: int) -> str | None:
    if age >= 1 and NEWBORN.search(text) and ORIGINATING_PERINATAL not in text:
        return "is a newborn's condition, past the first year of life"
    if age < ADULT_AGE and SENESCENT.search(text):
        return "is an age-related condition, in a child"
    low, high = CHILDBEARING_AGES
    if PREGNANCY.search(text) and not low <= age <= high:
        return f"concerns pregnancy, outside the ages of {low} to {high}"
    return None


def find_abstract_conflicts(
    record: EncounterRecord, text: ChartText, due: date
) -> Iterator[Deficiency]:
    """The discharge summary's diagnoses against the list, and the list against the notes."""
    listed = [concept(d.description) for d in record.diagnoses]
    for doc in text.documents:
        if doc.document.document_type is DocumentType.DISCHARGE_SUMMARY:
            yield from _not_listed(record, doc, listed, due)
    if not record.documents:
        return  # nothing to support anything: the missing-document rules say so
    for diagnosis, wording in zip(record.diagnoses, listed, strict=True):
        if wording.words and not text.affirms(wording):
            yield Deficiency(
                K.DIAGNOSIS_UNSUPPORTED,
                "diagnosis_documented",
                f"Diagnosis '{diagnosis.description}' is not mentioned in any document of "
                "the encounter.",
                diagnosis.documented_by_id or record.encounter.attending_id,
                due,
                subject=f"diagnosis {diagnosis.id}",
                evidence=(cite_diagnosis(diagnosis),),
            )


def _not_listed(
    record: EncounterRecord, summary: DocumentText, listed: list[Concept], due: date
) -> Iterator[Deficiency]:
    document = summary.document
    for item, span in summary_diagnoses(summary):
        if _NOT_A_CURRENT_DIAGNOSIS.search(item.lower()):
            continue  # "History of ...", "Chest pain, MI ruled out"
        named = concept(item)
        if named.words and not any(named.same_as(c) for c in listed):
            shown = f"'{item}'" if document.sensitivity is None else "a diagnosis"
            yield Deficiency(
                K.DIAGNOSIS_NOT_ON_ABSTRACT,
                "summary_diagnoses_listed",
                f"The discharge summary of {document.authored_at:%Y-%m-%d} names {shown}, "
                "which is not on the encounter's diagnosis list.",
                record.encounter.attending_id,
                due,
                document.id,
                subject=f"summary diagnosis {' '.join(sorted(named.words))}"[:120],
                evidence=(cite_sentence(summary, span),),
            )


def summary_diagnoses(doc: DocumentText) -> Iterator[tuple[str, Span]]:
    """Each diagnosis listed under a summary's diagnosis headings ("PRINCIPAL DIAGNOSIS:",
    "SECONDARY DIAGNOSES:", "DISCHARGE DIAGNOSES:"), one per line or after the heading."""
    for section in doc.sections:
        if "DIAGNOS" not in section.name or any(w in section.name for w in _NOT_FINAL):
            continue
        at = section.text_start
        for line in doc.body[at : section.end].split("\n"):
            span, at = (at, at + len(line)), at + len(line) + 1
            for part in line.split(";"):
                item = _BULLET.sub("", part).strip().rstrip(".").strip()
                if item and item.lower() not in _NOTHING:
                    yield item, span
