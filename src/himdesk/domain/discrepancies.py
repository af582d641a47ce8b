"""Discrepancies: parts of one encounter's record that disagree with each other.

Placeholder until the discrepancy rules land (issue 6, second part).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from himdesk.domain.completeness import Deficiency, EncounterRecord


def find_discrepancies(record: EncounterRecord, due: date) -> list[Deficiency]:
    return []
