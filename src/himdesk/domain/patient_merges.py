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

# What a merge moves, in words for the people who read the list and the refusals:
# (one, many).
PART_NAMES = {
    "encounters": ("encounter", "encounters"),
    "documents": ("document", "documents"),
    "observations": ("result", "results"),
    "diagnoses": ("diagnosis", "diagnoses"),
    "procedures": ("procedure", "procedures"),
    "medications": ("medication", "medications"),
    "allergies": ("allergy", "allergies"),
    "deficiencies": ("deficiency", "deficiencies"),
    "physician_queries": ("physician query", "physician queries"),
    "amendment_requests": ("amendment request", "amendment requests"),
    "patient_restrictions": ("restriction", "restrictions"),
    "source_links": ("link to another system's record", "links to other systems' records"),
    "patient_identifiers": ("identifier", "identifiers"),
}
PART_LABELS = {part: many for part, (_one, many) in PART_NAMES.items()}


def counted(count: int, part: str) -> str:
    """'1 encounter', '2 encounters': a count of a part (table) in words."""
    one, many = PART_NAMES.get(part, (part, part))
    return f"{count} {one if count == 1 else many}"


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
        """'1 encounter, 12 results, 2 identifiers' — what moved, in the order of PART_NAMES."""
        parts = [counted(len(self.moved[k]), k) for k in PART_NAMES if self.moved.get(k)]
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
