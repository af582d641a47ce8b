"""Inpatient and observation stays: when things happen, who writes what, and the records.

Every note except the discharge summary is dated inside the stay; the discharge summary
follows discharge within a day; signatures follow within hours (see `documents`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from himdesk.demo import stay_records as records
from himdesk.demo.case_mix import observation_condition, stay_conditions
from himdesk.demo.conditions import Condition, Imaging
from himdesk.demo.context import ChartContext, StayClock, StayStory
from himdesk.demo.labs import lab_line
from himdesk.demo.model import DemoEncounter
from himdesk.demo.people import account_number_for
from himdesk.demo.phrasing import visit_words
from himdesk.demo.reports import radiology_report, radiology_study
from himdesk.demo.stay_writing import write_stay_documents
from himdesk.domain.records import (
    Clinician,
    DischargeDisposition,
    DocumentType,
    Encounter,
    EncounterClass,
    EncounterStatus,
    Observation,
)

HOUR = timedelta(hours=1)


def build_inpatient(
    ctx: ChartContext, visit: int, admitted: datetime, *, in_progress: bool
) -> DemoEncounter:
    age = ctx.patient.age_on(admitted.date())
    conditions = stay_conditions(ctx.rng, age, ctx.profile.chronic)
    while in_progress and any(c.operation for c in conditions):
        conditions = stay_conditions(ctx.rng, age, ctx.profile.chronic)
    principal = conditions[0]
    service = principal.service
    if age < 18 and service == "Medicine":
        service = "Pediatrics"
    operation = principal.operation
    if operation is not None and ctx.rng.random() >= operation.rate:
        operation = None
    attending = ctx.roster.for_service(ctx.rng, service)
    encounter = Encounter(
        patient_id=0,
        encounter_class=EncounterClass.INPATIENT,
        admitted_at=admitted,
        account_number=account_number_for(ctx.index, visit),
        service=service,
        attending_id=attending.id,
    )
    story = stay_story(ctx, encounter, conditions, attending)
    story.operation = operation
    if story.resident is None and ctx.rng.random() < 0.5:
        story.resident = ctx.roster.resident(ctx.rng, service)
    clock = _inpatient_clock(ctx, story, in_progress=in_progress)
    story.operation_at = clock.operation_at
    if not in_progress:
        encounter.status = EncounterStatus.DISCHARGED
        encounter.discharged_at = clock.stop
        encounter.discharge_disposition = records.disposition(ctx.rng, principal, age)
    return _assemble(ctx, story, clock)


def build_observation(ctx: ChartContext, visit: int, admitted: datetime) -> DemoEncounter:
    age = ctx.patient.age_on(admitted.date())
    condition = observation_condition(ctx.rng, age, ctx.profile.chronic)
    service = "Medicine" if age >= 18 else "Pediatrics"
    attending = ctx.roster.for_service(ctx.rng, service)
    encounter = Encounter(
        patient_id=0,
        encounter_class=EncounterClass.OBSERVATION,
        admitted_at=admitted,
        account_number=account_number_for(ctx.index, visit),
        service=service,
        attending_id=attending.id,
        status=EncounterStatus.DISCHARGED,
        discharge_disposition=DischargeDisposition.HOME,
    )
    story = stay_story(ctx, encounter, [condition], attending)
    history_at = ctx.after(admitted, 1.5, 3.5)
    stop = ctx.after(admitted, 16, 40)
    encounter.discharged_at = stop
    clock = StayClock(admitted=admitted, stop=stop, history_at=history_at)
    clock.imaging_at = [ctx.after(admitted, 0.3, 1.2)] if condition.imaging else []
    clock.draws_at = [ctx.after(admitted, 0.1, 0.6), ctx.after(admitted, 7, 12)]
    if stop - history_at > 14 * HOUR:
        clock.progress_at = [ctx.after(history_at, 8, 12)]
    return _assemble(ctx, story, clock)


def stay_story(
    ctx: ChartContext, encounter: Encounter, conditions: list[Condition], attending: Clinician
) -> StayStory:
    words = visit_words(
        ctx.rng, ctx.patient, ctx.profile, encounter.admitted_at, ctx.side_for(conditions)
    )
    return StayStory(encounter=encounter, conditions=conditions, words=words, attending=attending)


def _inpatient_clock(ctx: ChartContext, story: StayStory, *, in_progress: bool) -> StayClock:
    admitted = story.encounter.admitted_at
    operation = story.operation
    elective = operation is not None and operation.elective
    history_at = ctx.after(admitted, 0.5, 1.0) if elective else ctx.after(admitted, 2, 6)
    clock = StayClock(admitted=admitted, stop=admitted, history_at=history_at)
    clock.imaging_at = [ctx.after(admitted, 0.2, 1.5) for c in _imaged(story.conditions)]
    busy_until = history_at
    if _wants_consult(ctx, story):
        # Before an urgent operation the consultant sees the patient preoperatively.
        soon = operation is not None and not elective
        clock.consult_at = ctx.after(history_at, 0.5, 2) if soon else ctx.after(admitted, 8, 30)
        busy_until = clock.consult_at
    if operation is not None:
        start = ctx.after(history_at, 1, 2) if elective else ctx.after(admitted, 6, 18)
        if clock.consult_at is not None:
            start = max(start, clock.consult_at + HOUR)
        clock.operation_at = start
        busy_until = max(busy_until, start + (42 if operation.tissue_removed else 6) * HOUR)
    days = ctx.rng.randint(*story.conditions[0].los)
    stop = max(
        admitted + timedelta(hours=days * 24 + ctx.rng.randint(-5, 6)),
        busy_until + 8 * HOUR,
        admitted + 36 * HOUR,
    )
    if in_progress:
        stop = ctx.horizon - HOUR
        if clock.consult_at and clock.consult_at > stop - 2 * HOUR:
            clock.consult_at = None
    clock.stop = stop
    _spread(ctx, clock, days, start_after=max(history_at, clock.operation_at or history_at))
    return clock


def _wants_consult(ctx: ChartContext, story: StayStory) -> bool:
    """Sometimes a specialist is asked to see the patient (usually, for a hip fracture)."""
    wanted = [
        c.consult for c in story.conditions if c.consult and c.consult != story.attending.specialty
    ]
    if not wanted or ctx.patient.age_on(story.encounter.admitted_at.date()) < 18:
        return False
    chance = 0.8 if wanted[0] == "Hospital Medicine" else 0.4
    if ctx.rng.random() >= chance:
        return False
    story.consultant = wanted[0]
    return True


def _spread(ctx: ChartContext, clock: StayClock, days: int, start_after: datetime) -> None:
    """Progress notes evenly over the stay; lab draws from arrival to the last morning."""
    count = min(ctx.rng.randint(1, 4), max(1, days))
    low, high = start_after + 3 * HOUR, clock.stop - 2 * HOUR
    step = (high - low) / count
    even = [(low + step * (k + 0.5)).replace(second=0, microsecond=0) for k in range(count)]
    morning = [
        t.replace(hour=ctx.rng.randint(12, 16), minute=ctx.rng.randint(0, 59)) for t in even
    ]  # rounds are written mid-morning, US time
    clock.progress_at = sorted(
        m if low <= m <= high else t for m, t in zip(morning, even, strict=True)
    )
    draws = min(4, max(2, days + 1))
    first = ctx.after(clock.admitted, 0.1, 0.6)
    gap = (clock.stop - 2 * HOUR - first) / (draws - 1)
    clock.draws_at = [(first + gap * k).replace(second=0, microsecond=0) for k in range(draws)]


def _imaged(conditions: list[Condition]) -> list[tuple[Condition, Imaging]]:
    seen: dict[str, tuple[Condition, Imaging]] = {}
    for condition in conditions:
        if condition.imaging and condition.imaging.study not in seen:
            seen[condition.imaging.study] = (condition, condition.imaging)
    return list(seen.values())


def _assemble(ctx: ChartContext, story: StayStory, clock: StayClock) -> DemoEncounter:
    child = ctx.patient.age_on(clock.admitted.date()) < 12
    results: list[Observation] = records.results(ctx.rng, story.conditions, clock.draws_at)
    first_draw = [r for r in results if r.observed_at == clock.draws_at[0]]
    story.admission_labs = lab_line(first_draw)
    imaged = _imaged(story.conditions)
    tags = ctx.profile.allergy_tags
    story.imaging = [
        f"{radiology_study(i, story.words, tags)}: {i.impression.format_map(story.words)}"
        for _, i in imaged
    ]
    drugs = records.chosen_drugs(story.conditions, tags)
    story.discharge_meds = records.going_home_drugs(drugs, child=child)
    stay = DemoEncounter(encounter=story.encounter, observations=results)
    stay.medications = records.medications(drugs, story.encounter, child=child, in_stay=True)
    stay.diagnoses = records.diagnoses(
        story.conditions, story.words, story.attending.id, clock.history_at
    )
    radiologist = ctx.roster.attending(ctx.rng, "Radiology")
    for (condition, imaging), at in zip(imaged, clock.imaging_at, strict=True):
        body = radiology_report(ctx.rng, condition, imaging, story.words, tags)
        title = f"Radiology Report: {radiology_study(imaging, story.words, tags)}"
        stay.documents.append(
            ctx.writer.write(
                DocumentType.RADIOLOGY_REPORT,
                title,
                story.encounter.account_number,
                radiologist,
                ctx.after(at, 0.3, 0.9),
                body,
            )
        )
    write_stay_documents(ctx, story, clock, stay)
    stay.documents.sort(key=lambda d: d.authored_at)
    return stay
