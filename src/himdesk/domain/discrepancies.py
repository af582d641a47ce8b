"""Discrepancies: parts of one encounter's record that disagree with each other (issue 6 §2).

Each finding is a candidate physician query, so each rule reports only what it can defend
and cites the exact evidence: the document sentence, the result value, the list entry.

- laterality conflicts (`laterality`);
- diagnoses or procedures that do not fit the patient's sex or age, summary diagnoses not on
  the diagnosis list, listed diagnoses no document mentions (`diagnosis_review`);
- clearly abnormal results and medications with no diagnosis to explain them
  (`unexplained_findings`);
- conflicting allergy statements (`allergy_conflicts`);
- documents filed twice (here).

The encounter's text is read once (`clinical_text.ChartText`) and shared by the rules.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date

from himdesk.domain.allergy_conflicts import find_allergy_conflicts
from himdesk.domain.citations import cite_sentence, named
from himdesk.domain.clinical_text import ChartText, DocumentText, Span
from himdesk.domain.completeness import Deficiency, DeficiencyKind, EncounterRecord
from himdesk.domain.diagnosis_review import find_abstract_conflicts, find_demographic_conflicts
from himdesk.domain.laterality import find_laterality_conflicts
from himdesk.domain.records import DocumentType
from himdesk.domain.unexplained_findings import (
    find_unexplained_medications,
    find_unexplained_results,
)

# Shorter bodies ("See note.", "Agree with the above.") repeat without being filed twice.
_SHORTEST_DUPLICATE = 80


def find_discrepancies(record: EncounterRecord, due: date) -> list[Deficiency]:
    text = ChartText(record.documents)
    return [
        *find_laterality_conflicts(record, text, due),
        *find_demographic_conflicts(record, due),
        *find_abstract_conflicts(record, text, due),
        *find_unexplained_results(record, text, due),
        *find_unexplained_medications(record, text, due),
        *find_allergy_conflicts(record, text, due),
        *find_duplicate_documents(text, due),
    ]


def find_duplicate_documents(text: ChartText, due: date) -> Iterator[Deficiency]:
    """A later document of the same type whose body repeats an earlier one (whitespace and
    case aside): a note filed twice."""
    by_type: dict[DocumentType, list[DocumentText]] = defaultdict(list)
    for doc in text.documents:
        by_type[doc.document.document_type].append(doc)
    for docs in by_type.values():
        if len(docs) < 2:
            continue
        # Bodies alike but for white space have as many other characters: only those are
        # compared word by word.
        sizes = Counter(map(_printed_size, docs))
        first: dict[str, DocumentText] = {}
        for doc in sorted(docs, key=lambda d: (d.document.authored_at, d.document.id or 0)):
            size = _printed_size(doc)
            if sizes[size] < 2 or size < _SHORTEST_DUPLICATE:
                continue
            earlier = first.setdefault(" ".join(doc.lower.split()), doc)
            if earlier is not doc:
                yield _duplicate(doc, earlier, due)


def _printed_size(doc: DocumentText) -> int:
    text = doc.lower
    return len(text) - sum(text.count(c) for c in " \n\t\r")


def _duplicate(doc: DocumentText, earlier: DocumentText, due: date) -> Deficiency:
    document, original = doc.document, earlier.document
    return Deficiency(
        DeficiencyKind.DUPLICATE_DOCUMENT,
        "document_filed_once",
        f"{named(document)} repeats the {named(original)[:1].lower()}{named(original)[1:]} "
        "word for word: filed twice?",
        document.author_id,
        due,
        document.id,
        subject=f"duplicate of {original.id}",
        evidence=(cite_sentence(earlier, _opening(earlier)), cite_sentence(doc, _opening(doc))),
    )


def _opening(doc: DocumentText) -> Span:
    """The first sentence that is not a heading: what identifies the note to a reader."""
    at = 0
    for line in doc.body.split("\n"):
        if line.strip() and not line.rstrip().endswith(":"):
            return doc.sentence(at + len(line) - len(line.lstrip()))
        at += len(line) + 1
    return doc.sentence(0)
