"""PCS tables and definitions as stored. Values and axes are stored once and referred to by
number: the 914 tables repeat the same approaches, devices and qualifiers many times."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from himdesk.domain.coding.pcs import (
    PcsAxis,
    PcsDefinition,
    PcsRow,
    PcsTable,
    PcsTables,
    PcsValue,
)


def encode_tables(tables: PcsTables) -> dict[str, Any]:
    values: dict[PcsValue, int] = {}
    axes: dict[tuple[int, str, tuple[int, ...]], int] = {}

    def axis_number(axis: PcsAxis) -> int:
        numbers = tuple(values.setdefault(v, len(values)) for v in axis.values)
        key = (axis.position, axis.title, numbers)
        return axes.setdefault(key, len(axes))

    encoded = [
        [
            table.prefix, [axis_number(a) for a in table.axes], table.operation_definition,
            [[axis_number(a) for a in row.axes] for row in table.rows],
        ]
        for table in tables.tables.values()
    ]  # fmt: skip
    return {
        "fiscal_year": tables.fiscal_year,
        "values": [[v.character, v.label] for v in values],
        "axes": [[position, title, list(numbers)] for position, title, numbers in axes],
        "tables": encoded,
    }


def decode_tables(stored: dict[str, Any]) -> PcsTables:
    values = [PcsValue(character, label) for character, label in stored["values"]]
    axes = [
        PcsAxis(position, title, tuple(values[n] for n in numbers))
        for position, title, numbers in stored["axes"]
    ]
    tables: dict[str, PcsTable] = {}
    for prefix, (first, second, third), definition, rows in stored["tables"]:
        tables[prefix] = PcsTable(
            prefix,
            (axes[first], axes[second], axes[third]),
            definition,
            tuple(PcsRow((axes[a], axes[b], axes[c], axes[d])) for a, b, c, d in rows),
        )
    return PcsTables(stored["fiscal_year"], tables)


def encode_definitions(definitions: Sequence[PcsDefinition]) -> list[list[Any]]:
    return [
        [d.section, d.position, d.title, d.definition, d.explanation, list(d.includes)]
        for d in definitions
    ]


def decode_definitions(stored: list[list[Any]]) -> tuple[PcsDefinition, ...]:
    return tuple(
        PcsDefinition(section, position, title, definition, explanation, tuple(includes))
        for section, position, title, definition, explanation, includes in stored
    )
