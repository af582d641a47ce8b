"""An alphabetic index as stored: one list per line, table cells by column number."""

from __future__ import annotations

from typing import Any

from himdesk.domain.coding.alphabetic_index import (
    AlphabeticIndex,
    IndexEntry,
    IndexKind,
    TableCell,
)


def encode_index(index: AlphabeticIndex) -> dict[str, Any]:
    column_of = {name: number for number, name in enumerate(index.columns)}
    return {
        "kind": index.kind.value,
        "fiscal_year": index.fiscal_year,
        "columns": list(index.columns),
        "entries": [
            [
                entry.level, entry.term, entry.parent, list(entry.nonessential) or 0,
                entry.code, entry.see, entry.see_also,
                [[column_of[cell.column], cell.code] for cell in entry.cells] or 0,
            ]
            for entry in index.entries
        ],
    }  # fmt: skip


def decode_index(stored: dict[str, Any]) -> AlphabeticIndex:
    kind = IndexKind(stored["kind"])
    columns = tuple(stored["columns"])
    shared_cells: dict[tuple[int, str], TableCell] = {}
    # Index words repeat ("acute", "with", "left"): one string object each.
    shared: dict[str, str] = {}
    same = shared.setdefault
    entries: list[IndexEntry] = []
    append = entries.append
    for position, (level, term, parent, modifiers, code, see, see_also, cells) in enumerate(
        stored["entries"]
    ):
        if cells:
            cells = tuple(_cell(shared_cells, columns, col, text) for col, text in cells)
        append(
            IndexEntry(
                kind, position, level, same(term, term), parent,
                tuple(modifiers) if modifiers else (),
                same(code, code), same(see, see), see_also, cells or (),
            )
        )  # fmt: skip
    return AlphabeticIndex(kind, stored["fiscal_year"], entries, columns)


def _cell(
    shared: dict[tuple[int, str], TableCell], columns: tuple[str, ...], column: int, code: str
) -> TableCell:
    key = (column, code)
    cell = shared.get(key)
    if cell is None:
        cell = shared[key] = TableCell(columns[column], code)
    return cell
