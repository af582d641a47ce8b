"""Legal-record rule: a correction is a new version; the old one stays readable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RecordVersion:
    """One version of one part of the record, with who changed it, when and why."""

    entity_type: str
    entity_id: int
    version: int
    patient_id: int
    snapshot: dict[str, Any]
    changed_by: str
    changed_at: datetime
    reason: str


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    keys = sorted(set(before) | set(after))
    return [
        FieldChange(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)
    ]
