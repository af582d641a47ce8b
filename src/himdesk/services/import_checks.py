"""What the record can keep of a submission, checked before anything is written.

Readers check their formats; this is the import service's own guard, so that any
`Submission` (a new reader, a fuzzer) is either kept whole or rejected naming the field —
never half-written, never a database error. Display text longer than the record keeps is
shortened with "…" where the reader left it long; codes, units and identifiers are refused.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from himdesk.domain.incoming import (
    IncomingChart,
    IncomingPatient,
    PatientIdentifier,
    Rejected,
    SourceRef,
    Submission,
    result_fits,
    text_within,
)

# Longest value each field may have (the columns of storage/tables.py).
LIMITS: dict[str, int] = {
    "system": 200, "value": 200, "family_name": 60, "given_name": 60, "middle_name": 60,
    "line": 120, "city": 60, "state": 2, "postal_code": 10, "phone": 20, "npi": 10,
    "credentials": 20, "specialty": 60, "code": 20, "code_system": 100, "unit": 20,
    "type_code": 20, "dose": 40, "route": 20, "frequency": 40, "severity": 20,
    "laterality": 10,
}  # fmt: skip
SHORTENED: dict[str, int] = {
    "title": 200, "display": 120, "description": 200, "name": 120, "substance": 120,
    "reaction": 120, "service": 40,
}  # fmt: skip
IDENTIFIER_VALUE = 100  # patient_identifiers.value
PART_LISTS = ("encounters", "documents", "observations", "diagnoses", "procedures",
              "medications", "allergies")  # fmt: skip


def check_submission(submission: Submission) -> None:
    """Raise `Rejected` for the first value the record cannot keep, naming where it is."""
    _check_names(submission)
    for where, item in _parts(submission):
        _check_fields(where, item)


def _check_names(submission: Submission) -> None:
    """What the submission is called, kept with its receipt (the columns cut it to width)."""
    names = [("label", submission.label), ("message type", submission.message_type),
             ("control id", submission.control_id)]  # fmt: skip
    names += [("kind not held", kind) for kind, _ in submission.not_held]
    for name, value in names:
        if "\x00" in value or not _encodes(value):
            _check_text(f"submission {name}", value, None)


def _parts(submission: Submission) -> Iterator[tuple[str, Any]]:
    for n, clinician in enumerate(submission.clinicians, 1):
        yield f"clinician {n} ({clinician.source})", clinician
    for n, merge in enumerate(submission.merges, 1):
        yield f"merge {n}", merge.surviving
        for k, identifier in enumerate(merge.merged, 1):
            yield f"merge {n}, merged identifier {k}", identifier
    for n, chart in enumerate(submission.charts, 1):
        yield from _chart_parts(n, chart)


def _chart_parts(n: int, chart: IncomingChart) -> Iterator[tuple[str, Any]]:
    where = f"chart {n} ({_source_of(chart.patient)})"
    yield f"{where}, patient", chart.patient
    for name in PART_LISTS:
        for k, part in enumerate(getattr(chart, name), 1):
            yield f"{where}, {name[:-1] if name != 'diagnoses' else 'diagnosis'} {k} "\
                  f"({part.source})", part  # fmt: skip


def _source_of(patient: IncomingPatient | SourceRef) -> SourceRef:
    return patient if isinstance(patient, SourceRef) else patient.source


def _check_fields(where: str, item: Any, path: tuple[str, ...] = ()) -> None:
    """Check every field; the place is spelled out only for the one that fails (imports check
    tens of thousands of parts a second)."""
    for name in _field_names(type(item)):
        value = getattr(item, name)
        if isinstance(value, str):
            identifier = name == "value" and isinstance(item, PatientIdentifier)
            limit = IDENTIFIER_VALUE if identifier else LIMITS.get(name)
            if "\x00" in value or not _encodes(value) or (limit and len(value) > limit):
                _check_text(" ".join((where, *path, name)), value, limit)
        elif isinstance(value, datetime):
            if value.tzinfo is None:
                raise Rejected(" ".join((where, *path, name)),
                               "has no time zone; the record keeps UTC times only")  # fmt: skip
        elif isinstance(value, Decimal):
            if not result_fits(value):
                _check_number(" ".join((where, *path, name)), value)
        elif type(value) is SourceRef:
            # Checked inline: every part has one, and most are short and clean.
            plain = str(value)
            if len(value.system) > 200 or len(value.value) > 200 or not _plain_ascii(plain):
                _check_fields(where, value, (*path, name))
        elif isinstance(value, tuple):
            for k, element in enumerate(value, 1):
                if dataclasses.is_dataclass(element):
                    _check_fields(where, element, (*path, name, str(k)))
        elif dataclasses.is_dataclass(value):
            _check_fields(where, value, (*path, name))


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    if cls not in _FIELDS:
        _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return _FIELDS[cls]


def _plain_ascii(value: str) -> bool:
    return value.isascii() and "\x00" not in value


def _encodes(value: str) -> bool:
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_text(where: str, value: str, limit: int | None) -> None:
    if "\x00" in value:
        raise Rejected(where, "contains a NUL character")
    if not _encodes(value):
        raise Rejected(where, "is not valid Unicode text")
    if limit is not None:
        text_within(value, limit, where)


def _check_number(where: str, value: Decimal) -> None:
    if not value.is_finite():
        raise Rejected(where, "is not a finite number")
    if not result_fits(value):
        raise Rejected(where, f"is {value}; the record keeps results below 1,000,000,000 "
                       "(rounded to thousandths)")  # fmt: skip
