"""Problem, allergy and medication entries of a C-CDA document.

C-CDA R2.1 Vol. 2: Problem Concern Act (V3) 2.16.840.1.113883.10.20.22.4.3 holding Problem
Observations (V3) 4.4; Allergy Concern Act (V3) 4.30 holding Allergy - Intolerance Observations
(V2) 4.7 with Reaction (4.9) and Severity (4.8) observations; Medication Activity (V2) 4.16.

The record needs a date on each: a problem without an onset is dated when it was authored,
else by the document; a medication without a start date is listed as of its author time or
the document's date (what the sender's list said on that day).
"""

from __future__ import annotations

from dataclasses import replace

from himdesk.domain.incoming import IncomingAllergy, IncomingDiagnosis, IncomingMedication
from himdesk.interop.ccda.entry import EntryPlace, laterality, negated, related
from himdesk.interop.ccda.values import (
    XSI_TYPE,
    Element,
    attr,
    child,
    children,
    decimal_value,
    local_name,
    text_of,
    unit_of,
)

# SNOMED CT "no known allergy" findings: a statement that there is nothing to record.
_NO_KNOWN_ALLERGY = {"716186003", "409137002", "428607008", "429625007", "428197003"}
# HL7 v3 TimingEvent codes of EIVL_TS medication timing.
_EVENTS = {
    "HS": "at bedtime",
    "AC": "before meals",
    "ACM": "before breakfast",
    "ACD": "before lunch",
    "ACV": "before dinner",
    "PC": "after meals",
    "PCM": "after breakfast",
    "PCD": "after lunch",
    "PCV": "after dinner",
    "C": "with meals",
    "WAKE": "on waking",
}
_UNIT_WORDS = {"h": "hours", "d": "days", "wk": "weeks", "min": "minutes", "mo": "months"}


def _statements(act: Element) -> list[Element]:
    """The observations a concern act is about, or the entry's own observation."""
    if local_name(act) == "observation":
        return [act]
    return related(act, "SUBJ")


def read_problem_entry(place: EntryPlace, act: Element) -> None:
    statements = _statements(act)
    if not statements:
        place.not_held("entries without a problem observation")
    for index, observation in enumerate(statements, start=1):
        if negated(observation):
            place.not_held("recorded as absent")
            continue
        coded = place.doc.coded(child(observation, "value"))
        description = place.words(
            coded.display if coded else "",
            place.doc.entry_words(observation),
            place.doc.entry_words(act),
            limit=200,
        )
        if not description:
            place.not_held("without a problem named")
            continue
        code, system = place.code(coded, child(observation, "value")) if coded else ("", "")
        ref, derived = place.refs(observation, f"/problem{index}")
        place.keep(
            IncomingDiagnosis(
                source=ref,
                description=description,
                documented_at=place.started(observation, act)
                or place.authored(observation, act)
                or place.doc.authored_at,
                code=code,
                code_system=system,
                encounter=place.stay,
                documented_by=place.clinician(observation, "author")
                or place.clinician(act, "author"),
                laterality=laterality(observation),
            ),
            derived,
        )


def read_allergy_entry(place: EntryPlace, act: Element) -> None:
    statements = _statements(act)
    if not statements:
        place.not_held("entries without an allergy observation")
    for index, observation in enumerate(statements, start=1):
        value = child(observation, "value")
        if negated(observation) or attr(value, "code") in _NO_KNOWN_ALLERGY:
            place.not_held("recorded as absent")
            continue
        agent = child(observation, "participant/participantRole/playingEntity")
        substance, code, system = _named(place, agent)
        if not substance:
            place.not_held("without a substance named")
            continue
        recorded = (
            place.started(act)
            or place.authored(act, observation)
            or place.started(observation)
            or place.doc.authored_at
        )
        ref, derived = place.refs(observation, f"/allergy{index}")
        place.keep(
            IncomingAllergy(
                source=ref,
                substance=substance,
                recorded_on=recorded.date(),
                code=code,
                code_system=system,
                reaction=_reactions(place, observation),
                severity=_severity(place, observation),
            ),
            derived,
        )


def _named(place: EntryPlace, entity: Element | None, *more: str) -> tuple[str, str, str]:
    """A substance or product as (name, code, code system): the code's display name, else the
    entity's <name>, else `more` (the entry's narrative)."""
    code_element = child(entity, "code")
    coded = place.doc.coded(code_element)
    named = place.words(coded.display if coded else "", text_of(child(entity, "name")), *more,
                        limit=120)  # fmt: skip
    code, system = place.code(coded, code_element) if coded and coded.code else ("", "")
    return named, code, system


def _reactions(place: EntryPlace, observation: Element) -> str:
    said = []
    for reaction in related(observation, "MFST"):
        coded = place.doc.coded(child(reaction, "value"))
        words = coded.display if coded else place.doc.entry_words(reaction)
        if words and words not in said:
            said.append(words)
    return place.words(", ".join(said), limit=120)


def _severity(place: EntryPlace, observation: Element) -> str:
    """The allergy's severity, else the first reaction's (C-CDA R2.1 allows either place)."""
    for statement in [observation, *related(observation, "MFST")]:
        for candidate in related(statement, "SUBJ"):
            if attr(child(candidate, "code"), "code") == "SEV":
                coded = place.doc.coded(child(candidate, "value"))
                if coded and coded.display:
                    return place.words(coded.display, limit=20)
    return ""


def read_medication_entry(place: EntryPlace, act: Element) -> None:
    if local_name(act) == "act":  # Discharge Medication (V3) 4.35 wraps medication activities
        activities = [
            s
            for r in children(act, "entryRelationship")
            for s in children(r, "substanceAdministration")
        ]
        for index, activity in enumerate(activities, start=1):
            _read_medication(replace(place, part=f"{place.part}/medication{index}"), activity)
        if not activities:
            place.not_held("entries that are not a medication activity")
        return
    if local_name(act) != "substanceAdministration":
        place.not_held("entries that are not a medication activity")
        return
    _read_medication(place, act)


def _read_medication(place: EntryPlace, act: Element) -> None:
    if negated(act):
        place.not_held("recorded as not taken")
        return
    material = child(act, "consumable/manufacturedProduct/manufacturedMaterial")
    medication, code, system = _named(place, material, place.doc.entry_words(act))
    if not medication:
        place.not_held("without a medication named")
        return
    start, end = place.doc.span(child(act, "effectiveTime"))
    started_at = start or place.authored(act) or place.doc.authored_at
    ref, derived = place.refs(act)
    place.keep(
        IncomingMedication(
            source=ref,
            name=medication,
            started_on=started_at.date(),
            code=code,
            code_system=system,
            dose=place.words(_dose(child(act, "doseQuantity")), limit=40),
            route=place.words(_route(place, child(act, "routeCode")), limit=20),
            frequency=place.words(_frequency(act), limit=40),
            ended_on=end.date() if end else None,
        ),
        derived,
    )


def _dose(quantity: Element | None) -> str:
    if quantity is None:
        return ""
    low, high = decimal_value(child(quantity, "low")), decimal_value(child(quantity, "high"))
    amount = decimal_value(quantity)
    unit = unit_of(quantity) or unit_of(child(quantity, "low"))
    if amount is None and low is not None:
        text = f"{low:f}-{high:f}" if high is not None else f"{low:f}"
    else:
        text = "" if amount is None else f"{amount:f}"
    return f"{text} {unit.strip('{}')}".strip() if text else ""


def _route(place: EntryPlace, route: Element | None) -> str:
    coded = place.doc.coded(route)
    return "" if coded is None else coded.display or coded.code


def _frequency(act: Element) -> str:
    """PIVL_TS ("every 6 hours", "4 times a day") or EIVL_TS ("at bedtime"), "as needed" (PRN)."""
    said = []
    for timing in children(act, "effectiveTime"):
        kind = attr(timing, XSI_TYPE).rpartition(":")[2]
        if kind == "PIVL_TS":
            said.append(_period(timing))
        elif kind == "EIVL_TS":
            said.append(_EVENTS.get(attr(child(timing, "event"), "code").upper(), ""))
    if child(act, "precondition") is not None:
        said.append("as needed")
    return " ".join(s for s in said if s)


def _period(timing: Element) -> str:
    period = child(timing, "period")
    every, unit = decimal_value(period), unit_of(period)
    if every is None or every <= 0:
        return ""
    if attr(timing, "institutionSpecified") == "true" and unit == "h" and 24 % every == 0:
        times = int(24 / every)
        return {1: "once a day", 2: "twice a day"}.get(times, f"{times} times a day")
    if every == 1:
        return {"h": "every hour", "d": "daily", "wk": "weekly", "mo": "monthly"}.get(unit, "")
    return f"every {every:f} {_UNIT_WORDS.get(unit, unit)}".strip()
