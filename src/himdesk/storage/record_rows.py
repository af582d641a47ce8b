"""Record parts to rows and back: enums stored as their values."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import fields
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Result, Table

from himdesk.domain.records import (
    AbnormalFlag,
    DischargeDisposition,
    DocumentStatus,
    DocumentType,
    EncounterClass,
    EncounterStatus,
)
from himdesk.domain.sensitivity import SensitiveCategory

T = TypeVar("T")

# Columns stored as plain strings that the domain reads as enums.
_ENUMS: dict[str, Any] = {
    "encounter_class": EncounterClass,
    "status": None,  # depends on the table, see _STATUS
    "discharge_disposition": DischargeDisposition,
    "document_type": DocumentType,
    "flag": AbnormalFlag,
    "sensitivity": SensitiveCategory,
}
_STATUS = {"encounters": EncounterStatus, "documents": DocumentStatus}


def record_row(item: Any) -> dict[str, Any]:
    """The row for a record part: enums as their values, no id unless it has one.

    A shallow read of the fields: `dataclasses.asdict` deep-copies every value, which was
    most of the time of a 100k-patient load.
    """
    row = {}
    for name in _field_names(type(item)):
        value = getattr(item, name)
        row[name] = value.value if isinstance(value, enum.Enum) else value
    if row.get("id") is None:
        row.pop("id", None)
    return row


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    if cls not in _FIELD_NAMES:
        _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return _FIELD_NAMES[cls]


def build_record(cls: type[T], table: Table, mapping: Any) -> T:
    values: dict[str, Any] = {}
    for name, convert in _plan(cls, table.name):
        value = mapping[name]
        values[name] = convert(value) if convert is not None and value is not None else value
    return cls(**values)


def build_records(cls: type[T], table: Table, rows: Result[Any]) -> Iterator[T]:
    """The records of many rows of `select(table)`, reading each row by position.

    Chart analysis builds about five million of these per pass over 100,000 patients:
    looking the converters up once and skipping the per-row mapping takes a quarter off.
    """
    position = {name: i for i, name in enumerate(rows.keys())}
    plan = _plan(cls, table.name)
    picks = [position[name] for name, _ in plan]
    pick = itemgetter(*picks) if len(picks) > 1 else lambda row: (row[picks[0]],)
    enums = [(k, convert) for k, (_, convert) in enumerate(plan) if convert is not None]
    for row in rows:
        values = list(pick(row))
        for k, convert in enums:
            if values[k] is not None:
                values[k] = convert(values[k])
        yield cls(*values)


Converter = Callable[[Any], Any]
_PLANS: dict[tuple[type, str], tuple[tuple[str, Converter | None], ...]] = {}


def _plan(cls: type, table_name: str) -> tuple[tuple[str, Converter | None], ...]:
    """Each field of `cls` with how its stored value becomes the domain's (None: as is)."""
    key = (cls, table_name)
    if key not in _PLANS:
        _PLANS[key] = tuple((name, _converter(table_name, name)) for name in _field_names(cls))
    return _PLANS[key]


def _converter(table_name: str, name: str) -> Converter | None:
    kind: type[enum.Enum] | None = _STATUS[table_name] if name == "status" else _ENUMS.get(name)
    if kind is None:
        return None
    members = kind._value2member_map_  # a dict lookup is much cheaper than calling the enum
    return lambda value: members[value] if value in members else kind(value)
