"""The ICD-10-CM Alphabetic Index as values: one `IndexEntry` per index line, in document
order, for each of the four indexes that share the official `ICD10CM.index` schema.

An entry's path is its main term and the sub-terms above it ("Infarct, infarction >
myocardium > non-ST elevation"); see and see-also cross-references are kept as written
("Infarct, myocardium") and resolved by `index_navigation`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass


class IndexKind(enum.StrEnum):
    DISEASES = "diseases"  # Index to Diseases and Injuries
    EXTERNAL_CAUSES = "external_causes"  # External Cause of Injuries Index
    NEOPLASMS = "neoplasms"  # Table of Neoplasms
    DRUGS = "drugs"  # Table of Drugs and Chemicals


@dataclass(frozen=True, slots=True)
class TableCell:
    """One column of a table row: "Malignant Primary" -> "C34.90"; "--" (no code) is left out."""

    column: str
    code: str  # as printed: dotted, may end in "-" (incomplete: see the tabular)


@dataclass(frozen=True, slots=True)
class IndexEntry:
    kind: IndexKind
    position: int  # document order within its index, from 0
    level: int  # 0 = main term
    term: str  # without the non-essential modifiers, e.g. "non-ST elevation"
    parent: int | None  # position of the entry one level up; None for a main term
    nonessential: tuple[str, ...] = ()  # "(NSTEMI)" -> ("NSTEMI",)
    code: str = ""  # as printed: dotted, may end in "-"; "" when the line has none
    see: str = ""  # "Infarct, myocardium"
    see_also: str = ""
    cells: tuple[TableCell, ...] = ()  # neoplasm and drug tables only


@dataclass(frozen=True, slots=True)
class AlphabeticIndex:
    """One index (diseases, external causes, neoplasms or drugs) of one fiscal year."""

    kind: IndexKind
    fiscal_year: int
    entries: Sequence[IndexEntry]  # entries[i].position == i
    columns: tuple[str, ...] = ()  # table headings after the first ("Malignant Primary", ...)

    def lineage(self, position: int) -> Iterator[IndexEntry]:
        """The entry and every entry above it, main term last."""
        entry: IndexEntry | None = self.entries[position]
        while entry is not None:
            yield entry
            entry = self.entries[entry.parent] if entry.parent is not None else None

    def path(self, position: int) -> list[str]:
        """Main term first: ["Infarct, infarction", "myocardium", "non-ST elevation"]."""
        return [entry.term for entry in reversed(list(self.lineage(position)))]

    def path_text(self, position: int) -> str:
        """How a coder writes the path: "Infarct, infarction, myocardium, non-ST elevation
        (NSTEMI)" with the last line's non-essential modifiers in parentheses."""
        entry = self.entries[position]
        text = ", ".join(self.path(position))
        if entry.nonessential:
            text += " " + " ".join(f"({modifier})" for modifier in entry.nonessential)
        return text
