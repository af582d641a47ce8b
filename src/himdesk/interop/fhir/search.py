"""FHIR search parameters into record search criteria (pure).

https://hl7.org/fhir/R4/search.html — supported: `_id`, `_count` (default 50, at most 500),
`_offset` (paging), `patient`/`subject`, `identifier` (system|value), `name` (`:exact`,
`:contains`), `gender`, `birthdate` and `date` (prefixes eq, lt, le, gt, ge on the resource's
main date), `code` (system|code, |code or code; comma for alternatives). An unknown parameter
is an error unless the client sent `Prefer: handling=lenient` (then it is ignored).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from himdesk.domain.record_search import (
    CodeMatch,
    IdentifierMatch,
    NameMatch,
    Page,
    RecordCriteria,
    RecordKind,
    TimeRange,
    record_id,
)
from himdesk.interop.fhir import vocabulary as v

DEFAULT_COUNT = 50
MAX_COUNT = 500
MAX_VALUE = 1000  # characters in one parameter value
# Each alternative is a bound value in SQL (SQLite takes at most 32,766 in one statement).
MAX_PARAMETERS = 30
MAX_ALTERNATIVES = 100  # comma-separated values in one parameter
# The types the API serves, by the record part each maps to.
KINDS = {
    "Patient": RecordKind.PATIENT,
    "Practitioner": RecordKind.CLINICIAN,
    "Encounter": RecordKind.ENCOUNTER,
    "Condition": RecordKind.DIAGNOSIS,
    "Procedure": RecordKind.PROCEDURE,
    "Observation": RecordKind.OBSERVATION,
    "MedicationRequest": RecordKind.MEDICATION,
    "AllergyIntolerance": RecordKind.ALLERGY,
    "DocumentReference": RecordKind.DOCUMENT,
}
_CLINICAL = {"patient", "subject", "date"}
# The search parameters of each type, beside `_id`, `_count` and `_offset`.
PARAMETERS: dict[str, frozenset[str]] = {
    "Patient": frozenset({"identifier", "name", "birthdate", "gender"}),
    "Encounter": frozenset(_CLINICAL | {"identifier"}),
    "Condition": frozenset(_CLINICAL | {"code", "recorded-date"}),
    "Procedure": frozenset(_CLINICAL | {"code"}),
    "Observation": frozenset(_CLINICAL | {"code"}),
    "MedicationRequest": frozenset(_CLINICAL | {"code", "authoredon"}),
    "AllergyIntolerance": frozenset({"patient", "date", "code"}),
    "DocumentReference": frozenset(_CLINICAL),
}
_IGNORED = {"_format", "_pretty"}  # json is the only format; pretty-printing is the client's
_DATE_ALIASES = {"recorded-date", "authoredon"}
_PREFIX = re.compile(r"(eq|ne|lt|gt|le|ge|sa|eb|ap)?(.+)")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_SEXES = {"female": "F", "male": "M", "other": "O", "unknown": "U"}


class SearchError(ValueError):
    """A parameter that cannot be searched on: which one and why."""

    def __init__(self, parameter: str, problem: str) -> None:
        super().__init__(f"{parameter}: {problem}")
        self.parameter = parameter


@dataclass(frozen=True)
class SearchQuery:
    resource_type: str
    kind: RecordKind
    criteria: RecordCriteria
    page: Page
    # The parameters understood, as given (for the Bundle's self and paging links).
    echo: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def parse_search(
    resource_type: str, params: Sequence[tuple[str, str]], lenient: bool = False
) -> SearchQuery:
    allowed = PARAMETERS.get(resource_type)
    if allowed is None:
        raise SearchError(resource_type, "is not a type this server searches")
    criteria, page, echo = RecordCriteria(), Page(DEFAULT_COUNT), []
    if len(params) > MAX_PARAMETERS:
        raise SearchError(params[MAX_PARAMETERS][0][:40],
                          f"a search takes at most {MAX_PARAMETERS} parameters")  # fmt: skip
    for raw_name, value in params:
        if len(value) > MAX_VALUE or "\x00" in value:
            raise SearchError(raw_name[:40], f"expected text of at most {MAX_VALUE} characters")
        name, _, modifier = raw_name.partition(":")
        if name in _IGNORED:
            continue
        if name not in allowed | {"_id", "_count", "_offset"} or (modifier and name != "name"):
            if lenient:
                continue
            problem = f"modifier :{modifier} is not supported" if modifier else "is not supported"
            raise SearchError(raw_name, f"{problem} for {resource_type}")
        if name == "_count":
            page = replace(page, limit=min(_whole_number(raw_name, value), MAX_COUNT))
        elif name == "_offset":
            page = replace(page, offset=_whole_number(raw_name, value))
        else:
            criteria = _narrowed(criteria, name, modifier, value)
        if name != "_offset":
            echo.append((raw_name, value))
    return SearchQuery(resource_type, KINDS[resource_type], criteria, page, tuple(echo))


def _narrowed(criteria: RecordCriteria, name: str, modifier: str, value: str) -> RecordCriteria:
    if not value.strip():
        raise SearchError(name, "has no value")
    if name == "_id":
        ids = tuple(_id(name, i) for i in _alternatives(name, value))
        return replace(criteria, ids=criteria.ids + ids)
    if name in ("patient", "subject"):
        return replace(criteria, patient_id=patient_id_of(name, value))
    if name == "identifier":
        identifiers = tuple(_identifier(i) for i in _alternatives(name, value))
        return replace(criteria, identifiers=identifiers)
    if name == "name":
        if modifier not in ("", "exact", "contains"):
            raise SearchError(f"name:{modifier}", "use name, name:exact or name:contains")
        alternatives = tuple(
            NameMatch(part, exact=modifier == "exact", contains=modifier == "contains")
            for part in _alternatives(name, value)
        )
        return replace(criteria, names=(*criteria.names, alternatives))
    if name == "gender":
        return replace(criteria, sex=_sex(value))
    if name == "birthdate":
        return replace(criteria, birth=(*criteria.birth, date_range(name, value)))
    if name == "date" or name in _DATE_ALIASES:
        return replace(criteria, when=(*criteria.when, date_range(name, value)))
    return replace(criteria, codes=tuple(_code(name, c) for c in _alternatives(name, value)))


def _alternatives(name: str, value: str) -> list[str]:
    """The comma-separated values of one parameter (any of them matches)."""
    values = value.split(",")
    if len(values) > MAX_ALTERNATIVES:
        raise SearchError(name, f"give at most {MAX_ALTERNATIVES} values separated by commas")
    return values


def _whole_number(name: str, value: str) -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise SearchError(name, f"expected a whole number below a billion, found {value[:20]!r}")
    return int(value)


def _id(name: str, value: str) -> int:
    found = record_id(value)
    return -1 if found is None else found  # no record has id -1: nothing matches


def patient_id_of(name: str, value: str) -> int:
    """A patient reference: "12", "Patient/12" or an absolute URL ending in Patient/12."""
    tail = value.strip().rstrip("/").split("/")
    if len(tail) >= 2 and tail[-2] != "Patient":
        raise SearchError(name, f"expected a Patient reference, found a {tail[-2]} reference")
    found = record_id(tail[-1])
    if found is None:
        raise SearchError(name, "expected a Patient id (digits, at most 2147483647), e.g. "
                                "patient=12")  # fmt: skip
    return found


def _identifier(text: str) -> IdentifierMatch:
    system, bar, value = text.partition("|")
    if not bar:
        return IdentifierMatch(text.strip())
    system, value = system.strip(), value.strip()
    if not value:
        raise SearchError("identifier", "give the value after the bar: system|value")
    for prefix in (v.HIMDESK_MRN_PREFIX, v.HIMDESK_ACCOUNT_PREFIX):
        if system.startswith(prefix):
            return IdentifierMatch(value, facility=system.removeprefix(prefix))
    return IdentifierMatch(value, system or None)


def _sex(value: str) -> str:
    if value not in _SEXES:
        raise SearchError("gender", f"expected one of {', '.join(_SEXES)}")
    return _SEXES[value]


def _code(name: str, text: str) -> CodeMatch:
    system, bar, code = text.partition("|")
    if not bar:
        return CodeMatch(text.strip())
    if not code.strip():
        raise SearchError(name, "give the code after the bar: system|code")
    return CodeMatch(code.strip(), v.system_names(system.strip()))


def date_range(name: str, text: str) -> TimeRange:
    """A prefixed FHIR date or dateTime as the range of times it selects.

    The value's own precision is a range (2026 is the whole year): `eq` is inside it, `lt`
    before its start, `le` before its end, `gt` after its end, `ge` from its start.
    """
    match = _PREFIX.fullmatch(text.strip())
    prefix, value = (match.group(1) or "eq", match.group(2)) if match else ("eq", "")
    if prefix not in ("eq", "lt", "le", "gt", "ge"):
        raise SearchError(name, f"the prefix {prefix} is not supported (use eq, lt, le, gt, ge)")
    start, end = _span(name, value)
    return {
        "eq": TimeRange(start, end),
        "lt": TimeRange(None, start),
        "le": TimeRange(None, end),
        "gt": TimeRange(end, None),
        "ge": TimeRange(start, None),
    }[prefix]


def _span(name: str, value: str) -> tuple[datetime, datetime]:
    day_match = _DATE.fullmatch(value)
    try:
        if day_match:
            year, month, day = (int(g) if g else None for g in day_match.groups())
            start = datetime(year or 1, month or 1, day or 1, tzinfo=UTC)
            if day is not None:
                return start, start + timedelta(days=1)
            if month is not None:
                return start, _next_month(start)
            return start, start.replace(year=start.year + 1)
        if "T" in value:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
            return moment, moment + timedelta(seconds=1)
    except (ValueError, OverflowError):  # no such day, or past the calendar's last second
        pass
    raise SearchError(name, f"expected a date (YYYY, YYYY-MM, YYYY-MM-DD) or dateTime, "
                            f"found {value[:30]!r}")  # fmt: skip


def _next_month(start: datetime) -> datetime:
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)
