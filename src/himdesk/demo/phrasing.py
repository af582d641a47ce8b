"""Sentences shared by every kind of note: the patient phrase, review of systems with its
negations, vital signs, history lists and the plan list.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime

from himdesk.demo.conditions import ROS_SYMPTOMS, Condition
from himdesk.demo.profile import PatientProfile
from himdesk.domain.records import AdministrativeSex, Patient

Words = Mapping[str, str]

_NEGATIONS = (
    "Denies {a}, {b} or {c}.",
    "{Subj} denies {a}, {b} and {c}.",
    "Negative for {a}, {b} and {c}.",
    "No {a}, {b} or {c}.",
    "{Subj} specifically denies {a} and {b}. No {c}.",
)
_GENERAL_ADULT = (
    "Alert and oriented, in no acute distress.",
    "Awake, alert and conversant; appears uncomfortable but nontoxic.",
    "Alert, oriented to person, place and time; resting in bed.",
)
_GENERAL_CHILD = ("Alert, interactive and consolable.", "Well-hydrated, playful, in no distress.")
_PERSON = {
    AdministrativeSex.FEMALE: ("woman", "girl", "infant girl"),
    AdministrativeSex.MALE: ("man", "boy", "infant boy"),
}


def fill(template: str, words: Words) -> str:
    return template.format_map(words)


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def lowered(text: str) -> str:
    """Lower-case the first letter unless the word is an acronym ('COPD', 'NSTEMI')."""
    if text[:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def series(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def person(patient: Patient, at: datetime) -> str:
    """'67-year-old woman', '9-year-old boy', '5-month-old infant girl'."""
    day = at.date()
    age = patient.age_on(day)
    adult, child, infant = _PERSON.get(patient.sex, ("patient", "child", "infant"))
    if age >= 18:
        return f"{age}-year-old {adult}"
    if age >= 1:
        return f"{age}-year-old {child}"
    months = max(1, (day - patient.birth_on).days // 30)
    return f"{months}-month-old {infant}"


def visit_words(
    rng: random.Random, patient: Patient, profile: PatientProfile, at: datetime, side: str
) -> dict[str, str]:
    words = dict(profile.words)
    words.update(
        side=side,
        Side=side.capitalize(),
        days=str(rng.randint(2, 5)),
        person=person(patient, at),
        age=str(patient.age_on(at.date())),
    )
    return words


def history_clause(profile: PatientProfile) -> str:
    if not profile.chronic:
        return "with no significant past medical history"
    return f"with a history of {series(list(profile.chronic[:4]))}"


def positives(conditions: Sequence[Condition]) -> list[str]:
    found: list[str] = []
    for condition in conditions:
        found.extend(s for s in condition.symptoms if s not in found)
    return found


def negations(rng: random.Random, conditions: Sequence[Condition], words: Words) -> str:
    present = positives(conditions)
    pool = [s for s in ROS_SYMPTOMS if s not in present]
    a, b, c = rng.sample(pool, 3)
    return rng.choice(_NEGATIONS).format(a=a, b=b, c=c, **words)


def review_of_systems(rng: random.Random, conditions: Sequence[Condition], words: Words) -> str:
    present = positives(conditions)
    lead = f"Positive for {series(present)}. " if present else ""
    return f"{lead}{negations(rng, conditions, words)} All other systems reviewed and negative."


def vitals(
    rng: random.Random, conditions: Sequence[Condition], age: int, *, recovering: bool
) -> str:
    present = positives(conditions)
    febrile = "fever" in present and not recovering
    dyspneic = "shortness of breath" in present and not recovering
    temp = rng.uniform(38.1, 39.3) if febrile else rng.uniform(36.4, 37.3)
    child = age < 12
    pulse = rng.randint(80, 120) if child else rng.randint(62, 94)
    if febrile:
        pulse += 20
    breaths = rng.randint(18, 28) if child else rng.randint(12, 18)
    if dyspneic:
        breaths += 8
    saturation = rng.randint(88, 93) if dyspneic else rng.randint(95, 100)
    if age < 18:
        pressure = f"{rng.randint(92, 122)}/{rng.randint(52, 78)}"
    else:
        pressure = f"{rng.randint(104, 158)}/{rng.randint(58, 92)}"
    return (
        f"T {temp:.1f} C, HR {pulse}, BP {pressure}, RR {breaths}, SpO2 {saturation}% on room air"
    )


def general_appearance(rng: random.Random, patient: Patient, at: datetime) -> str:
    older = patient.age_on(at.date()) >= 12
    return rng.choice(_GENERAL_ADULT if older else _GENERAL_CHILD)


def problem_list(profile: PatientProfile) -> str:
    return "\n".join(f"- {capitalized(c)}" for c in profile.chronic) or "None."


def surgical_history(profile: PatientProfile) -> str:
    return "\n".join(f"- {capitalized(s)}" for s in profile.surgeries) or "None."


def home_medications(profile: PatientProfile) -> str:
    return "\n".join(f"- {m}" for m in profile.home_meds) or "None."


def numbered_plan(
    rng: random.Random, conditions: Sequence[Condition], words: Words, lead: Sequence[str] = ()
) -> str:
    """'1. Diagnosis: plan' for each condition; `lead` adds a status phrase per item."""
    lines = []
    for k, condition in enumerate(conditions):
        status = f"{rng.choice(lead)} " if lead else ""
        plan = fill(rng.choice(condition.plan), words)
        lines.append(f"{k + 1}. {fill(condition.diagnosis, words)}: {status}{plan}")
    return "\n".join(lines)
