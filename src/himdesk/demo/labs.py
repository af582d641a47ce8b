"""Laboratory results: LOINC tests, reference ranges, flags and trended draws.

A result is abnormal only when a diagnosis on the same encounter explains it
(`EXPLANATIONS`), except where the generator plants an unexplained one on purpose.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from himdesk.domain.records import AbnormalFlag, Observation


@dataclass(frozen=True)
class LabTest:
    code: str
    display: str
    short: str
    unit: str
    low: Decimal
    high: Decimal
    places: int
    normal: tuple[float, float]  # the band a healthy value is drawn from, inside low..high
    critical_low: Decimal | None = None
    critical_high: Decimal | None = None


def _test(
    code: str,
    display: str,
    short: str,
    unit: str,
    span: tuple[str, str],
    places: int,
    normal: tuple[float, float],
    critical: tuple[str | None, str | None] = (None, None),
) -> LabTest:
    low, high = critical
    return LabTest(
        code,
        display,
        short,
        unit,
        Decimal(span[0]),
        Decimal(span[1]),
        places,
        normal,
        Decimal(low) if low else None,
        Decimal(high) if high else None,
    )


SODIUM, POTASSIUM, CREATININE, GLUCOSE = "2951-2", "2823-3", "2160-0", "2345-7"
HEMOGLOBIN, WBC, NT_PROBNP, TROPONIN_I = "718-7", "6690-2", "33762-6", "10839-9"
LACTATE, HBA1C = "2524-7", "4548-4"

LAB_TESTS: Mapping[str, LabTest] = {
    t.code: t
    for t in (
        _test(
            SODIUM,
            "Sodium [Moles/volume] in Serum or Plasma",
            "Na",
            "mmol/L",
            ("135", "145"),
            0,
            (136, 143),
            ("120", "160"),
        ),
        _test(
            POTASSIUM,
            "Potassium [Moles/volume] in Serum or Plasma",
            "K",
            "mmol/L",
            ("3.5", "5.1"),
            1,
            (3.7, 4.8),
            ("2.8", "6.2"),
        ),
        _test(
            CREATININE,
            "Creatinine [Mass/volume] in Serum or Plasma",
            "Cr",
            "mg/dL",
            ("0.60", "1.30"),
            2,
            (0.66, 1.18),
        ),
        _test(
            GLUCOSE,
            "Glucose [Mass/volume] in Serum or Plasma",
            "glucose",
            "mg/dL",
            ("70", "99"),
            0,
            (76, 97),
            ("40", "450"),
        ),
        _test(
            HEMOGLOBIN,
            "Hemoglobin [Mass/volume] in Blood",
            "Hgb",
            "g/dL",
            ("12.0", "17.5"),
            1,
            (12.4, 15.9),
            ("7.0", "20.0"),
        ),
        _test(
            WBC,
            "Leukocytes [#/volume] in Blood by Automated count",
            "WBC",
            "10*3/uL",
            ("4.5", "11.0"),
            1,
            (4.9, 10.2),
            ("2.0", "30.0"),
        ),
        _test(
            NT_PROBNP,
            "Natriuretic peptide.B prohormone N-Terminal [Mass/volume] in Serum or Plasma",
            "NT-proBNP",
            "pg/mL",
            ("0", "125"),
            0,
            (18, 110),
        ),
        _test(
            TROPONIN_I,
            "Troponin I.cardiac [Mass/volume] in Serum or Plasma",
            "troponin I",
            "ng/mL",
            ("0.000", "0.040"),
            3,
            (0.002, 0.018),
        ),
        _test(
            LACTATE,
            "Lactate [Moles/volume] in Serum or Plasma",
            "lactate",
            "mmol/L",
            ("0.5", "2.2"),
            1,
            (0.7, 1.8),
        ),
        _test(
            HBA1C,
            "Hemoglobin A1c/Hemoglobin.total in Blood",
            "HbA1c",
            "%",
            ("4.0", "5.6"),
            1,
            (4.6, 5.4),
        ),
    )
}

BASIC_PANEL = (SODIUM, POTASSIUM, CREATININE, GLUCOSE, HEMOGLOBIN, WBC)
FIRST_DRAW_ONLY = frozenset({HBA1C})

# (LOINC, "low"|"high") -> words, one of which a diagnosis on the encounter must contain.
EXPLANATIONS: Mapping[tuple[str, str], tuple[str, ...]] = {
    (SODIUM, "low"): ("hyponatremia",),
    (CREATININE, "high"): ("acute kidney injury",),
    (GLUCOSE, "high"): ("diabetes",),
    (HBA1C, "high"): ("diabetes",),
    (HEMOGLOBIN, "low"): ("anemia",),
    (WBC, "high"): (
        "pneumonia",
        "sepsis",
        "cellulitis",
        "appendicitis",
        "cholecystitis",
        "urinary tract infection",
    ),
    (NT_PROBNP, "high"): ("heart failure",),
    (TROPONIN_I, "high"): ("myocardial infarction",),
    (LACTATE, "high"): ("sepsis",),
}


@dataclass(frozen=True)
class LabEffect:
    """How a condition moves a result: from a start range on admission to an end range."""

    code: str
    start: tuple[float, float]
    end: tuple[float, float]


def flag_for(test: LabTest, value: Decimal) -> AbnormalFlag:
    if test.critical_low is not None and value < test.critical_low:
        return AbnormalFlag.CRITICAL_LOW
    if value < test.low:
        return AbnormalFlag.LOW
    if test.critical_high is not None and value > test.critical_high:
        return AbnormalFlag.CRITICAL_HIGH
    if value > test.high:
        return AbnormalFlag.HIGH
    return AbnormalFlag.NORMAL


def result(test: LabTest, value: float, at: datetime) -> Observation:
    amount = Decimal(f"{value:.{test.places}f}")
    return Observation(
        patient_id=0,
        encounter_id=None,
        code=test.code,
        display=test.display,
        value=amount,
        unit=test.unit,
        observed_at=at,
        reference_low=test.low,
        reference_high=test.high,
        flag=flag_for(test, amount),
    )


def draws(
    rng: random.Random,
    times: Sequence[datetime],
    codes: Sequence[str],
    effects: Sequence[LabEffect],
) -> list[Observation]:
    """One result per code per draw; codes a condition drives trend from start to end."""
    trends: dict[str, tuple[float, float]] = {}
    for effect in effects:
        if effect.code not in trends:
            trends[effect.code] = (rng.uniform(*effect.start), rng.uniform(*effect.end))
    last = max(len(times) - 1, 1)
    found: list[Observation] = []
    for k, at in enumerate(times):
        for code in codes:
            if k and code in FIRST_DRAW_ONLY:
                continue
            test = LAB_TESTS[code]
            trend = trends.get(code)
            if trend is None:
                value = rng.uniform(*test.normal)
            else:
                value = trend[0] + (trend[1] - trend[0]) * k / last
            found.append(result(test, value, at))
    return found


def lab_line(results: Sequence[Observation]) -> str:
    """'Na 138, K 4.1, Cr 0.92, ...' for the results of one draw."""
    return ", ".join(f"{LAB_TESTS[r.code].short} {r.value}" for r in results)
