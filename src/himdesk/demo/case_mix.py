"""Which conditions a stay or visit is about, weighted like a community hospital's case mix.

A condition tied to a chronic problem (heart failure, COPD, diabetes) is only chosen for a
patient whose problem list has it, so that every note in the chart agrees.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from himdesk.demo.ambulatory import EMERGENCY_CONDITIONS, OBSERVATION_CONDITIONS
from himdesk.demo.cardiopulmonary import CHF, COPD, NSTEMI, PNEUMONIA, SEPSIS
from himdesk.demo.clinic import ADULT_EXAM, CHILD_EXAM, FOLLOW_UPS, KNEE_VISIT
from himdesk.demo.conditions import Condition
from himdesk.demo.metabolic import (
    AKI,
    ANEMIA_ACUTE,
    ANEMIA_IRON,
    CELLULITIS,
    DIABETES,
    HYPONATREMIA,
    STROKE,
    UTI,
)
from himdesk.demo.surgical import (
    APPENDICITIS,
    CHOLECYSTITIS,
    HIP_NECK,
    HIP_TROCHANTERIC,
    KNEE_OSTEOARTHRITIS,
)

PRINCIPALS: tuple[tuple[Condition, int], ...] = (
    (CHF, 14),
    (PNEUMONIA, 12),
    (COPD, 9),
    (SEPSIS, 8),
    (NSTEMI, 6),
    (HIP_NECK, 4),
    (HIP_TROCHANTERIC, 4),
    (APPENDICITIS, 6),
    (CHOLECYSTITIS, 5),
    (KNEE_OSTEOARTHRITIS, 6),
    (STROKE, 6),
    (CELLULITIS, 7),
    (UTI, 5),
    (AKI, 4),
    (HYPONATREMIA, 2),
    (ANEMIA_IRON, 2),
    (DIABETES, 3),
)
SECONDARIES = (DIABETES, AKI, HYPONATREMIA, ANEMIA_IRON, UTI)
SEPSIS_SOURCES = (PNEUMONIA, UTI)
ALL_INPATIENT = tuple(c for c, _ in PRINCIPALS) + (ANEMIA_ACUTE,)


def fits(condition: Condition, age: int, chronic: Sequence[str]) -> bool:
    low, high = condition.ages
    return low <= age <= high and (not condition.history or condition.history in chronic)


def stay_conditions(rng: random.Random, age: int, chronic: Sequence[str]) -> list[Condition]:
    """A principal condition and up to two secondary ones, all fitting the patient."""
    options = [(c, w) for c, w in PRINCIPALS if fits(c, age, chronic)]
    principal = rng.choices([c for c, _ in options], weights=[w for _, w in options])[0]
    chosen = [principal]
    if principal is SEPSIS:
        chosen.append(rng.choice(SEPSIS_SOURCES))
    pool = [c for c in SECONDARIES if c not in chosen and fits(c, age, chronic)]
    if principal.operation is not None and principal.operation.elective:
        pool = [c for c in pool if c is DIABETES]  # elective patients come in well
    if principal.key.startswith("hip"):
        pool.append(ANEMIA_ACUTE)  # a hip fracture bleeds into the thigh
    if DIABETES in pool and rng.random() < 0.6:
        chosen.append(DIABETES)  # a diabetic's glucose runs high on most admissions
        pool.remove(DIABETES)
    wanted = rng.choices((0, 1, 2), weights=(50, 35, 15))[0]
    room = max(0, min(wanted, 3 - len(chosen), len(pool)))
    chosen.extend(rng.sample(pool, room))
    if ANEMIA_ACUTE in chosen and ANEMIA_IRON in chosen:
        chosen.remove(ANEMIA_IRON)
    return chosen


def observation_condition(rng: random.Random, age: int, chronic: Sequence[str]) -> Condition:
    return rng.choice([c for c in OBSERVATION_CONDITIONS if fits(c, age, chronic)])


def emergency_condition(rng: random.Random, age: int, chronic: Sequence[str]) -> Condition:
    return rng.choice([c for c in EMERGENCY_CONDITIONS if fits(c, age, chronic)])


def clinic_condition(rng: random.Random, age: int, chronic: Sequence[str]) -> Condition:
    options = [c for c in FOLLOW_UPS if fits(c, age, chronic)] * 2
    options.append(ADULT_EXAM if age >= 18 else CHILD_EXAM)
    if fits(KNEE_VISIT, age, chronic) and rng.random() < 0.3:
        options.append(KNEE_VISIT)
    return rng.choice(options)
