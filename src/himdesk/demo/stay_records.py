"""The structured parts of an encounter: diagnoses, the procedure, medications, results
and the discharge disposition. They agree with what the notes say.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime

from himdesk.demo.conditions import Condition, MedOption, Operation
from himdesk.demo.labs import BASIC_PANEL, LabEffect, draws
from himdesk.demo.phrasing import Words, fill
from himdesk.domain.records import (
    Diagnosis,
    DischargeDisposition,
    Encounter,
    Medication,
    Observation,
    Procedure,
)

D = DischargeDisposition
_SLOW_RECOVERY = ("Orthopedic Surgery", "Neurology")
_MEDICAL = ("Medicine", "Cardiology", "Neurology")


def diagnoses(
    conditions: Sequence[Condition], words: Words, author_id: int, at: datetime
) -> list[Diagnosis]:
    return [
        Diagnosis(
            patient_id=0,
            encounter_id=None,
            description=fill(condition.diagnosis, words),
            documented_by_id=author_id,
            documented_at=at,
            is_principal=k == 0,
            laterality=words["side"] if condition.lateral else "",
        )
        for k, condition in enumerate(conditions)
    ]


def procedure(
    condition: Condition, operation: Operation, words: Words, surgeon_id: int, at: datetime
) -> Procedure:
    return Procedure(
        patient_id=0,
        encounter_id=None,
        description=fill(operation.name, words),
        performed_by_id=surgeon_id,
        performed_at=at,
        laterality=words["side"] if condition.lateral else "",
        tissue_removed=operation.tissue_removed,
    )


def chosen_drugs(conditions: Sequence[Condition], allergy_tags: frozenset[str]) -> list[MedOption]:
    """For each ordered drug, the first alternative the patient is not allergic to."""
    picked: list[MedOption] = []
    for condition in conditions:
        for alternatives in condition.meds:
            option = next(
                (o for o in alternatives if o.avoid not in allergy_tags), alternatives[-1]
            )
            if all(o.name != option.name for o in picked):
                picked.append(option)
    return picked


def medications(
    drugs: Sequence[MedOption], encounter: Encounter, *, child: bool, in_stay: bool
) -> list[Medication]:
    started = encounter.admitted_at.date()
    ended = encounter.discharged_at.date() if in_stay and encounter.discharged_at else None
    return [
        Medication(
            patient_id=0,
            encounter_id=None,
            name=drug.name,
            dose=drug.child_dose if child and drug.child_dose else drug.dose,
            route=drug.route,
            frequency=drug.frequency,
            started_on=started,
            ended_on=ended if in_stay else None,
        )
        for drug in drugs
    ]


def going_home_drugs(drugs: Sequence[MedOption], *, child: bool) -> list[str]:
    return [
        f"{d.name} {d.child_dose if child and d.child_dose else d.dose} {d.frequency}"
        for d in drugs
        if d.route == "PO" and "once" not in d.frequency
    ]


def results(
    rng: random.Random,
    conditions: Sequence[Condition],
    times: Sequence[datetime],
    *,
    panel: bool = True,
) -> list[Observation]:
    effects: list[LabEffect] = [e for c in conditions for e in c.labs]
    codes = list(BASIC_PANEL) if panel else []
    for condition in conditions:
        codes.extend(code for code in condition.tests if code not in codes)
    for effect in effects:
        if effect.code not in codes:
            codes.append(effect.code)
    return draws(rng, times, codes, effects) if codes else []


def disposition(rng: random.Random, principal: Condition, age: int) -> DischargeDisposition:
    roll = rng.random()
    if age >= 65 and principal.service in _MEDICAL and roll < 0.02:
        return D.EXPIRED
    if roll < 0.035:
        return D.LEFT_AMA if age >= 18 else D.HOME
    if principal.service in _SLOW_RECOVERY:
        return rng.choices(
            (D.HOME, D.HOME_HEALTH, D.SKILLED_NURSING, D.REHAB), weights=(35, 20, 30, 15)
        )[0]
    if age >= 70 and roll < 0.06:
        return D.HOSPICE_HOME if principal.service in _MEDICAL else D.SKILLED_NURSING
    if roll < 0.08:
        return D.SHORT_TERM_HOSPITAL
    return rng.choices(
        (D.HOME, D.HOME_HEALTH, D.SKILLED_NURSING), weights=(72, 16, 12 if age >= 65 else 2)
    )[0]
