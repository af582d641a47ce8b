"""Single visits: emergency department visits and clinic appointments, each with one note
(and a radiology report when a study was done)."""

from __future__ import annotations

from datetime import datetime, timedelta

from himdesk.demo import stay_records as records
from himdesk.demo.case_mix import clinic_condition, emergency_condition
from himdesk.demo.conditions import Condition
from himdesk.demo.context import ChartContext, StayStory
from himdesk.demo.labs import lab_line
from himdesk.demo.model import DemoEncounter
from himdesk.demo.people import account_number_for
from himdesk.demo.reports import radiology_report, radiology_study
from himdesk.demo.stays import stay_story
from himdesk.demo.visit_notes import clinic_note, emergency_note
from himdesk.domain.records import (
    Clinician,
    DischargeDisposition,
    DocumentType,
    Encounter,
    EncounterClass,
    EncounterStatus,
)


def build_emergency(ctx: ChartContext, visit: int, arrived: datetime) -> DemoEncounter:
    age = ctx.patient.age_on(arrived.date())
    condition = emergency_condition(ctx.rng, age, ctx.profile.chronic)
    physician = ctx.roster.attending(ctx.rng, "Emergency Medicine")
    left = ctx.after(arrived, 2, 7)
    encounter = _encounter(
        ctx, visit, EncounterClass.EMERGENCY, arrived, left, "Emergency Medicine", physician
    )
    encounter.discharge_disposition = DischargeDisposition.HOME
    story = stay_story(ctx, encounter, [condition], physician)
    stay = _studies(ctx, story, condition, ctx.after(arrived, 0.3, 1.0))
    at = left - timedelta(minutes=ctx.rng.randint(5, 40))
    body = emergency_note(ctx.rng, ctx.patient, ctx.profile, story, at)
    stay.documents.append(
        ctx.writer.write(
            DocumentType.ED_NOTE,
            "Emergency Department Note",
            encounter.account_number,
            physician,
            at,
            body,
        )
    )
    _records(ctx, story, stay, in_stay=True)
    return stay


def build_clinic(ctx: ChartContext, visit: int, day: datetime) -> DemoEncounter:
    age = ctx.patient.age_on(day.date())
    condition = clinic_condition(ctx.rng, age, ctx.profile.chronic)
    clinic = condition.service
    if clinic == "Primary Care" and age < 18:
        clinic = "Pediatric Clinic"
    elif clinic == "Primary Care" and ctx.rng.random() < 0.4:
        clinic = "Internal Medicine Clinic"
    clinician = ctx.roster.for_service(ctx.rng, clinic)
    start = day.replace(hour=ctx.rng.randint(12, 21), minute=ctx.rng.choice((0, 15, 30, 45)))
    end = start + timedelta(minutes=ctx.rng.randint(25, 60))
    encounter = _encounter(ctx, visit, EncounterClass.OUTPATIENT, start, end, clinic, clinician)
    story = stay_story(ctx, encounter, [condition], clinician)
    stay = _studies(ctx, story, condition, start + timedelta(minutes=ctx.rng.randint(3, 10)))
    at = end - timedelta(minutes=ctx.rng.randint(2, 10))
    body = clinic_note(ctx.rng, ctx.patient, ctx.profile, story, at)
    stay.documents.append(
        ctx.writer.write(
            DocumentType.PROGRESS_NOTE,
            f"{clinic} Progress Note",
            encounter.account_number,
            clinician,
            at,
            body,
        )
    )
    _records(ctx, story, stay, in_stay=False)
    return stay


def _encounter(
    ctx: ChartContext,
    visit: int,
    kind: EncounterClass,
    start: datetime,
    end: datetime,
    service: str,
    clinician: Clinician,
) -> Encounter:
    return Encounter(
        patient_id=0,
        encounter_class=kind,
        admitted_at=start,
        account_number=account_number_for(ctx.index, visit),
        status=EncounterStatus.DISCHARGED,
        discharged_at=end,
        attending_id=clinician.id,
        service=service,
    )


def _studies(
    ctx: ChartContext, story: StayStory, condition: Condition, drawn_at: datetime
) -> DemoEncounter:
    """Results drawn at the visit and the radiology report of any study, read promptly."""
    stay = DemoEncounter(encounter=story.encounter)
    if condition.panel or condition.tests or condition.labs:
        stay.observations = records.results(ctx.rng, [condition], [drawn_at], panel=condition.panel)
        story.admission_labs = lab_line(stay.observations)
    if condition.imaging is not None:
        tags = ctx.profile.allergy_tags
        study = radiology_study(condition.imaging, story.words, tags)
        story.imaging = [f"{study}: {condition.imaging.impression.format_map(story.words)}"]
        body = radiology_report(ctx.rng, condition, condition.imaging, story.words, tags)
        stay.documents.append(
            ctx.writer.write(
                DocumentType.RADIOLOGY_REPORT,
                f"Radiology Report: {study}",
                story.encounter.account_number,
                ctx.roster.attending(ctx.rng, "Radiology"),
                drawn_at + timedelta(minutes=ctx.rng.randint(5, 15)),
                body,
            )
        )
    return stay


def _records(ctx: ChartContext, story: StayStory, stay: DemoEncounter, *, in_stay: bool) -> None:
    child = ctx.patient.age_on(story.encounter.admitted_at.date()) < 12
    drugs = records.chosen_drugs(story.conditions, ctx.profile.allergy_tags)
    stay.medications = records.medications(drugs, story.encounter, child=child, in_stay=in_stay)
    stay.diagnoses = records.diagnoses(
        story.conditions, story.words, story.attending.id, story.encounter.admitted_at
    )
