"""ICD-10-PCS tables and definitions as values.

A table fixes the first three characters (section, body system, operation); each of its
rows lists the values allowed for characters 4-7 together. A code is valid exactly when
some row of its table allows each of its last four characters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class PcsValue:
    character: str  # "0".."9", "A".."Z" (no I or O)
    label: str  # "Open"


@dataclass(frozen=True, slots=True)
class PcsAxis:
    position: int  # 1..7
    title: str  # "Body Part", "Approach", "Device", "Qualifier" ...
    values: tuple[PcsValue, ...]


@dataclass(frozen=True, slots=True)
class PcsRow:
    axes: tuple[PcsAxis, PcsAxis, PcsAxis, PcsAxis]  # positions 4, 5, 6, 7

    def allows(self, code: str) -> bool:
        return all(
            any(value.character == code[axis.position - 1] for value in axis.values)
            for axis in self.axes
        )


@dataclass(frozen=True, slots=True)
class PcsTable:
    prefix: str  # the first three characters, e.g. "021"
    axes: tuple[PcsAxis, PcsAxis, PcsAxis]  # positions 1, 2, 3 (one value each)
    operation_definition: str  # the definition printed with axis 3
    rows: tuple[PcsRow, ...]

    def allows(self, code: str) -> bool:
        return len(code) == 7 and code[:3] == self.prefix and any(r.allows(code) for r in self.rows)


@dataclass(frozen=True, slots=True)
class PcsDefinition:
    """A term's definition from the PCS Definitions file, per section and axis position."""

    section: str  # section character, "0" = Medical and Surgical
    position: int
    title: str  # the value's name, e.g. "Bypass"
    definition: str
    explanation: str = ""
    includes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PcsTables:
    fiscal_year: int
    tables: Mapping[str, PcsTable]  # by prefix
    definitions: Sequence[PcsDefinition] = field(default_factory=tuple)

    def is_valid(self, code: str) -> bool:
        table = self.tables.get(code[:3].upper())
        return table is not None and table.allows(code.upper())
