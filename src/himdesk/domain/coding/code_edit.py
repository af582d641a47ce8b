"""One finding of the code edits: what is wrong with a code on an encounter, and the fix.

Kept apart from `edits` (which runs the checks) so the check modules can build findings
without importing the module that imports them; `edits` re-exports both names.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from himdesk.domain.coding.codes import dotted, looks_like_cm_code, normalized_code


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


def shown_code(code: str) -> str:
    """How an edit names a diagnosis code: dotted, or as written when it is no code at all
    (dotting "HEART" would make it look like one)."""
    code = normalized_code(code)
    return dotted(code) if looks_like_cm_code(code) else code


_RANK = {EditSeverity.ERROR: 0, EditSeverity.WARNING: 1, EditSeverity.REMINDER: 2}


def ordered(edits: Iterable[CodeEdit]) -> list[CodeEdit]:
    """Errors, then warnings, then reminders; found order kept within each; repeats once."""
    unique = list(dict.fromkeys(edits))
    return sorted(unique, key=lambda edit: _RANK[edit.severity])
