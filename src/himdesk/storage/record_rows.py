"""Record parts to rows and back: enums stored as their values."""

from __future__ import annotations

import enum
from dataclasses import fields
from typing import Any, TypeVar

from sqlalchemy import Table

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
    for name in _field_names(cls):
        value = mapping[name]
        converter = _STATUS[table.name] if name == "status" else _ENUMS.get(name)
        values[name] = converter(value) if converter and value is not None else value
    return cls(**values)
