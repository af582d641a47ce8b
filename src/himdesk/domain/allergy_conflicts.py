"""Conflicting allergy statements: a document saying "no known drug allergies" although a
drug allergy was already recorded, and a medication the patient is recorded as allergic to
(the same drug, or a member of the same obvious class: penicillin and amoxicillin).

An allergy recorded after the document was written, or after the drug was started, is no
conflict: that is how allergies come to be known.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from himdesk.domain.citations import cite_allergy, cite_medication, cite_sentence, named
from himdesk.domain.clinical_indications import DRUG_ALLERGENS, DRUG_CLASSES, NO_DRUG_ALLERGIES
from himdesk.domain.clinical_text import ChartText, DocumentText
from himdesk.domain.completeness import Deficiency, DeficiencyKind, EncounterRecord
from himdesk.domain.records import Allergy, Medication

K = DeficiencyKind
_NAME_WORDS = re.compile(r"[a-z]{5,}")  # a drug's own name, not "G" or "ER"
_SAYS_NONE = ("nkda", "nka", "no known", "no drug allergies")


def find_allergy_conflicts(
    record: EncounterRecord, text: ChartText, due: date
) -> Iterator[Deficiency]:
    drug_allergies = [a for a in record.allergies if DRUG_ALLERGENS.search(a.substance.lower())]
    if not drug_allergies:
        return
    for doc in text.statements:
        found = _no_allergies_statement(doc, drug_allergies, due)
        if found is not None:
            yield found
    for medication in record.medications:
        allergens = [
            a
            for a in drug_allergies
            if a.recorded_on <= medication.started_on and _rules_out(a, medication)
        ]
        if allergens:
            yield _allergen_given(record, medication, allergens, due)


def _no_allergies_statement(
    doc: DocumentText, allergies: list[Allergy], due: date
) -> Deficiency | None:
    written = doc.document.authored_at.date()
    known = [a for a in allergies if a.recorded_on <= written]
    if not known:
        return None
    if not any(words in doc.lower for words in _SAYS_NONE):
        return None  # (a quick look before the slower whole-word search)
    for m in NO_DRUG_ALLERGIES.finditer(doc.lower):
        span = doc.sentence(m.start())
        if DRUG_ALLERGENS.search(doc.lower, *span):
            continue  # "NKDA per old chart; now allergic to penicillin" explains itself
        substances = ", ".join(a.substance for a in known)
        document = doc.document
        return Deficiency(
            K.ALLERGY_CONFLICT,
            "allergy_statement_consistent",
            f"{named(document)} states no known drug allergies, but the patient's recorded "
            f"allergies include {substances}.",
            document.author_id,
            due,
            document.id,
            subject="no known drug allergies",
            evidence=(cite_sentence(doc, span), *(cite_allergy(a) for a in known)),
        )
    return None


def _rules_out(allergy: Allergy, medication: Medication) -> bool:
    substance, name = allergy.substance.lower(), medication.name.lower()
    if any(c.named_by.search(substance) and c.members.search(name) for c in DRUG_CLASSES):
        return True
    drug = _NAME_WORDS.search(substance)  # the same drug: "Codeine" and "acetaminophen-codeine"
    return drug is not None and drug.group() in _NAME_WORDS.findall(name)


def _allergen_given(
    record: EncounterRecord, medication: Medication, allergens: list[Allergy], due: date
) -> Deficiency:
    substances = ", ".join(a.substance for a in allergens)
    return Deficiency(
        K.ALLERGY_CONFLICT,
        "allergen_not_given",
        f"{medication.name[:1].upper()}{medication.name[1:]} is on the medication list "
        f"although the patient is recorded as allergic to {substances}.",
        record.encounter.attending_id,
        due,
        subject=f"medication {medication.id}",
        evidence=(cite_medication(medication), *(cite_allergy(a) for a in allergens)),
    )
