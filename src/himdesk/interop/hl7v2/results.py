"""OBX results (HL7 v2.5.1 7.4.2) as incoming observations.

The record holds numeric results: OBX-2 NM, and SN when it is a plain number. Anything else
(text, coded, ranges such as "<5", encapsulated data) is counted by kind in the submission's
`not_held`, never silently dropped. A value that claims to be a number and is not rejects
the message: the sender's data is broken, and storing a guess would be worse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from himdesk.domain.incoming import (
    IncomingObservation,
    Rejected,
    SourceRef,
    result_fits,
    text_within,
)
from himdesk.domain.records import AbnormalFlag
from himdesk.interop.hl7v2.fields import SegmentView, shortened

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_RANGE = re.compile(r"\s*(-?[0-9.]+)\s*-\s*(-?[0-9.]+)\s*")
_BOUND = re.compile(r"\s*([<>])=?\s*(-?[0-9.]+)\s*")
CODE_SYSTEMS = {
    "LN": "http://loinc.org",
    "SCT": "http://snomed.info/sct",
    "SNM": "http://snomed.info/sct",
    "I10": "http://hl7.org/fhir/sid/icd-10-cm",
    "I10C": "http://hl7.org/fhir/sid/icd-10-cm",
}
# OBX-11 result statuses that are not a result to file (HL7 table 0085).
_NOT_RESULTS = {
    "D": "deleted",
    "W": "posted in error",
    "X": "could not be obtained",
    "N": "not asked",
    "I": "pending",
    "O": "order detail",
}
_FLAGS = {
    "N": AbnormalFlag.NORMAL,
    "L": AbnormalFlag.LOW,
    "H": AbnormalFlag.HIGH,
    "LL": AbnormalFlag.CRITICAL_LOW,
    "HH": AbnormalFlag.CRITICAL_HIGH,
    "<": AbnormalFlag.LOW,
    ">": AbnormalFlag.HIGH,
    "LU": AbnormalFlag.LOW,
    "HU": AbnormalFlag.HIGH,
}


@dataclass(frozen=True)
class OrderContext:
    """What the OBR (and the message) around an OBX say about all its results."""

    facility: str
    order_id: str  # filler order number (OBR-3), else placer (OBR-2), else MSH-10
    observed_at: datetime | None  # OBR-7, else MSH-7
    visit: SourceRef | None


def observation_of(obx: SegmentView, order: OrderContext) -> IncomingObservation | str:
    """The observation, or the kind of result the record does not hold (for `not_held`)."""
    status = obx.text(11).upper()
    if status in _NOT_RESULTS:
        return f"OBX result {_NOT_RESULTS[status]} (status {status})"
    value_type = obx.text(2).upper()
    values = obx.repetitions(5)
    if value_type not in ("NM", "SN"):
        return f"OBX value type {value_type or '(none)'}"
    if len(values) != 1:
        return "OBX numeric result with several values" if values else "OBX without a value"
    value = _numeric(obx, values[0], value_type)
    if value is None:
        return "OBX value type SN (a range, ratio or comparison)"
    code, system = _coded(obx)
    observed_at = obx.instant(14) or order.observed_at
    if observed_at is None:
        raise Rejected(obx.where(14), "observation date/time is missing (OBX-14, OBR-7, MSH-7)")
    low, high = reference_range(obx.text(7))
    sub_id = obx.text(4) or obx.text(1) or str(obx.ordinal)
    key = text_within(f"obs/{order.order_id}/{code}/{sub_id}", 200, obx.where(4))
    return IncomingObservation(
        source=SourceRef(f"hl7v2:{order.facility}", key),
        code=code,
        code_system=system,
        display=shortened(obx.text(3, 2) or obx.text(3, 5) or code, 120),
        value=value,
        unit=text_within(obx.text(6, 1) or obx.text(6, 2), 20, obx.where(6)),
        observed_at=observed_at,
        encounter=order.visit,
        reference_low=low,
        reference_high=high,
        flag=_flag(obx.text(8).upper(), value, low, high),
    )


def _numeric(obx: SegmentView, rep: str, value_type: str) -> Decimal | None:
    """NM: the number. SN (comparator^num1^separator^num2): num1 when it stands alone."""
    if value_type == "SN":
        comparator, separator, second = obx.part(rep, 1), obx.part(rep, 3), obx.part(rep, 4)
        if comparator not in ("", "=") or separator or second:
            return None
        written = obx.part(rep, 2)
    else:
        written = obx.part(rep, 1)
    if not _NUMBER.fullmatch(written):
        raise Rejected(obx.where(5), f"is not a number (value type {value_type})")
    value = Decimal(written)
    if not result_fits(value):
        raise Rejected(obx.where(5), "is larger than the record holds (up to 999,999,999.999)")
    return value


def _coded(obx: SegmentView) -> tuple[str, str]:
    """OBX-3: the identifier and its coding system (the alternate one when the first is empty)."""
    code, system = obx.text(3, 1), obx.text(3, 3)
    if not code:
        code, system = obx.text(3, 4), obx.text(3, 6)
    if not code:
        raise Rejected(obx.where(3), "observation identifier is missing")
    system = CODE_SYSTEMS.get(system.upper(), system)
    return text_within(code, 20, obx.where(3)), text_within(system, 100, obx.where(3))


def reference_range(written: str) -> tuple[Decimal | None, Decimal | None]:
    """OBX-7: "135-145", "<5" or ">60"; anything else is kept as no range."""
    if match := _RANGE.fullmatch(written):
        low, high = _decimal(match.group(1)), _decimal(match.group(2))
        return (low, high) if low is not None and high is not None and low <= high else (None, None)
    if match := _BOUND.fullmatch(written):
        bound = _decimal(match.group(2))
        return (None, bound) if match.group(1) == "<" else (bound, None)
    return None, None


def _decimal(written: str) -> Decimal | None:
    if not _NUMBER.fullmatch(written):
        return None
    value = Decimal(written)
    return value if result_fits(value) else None


def _flag(code: str, value: Decimal, low: Decimal | None, high: Decimal | None) -> AbnormalFlag:
    """OBX-8 when it is one the record knows; "A"/"AA" (abnormal) or none: from the range."""
    if code in _FLAGS:
        return _FLAGS[code]
    critical = code == "AA"
    if low is not None and value < low:
        return AbnormalFlag.CRITICAL_LOW if critical else AbnormalFlag.LOW
    if high is not None and value > high:
        return AbnormalFlag.CRITICAL_HIGH if critical else AbnormalFlag.HIGH
    return AbnormalFlag.NORMAL
