"""FHIR R4 Observation into incoming results: one per numeric value, components included.

https://hl7.org/fhir/R4/observation.html. The record holds numeric results; an observation
whose value is coded, text or absent is counted as "Observation without a numeric value",
never dropped silently. A blood pressure (a `component` per reading) becomes one result per
component, filed under `Observation/<id>#<component index>`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from himdesk.domain.incoming import IncomingObservation, SourceRef, shortened
from himdesk.domain.records import AbnormalFlag
from himdesk.interop.fhir.fhir_values import (
    FHIR,
    LOINC,
    Json,
    Located,
    codes_of,
    concept_of,
    decimal_of,
    joined,
    moment_of,
    object_of,
    objects_of,
    period_start_of,
    text_of,
    within,
)
from himdesk.interop.fhir.inbound_references import Reading

NOT_NUMERIC = "Observation without a numeric value"
_NO_TIME = "expected effectiveDateTime, effectivePeriod.start, issued or a report's time"
WITH_COMPARATOR = "Observation with a comparator value (<, <=, >=, >)"

# https://terminology.hl7.org/CodeSystem-v3-ObservationInterpretation.html, most severe first.
_FLAGS = (
    ("HH", AbnormalFlag.CRITICAL_HIGH),
    ("LL", AbnormalFlag.CRITICAL_LOW),
    ("H", AbnormalFlag.HIGH),
    ("HU", AbnormalFlag.HIGH),
    ("H>", AbnormalFlag.HIGH),
    (">", AbnormalFlag.HIGH),
    ("L", AbnormalFlag.LOW),
    ("LU", AbnormalFlag.LOW),
    ("L<", AbnormalFlag.LOW),
    ("<", AbnormalFlag.LOW),
)


class _Shared:
    """The parts one observation's results share: when, where, and the encounter."""

    __slots__ = ("at", "encounter", "observed_at")

    def __init__(self, at: Located, observed_at: datetime | None, encounter: SourceRef | None):
        self.at = at
        self.observed_at = observed_at
        self.encounter = encounter


def map_observation(at: Located, reading: Reading) -> list[IncomingObservation]:
    """Results of one Observation: its own numeric value and each numeric component."""
    observation = at.resource
    observed_at = _own_time(at)
    encounter = reading.encounter_of(at)
    if observed_at is None or encounter is None:
        inherited_at, inherited_encounter = _inherited(at, reading)
        observed_at = observed_at or inherited_at
        encounter = encounter or inherited_encounter
    shared = _Shared(at, observed_at, encounter)
    found: list[IncomingObservation] = []
    components = objects_of(observation, "component", at)
    own = _result(shared, observation, "", at.source, reading)
    if own is not None:
        found.append(own)
    elif not components or any(
        k.startswith("value") and v is not None for k, v in observation.items()
    ):
        reading.not_held[_why_not(observation)] += 1
    for index, component in enumerate(components):
        source = SourceRef(FHIR, f"Observation/{at.resource_id}#{index}")
        result = _result(shared, component, f"component[{index}]", source, reading)
        if result is None:
            reading.not_held[_why_not(component)] += 1
        else:
            found.append(result)
    return found


def note_parents(located: list[Located], reading: Reading) -> None:
    """Remember which report or panel lists each Observation (`result`, `hasMember`)."""
    for at in located:
        key = {"DiagnosticReport": "result", "Observation": "hasMember"}.get(at.kind)
        if key is None:
            continue
        for index, reference in enumerate(objects_of(at.resource, key, at)):
            target = reading.resolve(reference, at, f"{key}[{index}]", "Observation")
            if target is not None and target.kind == "Observation":
                reading.parents.setdefault(target.source, at)


def _own_time(at: Located) -> datetime | None:
    return (
        moment_of(at.resource, "effectiveDateTime", at)
        or period_start_of(at.resource, "effectivePeriod", at)
        or moment_of(at.resource, "effectiveInstant", at)
        or moment_of(at.resource, "issued", at)
    )


def _inherited(at: Located, reading: Reading) -> tuple[datetime | None, SourceRef | None]:
    """The time and encounter of the nearest report or panel above a result that has them."""
    observed_at: datetime | None = None
    encounter: SourceRef | None = None
    seen = {at.source}
    parent = reading.parents.get(at.source)
    while parent is not None and parent.source not in seen and not (observed_at and encounter):
        seen.add(parent.source)
        observed_at = observed_at or _own_time(parent)
        encounter = encounter or reading.encounter_of(parent)
        parent = reading.parents.get(parent.source)
    return observed_at, encounter


def _why_not(element: Json) -> str:
    quantity = element.get("valueQuantity")
    comparator = type(quantity) is dict and quantity.get("comparator")
    return WITH_COMPARATOR if comparator else NOT_NUMERIC


def _result(
    shared: _Shared, element: Json, path: str, source: SourceRef, reading: Reading
) -> IncomingObservation | None:
    """The result one Observation or component holds, or None when its value is not a number."""
    at = shared.at
    numeric = _numeric(element, at, path)
    if numeric is None:
        return None
    value, unit = numeric
    if shared.observed_at is None:
        at.reject("effective[x]", _NO_TIME)
    coded = concept_of(element, "code", at, (LOINC,), path)
    if not coded.code and not coded.text:
        at.reject(joined(path, "code"), "is missing; expected a code or text naming the result")
    low, high = _reference_range(element, at, path)
    return IncomingObservation(
        source=source,
        code=within(coded.code, 20, at, joined(path, "code.coding.code")),
        display=shortened(coded.text or coded.code, 120),
        value=value,
        unit=within(unit, 20, at, joined(path, "valueQuantity.unit")),
        observed_at=shared.observed_at,
        code_system=within(coded.system, 100, at, joined(path, "code.coding.system")),
        encounter=shared.encounter,
        reference_low=low,
        reference_high=high,
        flag=_flag(element, at, path, value, low, high),
    )


def _numeric(element: Json, at: Located, path: str) -> tuple[Decimal, str] | None:
    """(value, unit) of valueQuantity (without a comparator) or valueInteger."""
    quantity = object_of(element, "valueQuantity", at, path)
    if quantity is not None:
        where = joined(path, "valueQuantity")
        value = decimal_of(quantity, "value", at, where)
        if value is None or text_of(quantity, "comparator", at, where):
            return None
        unit = text_of(quantity, "unit", at, where) or text_of(quantity, "code", at, where)
        return value, unit
    integer = decimal_of(element, "valueInteger", at, path)
    return None if integer is None else (integer, "")


def _reference_range(
    element: Json, at: Located, path: str
) -> tuple[Decimal | None, Decimal | None]:
    ranges = objects_of(element, "referenceRange", at, path)
    if not ranges:
        return None, None
    where = joined(path, "referenceRange[0]")
    low = object_of(ranges[0], "low", at, where)
    high = object_of(ranges[0], "high", at, where)
    return (
        decimal_of(low, "value", at, f"{where}.low") if low else None,
        decimal_of(high, "value", at, f"{where}.high") if high else None,
    )


def _flag(
    element: Json, at: Located, path: str, value: Decimal, low: Decimal | None, high: Decimal | None
) -> AbnormalFlag:
    """The sender's interpretation; "A"/"AA" (abnormal, no direction) take it from the range.

    The record has no undirected abnormal flag, and an abnormal result must not read as normal:
    without a range to say which way, "A" files as high and "AA" as critical high.
    """
    codes: set[str] = set()
    for index, concept in enumerate(objects_of(element, "interpretation", at, path)):
        codes |= codes_of(concept, at, f"{joined(path, 'interpretation')}[{index}]")
    for code, flag in _FLAGS:
        if code in codes:
            return flag
    critical = "AA" in codes
    if not critical and "A" not in codes:
        return AbnormalFlag.NORMAL
    below = low is not None and value < low and not (high is not None and value > high)
    if critical:
        return AbnormalFlag.CRITICAL_LOW if below else AbnormalFlag.CRITICAL_HIGH
    return AbnormalFlag.LOW if below else AbnormalFlag.HIGH
