"""Reading the Table of Drugs and Chemicals the way a coder does: the substance's row, then
the column the documentation chooses (poisoning by intent, adverse effect, underdosing).

"Overdose" and "poisoning" are poisonings; with no intent documented a poisoning is
accidental (ICD-10-CM Official Guidelines I.C.19.e.5.b), which is also the column read
when the query names the substance alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from himdesk.domain.coding.alphabetic_index import TableCell

# (how the column heading starts, words that choose it); the first is the default.
_COLUMNS = (
    ("poisoning accidental", "poisoning overdose overdosage accidental unintentional"),
    ("poisoning intentional", "poisoning overdose overdosage intentional self harm suicide"),
    ("poisoning assault", "poisoning overdose overdosage assault"),
    ("poisoning undetermined", "poisoning overdose overdosage undetermined"),
    ("adverse effect", "adverse effect side reaction"),
    ("underdosing", "underdosing underdose"),
)


# Every word that chooses a column: a substance's row explains them when the query has them.
COLUMN_WORDS = " ".join(choosing for _, choosing in _COLUMNS)


@dataclass(frozen=True, slots=True)
class DrugColumn:
    column: str  # the heading as the table prints it
    code: str
    used: frozenset[str]  # query words the column explains


def drug_column(
    cells: Sequence[TableCell], query: frozenset[str], words: Callable[[str], frozenset[str]]
) -> DrugColumn | None:
    """The cell of a substance's row the query's words choose, else the accidental
    poisoning; None when the row has no such cell."""
    best: DrugColumn | None = None
    for heading, choosing in _COLUMNS:
        cell = next((c for c in cells if c.column.lower().startswith(heading)), None)
        if cell is None:
            continue
        used = words(choosing) & query
        if best is None or len(used) > len(best.used):
            best = DrugColumn(cell.column, cell.code, used)
    return best
