"""Patient merges: a patient found to be the same person as another, recorded reversibly.

A merge moves every part of the merged patient's chart to the surviving patient and keeps
the exact ids it moved, so an undo moves back exactly those and nothing else. The merged
patient stays in the record (marked as merged into the survivor) for the audit trail and for
anyone who still looks it up by its old MRN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

UNDO_REASON_LIMIT = 500  # patient_merges.undo_reason

# What a merge moves, in words for the people who read the list and the refusals.
PART_LABELS = {
    "encounters": "encounters",
    "documents": "documents",
    "observations": "results",
    "diagnoses": "diagnoses",
    "procedures": "procedures",
    "medications": "medications",
    "allergies": "allergies",
    "deficiencies": "deficiencies",
    "physician_queries": "physician queries",
    "amendment_requests": "amendment requests",
    "patient_restrictions": "restrictions",
    "source_links": "links to other systems' records",
    "patient_identifiers": "identifiers",
}


@dataclass(frozen=True)
class PatientMerge:
    id: int
    surviving_patient_id: int
    merged_patient_id: int
    moved: Mapping[str, tuple[int, ...]]  # part (table) -> the ids moved to the survivor
    source: str  # what asked for it: "ADT^A40 8919-40 (feed.hl7)", a reviewer's note
    merged_at: datetime
    merged_by: str
    undone_at: datetime | None = None
    undone_by: str = ""
    undo_reason: str = ""
    surviving_mrn: str = ""  # filled in when listed, for the people reading the list
    merged_mrn: str = ""

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None

    def moved_summary(self) -> str:
        """'3 encounters, 12 results, 2 identifiers' — what moved, in the order of PART_LABELS."""
        parts = [
            f"{len(self.moved[k])} {label}" for k, label in PART_LABELS.items() if self.moved.get(k)
        ]
        return ", ".join(parts) or "nothing (the merged chart was empty)"


def undo_reason_problem(reason: str) -> str | None:
    """Why a stated reason for undoing a merge cannot be kept; None when it can."""
    if not reason.strip():
        return "Give the reason for undoing the merge."
    if len(reason.strip()) > UNDO_REASON_LIMIT:
        return f"The reason is longer than {UNDO_REASON_LIMIT} characters."
    if not reason.replace("\n", " ").replace("\t", " ").isprintable():
        return "Remove the control characters: the reason takes plain text only."
    return None
