"""The Table of Neoplasms and the Table of Drugs and Chemicals, searched by row.

A row is found by its whole path ("Neoplasm, neoplastic > lung > lower lobe") and its
non-essential modifiers, so "lung" also finds "bronchogenic (lung)". Each cell's code is
checked against the tabular of the release in use: a code ending in "-" is incomplete
(the tabular must be consulted), a drug-table code still needs its 7th character, and a
code the release lacks is flagged rather than offered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from himdesk.domain.coding.alphabetic_index import AlphabeticIndex, IndexEntry, IndexKind
from himdesk.domain.coding.codes import normalized_code
from himdesk.domain.coding.note_links import nearest_node_key
from himdesk.domain.coding.tabular import Tabular

LONGEST_QUERY = 200
SHOWN_ROWS = 200
_WORD = re.compile(r"[^\W_]+")
_NO_CODE = {"", "-", "--", "—"}


class UnreadableTableQuery(ValueError):
    """A search text the table pages refuse (too long to be a site or substance)."""


@dataclass(frozen=True, slots=True)
class TableCode:
    code: str  # as printed: "C79.8-", "T39.1X1"
    target: str | None  # the tabular key it leads to (the nearest existing node)
    incomplete: bool  # printed with "-": choose a more specific code in the tabular
    needs_seventh: bool  # complete only once a 7th character is added
    in_release: bool  # False when the release's tabular lacks the code

    @property
    def flag(self) -> str:
        if not self.in_release:
            return "not in the tabular"
        if self.incomplete:
            return "incomplete"
        return "needs a 7th character" if self.needs_seventh else ""


@dataclass(frozen=True, slots=True)
class TableRow:
    position: int
    parent: int | None  # the row one level up
    level: int  # 0 = main term; indentation in the printed table
    path: tuple[str, ...]  # main term first
    nonessential: tuple[str, ...]
    see: str
    see_also: str
    cells: tuple[TableCode | None, ...]  # one per column, None where the table has no code


@dataclass(frozen=True, slots=True)
class TableView:
    kind: IndexKind
    index_year: int  # the table file's own fiscal year
    tabular_year: int  # the tabular its codes are checked against
    columns: tuple[str, ...]
    query: str
    rows: tuple[TableRow, ...]  # at most SHOWN_ROWS, in table order
    matched: int  # rows found in all


class IndexTable:
    """One table, with every row's searchable text prepared once."""

    def __init__(self, index: AlphabeticIndex, tabular: Tabular) -> None:
        self._index = index
        self._tabular = tabular
        self._searchable = [_searchable(index, entry) for entry in index.entries]

    def search(self, query: str, limit: int = SHOWN_ROWS) -> TableView:
        if len(query) > LONGEST_QUERY:
            raise UnreadableTableQuery(
                f"The search text is {len(query)} characters long; a site or substance "
                f"needs at most {LONGEST_QUERY}."
            )
        words = [word.casefold() for word in _WORD.findall(query)]
        found = [
            i for i, text in enumerate(self._searchable) if all(word in text for word in words)
        ]
        rows = tuple(self._row(self._index.entries[i]) for i in found[:limit])
        return TableView(self._index.kind, self._index.fiscal_year, self._tabular.fiscal_year,
                         self._index.columns, query.strip(), rows, len(found))  # fmt: skip

    def _row(self, entry: IndexEntry) -> TableRow:
        by_column = {cell.column: cell.code for cell in entry.cells}
        cells = tuple(self._code(by_column.get(column, "")) for column in self._index.columns)
        path = tuple(self._index.path(entry.position))
        return TableRow(entry.position, entry.parent, entry.level, path, entry.nonessential,
                        entry.see, entry.see_also, cells)  # fmt: skip

    def _code(self, printed: str) -> TableCode | None:
        printed = printed.strip()
        if printed in _NO_CODE:
            return None
        incomplete = printed.endswith("-")
        key = normalized_code(printed).rstrip("-")
        node = self._tabular.nodes.get(key)
        needs = (
            node is not None and not node.children and self._tabular.seventh_rule(key) is not None
        )
        in_release = node is not None or self._tabular.is_billable(key)
        target = nearest_node_key(key, self._tabular) if in_release else None
        return TableCode(printed, target, incomplete, needs, in_release)


def _searchable(index: AlphabeticIndex, entry: IndexEntry) -> str:
    parts: list[str] = []
    for line in index.lineage(entry.position):
        parts.append(line.term)
        parts.extend(line.nonessential)
    return " ".join(parts).casefold()
