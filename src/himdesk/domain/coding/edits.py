"""Code edits: what is wrong with a set of codes for an encounter, and what would fix it.

PLACEHOLDER BODY: the edits helper fills in `edits_for`; `CodeEdit` is the contract.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class EditSeverity(enum.StrEnum):
    ERROR = "error"  # the claim cannot go out like this
    WARNING = "warning"  # likely wrong; the coder decides
    REMINDER = "reminder"  # an instructional note to act on ("use additional code")


@dataclass(frozen=True, slots=True)
class CodeEdit:
    code: str  # dotted code the edit concerns; "" for the encounter as a whole
    edit: str  # stable identifier, e.g. "excludes1", "poa_required", "sex_conflict"
    severity: EditSeverity
    message: str  # what is wrong, specific: which codes and which rule
    fix: str  # what would fix it
