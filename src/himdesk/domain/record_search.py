"""What a search of the record asks for: kinds of record part and criteria, as plain values.

The FHIR API parses its search parameters into these (interop/fhir/search.py); storage turns
them into queries. Criteria in one tuple are alternatives (OR) unless said otherwise.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

# Record ids are INTEGER columns, 32 bits on PostgreSQL, which refuses to compare one with a
# larger number ("integer out of range"): a larger id names nothing and is never looked up.
LARGEST_RECORD_ID = 2**31 - 1


def record_id(text: str) -> int | None:
    """The record id written in `text` (decimal digits), or None when it cannot be one."""
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if number <= LARGEST_RECORD_ID else None


class RecordKind(enum.StrEnum):
    PATIENT = "patient"
    CLINICIAN = "clinician"
    ENCOUNTER = "encounter"
    DIAGNOSIS = "diagnosis"
    PROCEDURE = "procedure"
    OBSERVATION = "observation"
    MEDICATION = "medication"
    ALLERGY = "allergy"
    DOCUMENT = "document"


@dataclass(frozen=True)
class TimeRange:
    """From `start` (inclusive) to `end` (exclusive), in UTC; None is open-ended."""

    start: datetime | None = None
    end: datetime | None = None

    def holds(self, moment: datetime) -> bool:
        after_start = self.start is None or moment >= self.start
        return after_start and (self.end is None or moment < self.end)


@dataclass(frozen=True)
class CodeMatch:
    """A code, in any of `systems` (the names a code system goes by), or in any system."""

    code: str
    systems: tuple[str, ...] | None = None


@dataclass(frozen=True)
class IdentifierMatch:
    """An identifier value, issued by `system` (None: by anyone); with `facility`, the hospital's
    own MRN (or account number) of that facility."""

    value: str
    system: str | None = None
    facility: str | None = None


@dataclass(frozen=True)
class NameMatch:
    """Part of a family or given name: its start (the default), all of it, or anywhere in it."""

    text: str
    exact: bool = False
    contains: bool = False


@dataclass(frozen=True)
class RecordCriteria:
    ids: tuple[int, ...] = ()
    patient_id: int | None = None
    identifiers: tuple[IdentifierMatch, ...] = ()
    # Each inner tuple is one parameter (its alternatives); all parameters must match (AND).
    names: tuple[tuple[NameMatch, ...], ...] = ()
    # Every range must hold (AND): `birthdate=ge1960&birthdate=lt1970`.
    birth: tuple[TimeRange, ...] = ()
    # The part's main time (admission, result time, authoring ...); every range must hold.
    when: tuple[TimeRange, ...] = ()
    codes: tuple[CodeMatch, ...] = ()
    sex: str | None = None


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int = 0
