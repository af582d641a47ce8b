"""FHIR R4 MedicationRequest and MedicationStatement into incoming medications.

MedicationRequest: https://hl7.org/fhir/R4/medicationrequest.html
MedicationStatement: https://hl7.org/fhir/R4/medicationstatement.html
Dosage: https://hl7.org/fhir/R4/dosage.html
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from himdesk.domain.incoming import IncomingMedication, shortened
from himdesk.interop.fhir.fhir_values import (
    RXNORM,
    Coded,
    Json,
    Located,
    concept_of,
    day,
    decimal_of,
    joined,
    object_of,
    objects_of,
    text_of,
    within,
)
from himdesk.interop.fhir.inbound_references import Reading

_UNITS = {"s": "second", "min": "minute", "h": "hour", "d": "day", "wk": "week", "mo": "month",
          "a": "year"}  # fmt: skip


def map_medication_request(at: Located, reading: Reading) -> IncomingMedication | None:
    """An order: started on `authoredOn` (else the dosage's bounds), dosage from the first line."""
    request = at.resource
    if request.get("doNotPerform") is True:
        reading.not_held["MedicationRequest not to be given"] += 1
        return None
    dosages = objects_of(request, "dosageInstruction", at)
    bounds = _bounds(dosages[0], at, "dosageInstruction[0]") if dosages else None
    started_on = _day_of(request, "authoredOn", at) or _day_of(bounds, "start", at, _BOUNDS)
    if started_on is None:
        at.reject("authoredOn", "is missing, and no dosage timing says when it started")
    return _medication(
        at,
        reading,
        started_on=started_on,
        ended_on=_day_of(bounds, "end", at, _BOUNDS),
        dosage=(dosages[0], "dosageInstruction[0]") if dosages else None,
        encounter_key="encounter",
    )


def map_medication_statement(at: Located, reading: Reading) -> IncomingMedication | None:
    """What the patient takes or took: started on `effective[x]` (else when it was asserted)."""
    statement = at.resource
    if text_of(statement, "status", at) == "not-taken":
        reading.not_held["MedicationStatement not taken"] += 1
        return None
    period = object_of(statement, "effectivePeriod", at)
    started_on = (
        _day_of(statement, "effectiveDateTime", at)
        or _day_of(period, "start", at, "effectivePeriod")
        or _day_of(statement, "dateAsserted", at)
    )
    if started_on is None:
        at.reject(
            "effective[x]", "expected effectiveDateTime, effectivePeriod.start or dateAsserted"
        )
    dosages = objects_of(statement, "dosage", at)
    return _medication(
        at,
        reading,
        started_on=started_on,
        ended_on=_day_of(period, "end", at, "effectivePeriod"),
        dosage=(dosages[0], "dosage[0]") if dosages else None,
        encounter_key="context",
    )


_BOUNDS = "dosageInstruction[0].timing.repeat.boundsPeriod"


def _medication(
    at: Located,
    reading: Reading,
    *,
    started_on: date,
    ended_on: date | None,
    dosage: tuple[Json, str] | None,
    encounter_key: str,
) -> IncomingMedication:
    coded = _drug(at, reading)
    dose = route = frequency = ""
    if dosage is not None:
        dose, route, frequency = _dosage(*dosage, at)
    return IncomingMedication(
        source=at.source,
        name=shortened(coded.text or coded.code, 120),
        started_on=started_on,
        code=within(coded.code, 20, at, "medication[x].coding.code"),
        code_system=within(coded.system, 100, at, "medication[x].coding.system"),
        encounter=reading.encounter_of(at, encounter_key),
        dose=shortened(dose, 40),
        route=shortened(route, 20),
        frequency=shortened(frequency, 40),
        ended_on=ended_on,
    )


def _drug(at: Located, reading: Reading) -> Coded:
    """medicationCodeableConcept, or the code of the Medication the reference names."""
    coded = concept_of(at.resource, "medicationCodeableConcept", at, (RXNORM,))
    reference = object_of(at.resource, "medicationReference", at)
    if not (coded.code or coded.text) and reference is not None:
        medication = reading.resource_of(reference, at, "medicationReference", "Medication")
        if medication is not None:
            coded = concept_of(medication, "code", at, (RXNORM,), "medicationReference -> code")
        if not (coded.code or coded.text):
            coded = Coded(text=text_of(reference, "display", at, "medicationReference"))
    if not (coded.code or coded.text):
        at.reject("medication[x]", "expected a medicationCodeableConcept or a named Medication")
    return coded


def _dosage(dosage: Json, path: str, at: Located) -> tuple[str, str, str]:
    """(dose, route, frequency) of one Dosage; the free text stands in for a missing dose."""
    dose = ""
    for index, rate in enumerate(objects_of(dosage, "doseAndRate", at, path)):
        quantity = object_of(rate, "doseQuantity", at, f"{path}.doseAndRate[{index}]")
        if quantity is not None:
            where = f"{path}.doseAndRate[{index}].doseQuantity"
            value = decimal_of(quantity, "value", at, where)
            unit = text_of(quantity, "unit", at, where) or text_of(quantity, "code", at, where)
            dose = f"{_plain(value)} {unit}".strip()
            break
    route = concept_of(dosage, "route", at, prefix=path).text
    frequency = _frequency(dosage, path, at)
    if dosage.get("asNeededBoolean") is True:
        frequency = f"{frequency} as needed".strip()
    return dose or text_of(dosage, "text", at, path), route, frequency


def _frequency(dosage: Json, path: str, at: Located) -> str:
    timing = object_of(dosage, "timing", at, path)
    if timing is None:
        return ""
    where = joined(path, "timing")
    named = concept_of(timing, "code", at, prefix=where).text
    repeat = object_of(timing, "repeat", at, where)
    if named or repeat is None:
        return named
    where = joined(where, "repeat")
    times = decimal_of(repeat, "frequency", at, where)
    period = decimal_of(repeat, "period", at, where)
    unit = _UNITS.get(text_of(repeat, "periodUnit", at, where), "")
    if period is None or not unit:
        return ""
    how_often = "once" if times is None or times == 1 else f"{_plain(times)} times"
    if period == 1:
        return f"{how_often} a {unit}"
    return f"{how_often} every {_plain(period)} {unit}s"


def _bounds(dosage: Json, at: Located, path: str) -> Json | None:
    timing = object_of(dosage, "timing", at, path)
    repeat = object_of(timing, "repeat", at, f"{path}.timing") if timing else None
    return object_of(repeat, "boundsPeriod", at, f"{path}.timing.repeat") if repeat else None


def _day_of(obj: Json | None, key: str, at: Located, prefix: str = "") -> date | None:
    if obj is None:
        return None
    value = text_of(obj, key, at, prefix)
    return day(value, at, joined(prefix, key)) if value else None


def _plain(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"
