"""Typed reading of FHIR R4 JSON values, each failure naming where it is and what was expected.

The reader checks the type of every field it reads instead of validating whole resources with
`fhir.resources` models: model validation cost more than the import's speed target allows
(see `inbound`). Fields the record does not use are never looked at, so a resource is only
rejected for what himdesk would actually file.

Data types: https://hl7.org/fhir/R4/datatypes.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from himdesk.domain.incoming import Rejected, SourceRef

Json = dict[str, Any]

FHIR = "urn:fhir"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"

# https://hl7.org/fhir/R4/datatypes.html#dateTime (seconds made optional, zone tolerated missing)
_DATE_TIME = re.compile(
    r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})"
    r"(T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?)?)?"
)
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Numeric(12, 3) in the record: nine digits before the point, three after.
_LARGEST = Decimal("999999999.999")
_THOUSANDTHS = Decimal("0.001")


class Located:
    """One resource and where it sits in the input, so a rejection can name both."""

    __slots__ = ("kind", "place", "resource", "resource_id", "source")

    def __init__(self, resource: Json, kind: str, resource_id: str, place: str) -> None:
        self.resource = resource
        self.kind = kind
        self.place = place  # "entry 3", "line 7", or "" for a file holding one resource
        self.identify(resource_id)

    def identify(self, resource_id: str) -> None:
        self.resource_id = resource_id
        self.source = SourceRef(FHIR, f"{self.kind}/{resource_id}")

    def where(self, path: str) -> str:
        named = f"{self.kind}/{self.resource_id}" if self.resource_id else self.kind
        at = f"{self.place} ({named})" if self.place else named
        return f"{at} {path}" if path else at

    def reject(self, path: str, problem: str) -> NoReturn:
        raise Rejected(self.where(path), problem)


def joined(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    return {str: "a string", dict: "an object", list: "an array", int: "a number"}.get(
        type(value), "a number" if isinstance(value, float) else "null"
    )


def wrong(at: Located, path: str, expected: str, value: Any) -> NoReturn:
    at.reject(path, f"expected {expected}, found {_kind_of(value)}")


def text_of(obj: Json, key: str, at: Located, prefix: str = "") -> str:
    """A string field, stripped; "" when absent."""
    value = obj.get(key)
    if value is None:
        return ""
    if type(value) is not str:
        wrong(at, joined(prefix, key), "a string", value)
    if "\x00" in value:  # no database keeps a NUL character in text
        at.reject(joined(prefix, key), "contains a NUL character")
    return value.strip()


def object_of(obj: Json, key: str, at: Located, prefix: str = "") -> Json | None:
    value = obj.get(key)
    if value is None or type(value) is dict:
        return value
    wrong(at, joined(prefix, key), "an object", value)


def objects_of(obj: Json, key: str, at: Located, prefix: str = "") -> list[Json]:
    """An array of objects (FHIR repeating elements); [] when absent."""
    found: list[Json] = _array_of(obj, key, at, prefix, dict, "an object")
    return found


def texts_of(obj: Json, key: str, at: Located, prefix: str = "") -> list[str]:
    """An array of strings (e.g. HumanName.given); [] when absent."""
    found: list[str] = _array_of(obj, key, at, prefix, str, "a string")
    for index, item in enumerate(found):
        if "\x00" in item:
            at.reject(f"{joined(prefix, key)}[{index}]", "contains a NUL character")
    return found


def _array_of(obj: Json, key: str, at: Located, prefix: str, kind: type, expected: str) -> Any:
    value = obj.get(key)
    if value is None:
        return []
    if type(value) is not list:
        wrong(at, joined(prefix, key), f"an array of {expected.split()[-1]}s", value)
    for index, item in enumerate(value):
        if type(item) is not kind:
            wrong(at, f"{joined(prefix, key)}[{index}]", expected, item)
    return value


def decimal_of(obj: Json, key: str, at: Located, prefix: str = "") -> Decimal | None:
    """A JSON number as the record keeps it: rounded to thousandths, at most nine digits."""
    value = obj.get(key)
    if value is None:
        return None
    if type(value) is int:
        number = Decimal(value)
    elif type(value) is float:
        number = Decimal(repr(value))  # the shortest text that reads back as the same number
    else:
        wrong(at, joined(prefix, key), "a number", value)
    if not -_LARGEST <= number <= _LARGEST:
        at.reject(joined(prefix, key), f"{number} is beyond what the record keeps (±999999999.999)")
    try:
        return number.quantize(_THOUSANDTHS)
    except InvalidOperation:  # pragma: no cover - bounded above, kept for safety
        at.reject(joined(prefix, key), "is not a number the record can keep")


def moment(value: str, at: Located, path: str) -> datetime:
    """A FHIR date, dateTime or instant as a UTC datetime.

    A date alone is that day 00:00 UTC; a year or year-month is its first day. A time without a
    zone (not allowed by FHIR, sent anyway by some systems) is read as UTC.
    """
    parsed = _local_moment(value, at, path)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before the first day a datetime holds
        at.reject(path, f"{value!r} is out of the range of dates the record keeps")


def day(value: str, at: Located, path: str) -> date:
    """The calendar day a FHIR date or dateTime names, as written (not moved to UTC)."""
    return _local_moment(value, at, path).date()


def _local_moment(value: str, at: Located, path: str) -> datetime:
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        at.reject(path, f"expected a FHIR dateTime (YYYY-MM-DDThh:mm:ss+zz:zz), found {value!r}")
    year, month, day_of_month, time, zone = match.groups()
    try:
        if time is None:
            return datetime(int(year), int(month or 1), int(day_of_month or 1), tzinfo=UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        at.reject(path, f"{value!r} is not a real date and time")
    return parsed if zone else parsed.replace(tzinfo=UTC)


def moment_of(obj: Json, key: str, at: Located, prefix: str = "") -> datetime | None:
    value = text_of(obj, key, at, prefix)
    return moment(value, at, joined(prefix, key)) if value else None


def full_date_of(obj: Json, key: str, at: Located, prefix: str = "") -> date | None:
    """A FHIR date that must name a whole day (a birth date); None when absent."""
    value = text_of(obj, key, at, prefix)
    if not value:
        return None
    if _FULL_DATE.fullmatch(value) is None:
        at.reject(joined(prefix, key), f"expected a full date YYYY-MM-DD, found {value!r}")
    return day(value, at, joined(prefix, key))


def period_start_of(obj: Json, key: str, at: Located, prefix: str = "") -> datetime | None:
    period = object_of(obj, key, at, prefix)
    return None if period is None else moment_of(period, "start", at, joined(prefix, key))


def extension_text(obj: Json, url: str, value_key: str, at: Located, prefix: str = "") -> str:
    """The value of the extension with `url` (e.g. its valueString); "" when there is none.

    https://hl7.org/fhir/R4/extensibility.html
    """
    for index, extension in enumerate(objects_of(obj, "extension", at, prefix)):
        if extension.get("url") == url:
            return text_of(extension, value_key, at, joined(prefix, f"extension[{index}]"))
    return ""


def extension_of(obj: Json, url: str, at: Located, prefix: str = "") -> tuple[Json, str] | None:
    """The first extension with `url` and its path; None when there is none."""
    for index, extension in enumerate(objects_of(obj, "extension", at, prefix)):
        if extension.get("url") == url:
            return extension, joined(prefix, f"extension[{index}]")
    return None


def extension_flag(obj: Json, url: str, at: Located, prefix: str = "") -> bool:
    """The valueBoolean of the extension with `url`; False when there is none."""
    found = extension_of(obj, url, at, prefix)
    if found is None:
        return False
    extension, path = found
    value = extension.get("valueBoolean", False)
    if type(value) is not bool:
        wrong(at, f"{path}.valueBoolean", "true or false", value)
    return value


@dataclass(frozen=True, slots=True)
class Coded:
    """What a CodeableConcept says: the chosen coding and the best human-readable text."""

    code: str = ""
    system: str = ""
    text: str = ""


NOT_CODED = Coded()


def concept_of(
    obj: Json, key: str, at: Located, preferred: tuple[str, ...] = (), prefix: str = ""
) -> Coded:
    """A CodeableConcept: the coding of the first preferred system (else the first coding).

    Text is the concept's `text`, else the chosen coding's display.
    https://hl7.org/fhir/R4/datatypes.html#CodeableConcept
    """
    concept = object_of(obj, key, at, prefix)
    if concept is None:
        return NOT_CODED
    return concept_in(concept, at, joined(prefix, key), preferred)


def concept_in(concept: Json, at: Located, path: str, preferred: tuple[str, ...] = ()) -> Coded:
    codings = objects_of(concept, "coding", at, path)
    chosen_index = _preferred_index(codings, preferred)
    code = system = display = ""
    if chosen_index is not None:
        where = f"{path}.coding[{chosen_index}]"
        chosen = codings[chosen_index]
        code = text_of(chosen, "code", at, where)
        system = text_of(chosen, "system", at, where)
        display = text_of(chosen, "display", at, where)
    return Coded(code, system, text_of(concept, "text", at, path) or display)


def _preferred_index(codings: list[Json], preferred: tuple[str, ...]) -> int | None:
    for system in preferred:
        for index, coding in enumerate(codings):
            if coding.get("system") == system and coding.get("code"):
                return index
    return next((i for i, c in enumerate(codings) if c.get("code")), None)


def codes_of(concept: Json | None, at: Located, path: str) -> set[str]:
    """Every code in a CodeableConcept (for value sets matched by code alone)."""
    if concept is None:
        return set()
    codings = objects_of(concept, "coding", at, path)
    return {text_of(c, "code", at, f"{path}.coding[{i}]") for i, c in enumerate(codings)}


def within(value: str, limit: int, at: Located, path: str) -> str:
    """A code, identifier or name the record must keep whole: longer than its column is rejected."""
    if len(value) > limit:
        at.reject(path, f"is {len(value)} characters; the record keeps at most {limit}")
    return value
