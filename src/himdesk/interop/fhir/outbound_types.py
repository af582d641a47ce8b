"""Small FHIR R4 data types the outbound mapping writes: references, concepts, instants.

https://hl7.org/fhir/R4/datatypes.html and https://hl7.org/fhir/R4/references.html
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from himdesk.interop.fhir.vocabulary import system_uri

Json = dict[str, Any]


def reference(kind: str, target: int, base: str = "") -> Json:
    """A literal reference: relative ("Patient/12") or absolute under `base`."""
    relative = f"{kind}/{target}"
    return {"reference": f"{base.rstrip('/')}/{relative}" if base else relative}


def concept(code: str, code_system: str, text: str) -> Json:
    """A CodeableConcept: the coding when the record holds a code, the text always."""
    result: Json = {}
    if code:
        coding: Json = {"code": code}
        system = system_uri(code_system)
        if system:
            coding = {"system": system, "code": code}
        if text:
            coding["display"] = text
        result["coding"] = [coding]
    result["text"] = text or code
    return result


def instant(value: datetime) -> str:
    """A FHIR instant/dateTime in UTC ("2026-11-02T14:30:00+00:00"; fractions only when held)."""
    if value.tzinfo is None:  # never from storage; kept so a bad value cannot fail an export
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def number(value: Decimal) -> int | float:
    """A decimal as a JSON number without the stored scale: 135.000 -> 135, 0.040 -> 0.04."""
    if value == value.to_integral_value():
        return int(value)
    return float(value.normalize())
