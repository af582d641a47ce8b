"""The deterministic synthetic demo hospital.

`build_hospital(seed)` gives the medical staff; `generate_charts(hospital, seed, patients,
today)` streams patient charts. Chart *i* depends only on (seed, i, today): it draws from
its own `random.Random(f"{seed}:{i}")`, so charts can be generated in any order, in
parallel or one at a time, and come out the same. Nothing reads the wall clock.

A few percent of inpatient stays carry a planted HIM problem, listed in
`DemoChart.problems`; every other chart is clean (see `problems`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime

from himdesk.demo.clinicians import Roster, build_roster
from himdesk.demo.context import ChartContext
from himdesk.demo.documents import NoteWriter
from himdesk.demo.model import DemoChart, DemoEncounter, DemoHospital
from himdesk.demo.people import make_patient
from himdesk.demo.problems import plant_problems
from himdesk.demo.profile import make_profile
from himdesk.demo.sensitive import label_sensitive
from himdesk.demo.stays import build_inpatient, build_observation
from himdesk.demo.timeline import current_admission, encounter_class, visit_count, visit_starts
from himdesk.demo.visits import build_clinic, build_emergency
from himdesk.domain.records import Allergy, DischargeDisposition, EncounterClass

FACILITY = "HIMDESK-GENERAL"


def build_hospital(seed: int) -> DemoHospital:
    return DemoHospital(clinicians=build_roster(seed), facility=FACILITY)


def generate_charts(
    hospital: DemoHospital, seed: int, patients: int, today: date
) -> Iterator[DemoChart]:
    roster = Roster(hospital.clinicians)
    horizon = datetime(today.year, today.month, today.day, tzinfo=UTC)
    for index in range(patients):
        yield build_chart(roster, hospital.facility, seed, index, horizon)


def build_chart(
    roster: Roster, facility: str, seed: int, index: int, horizon: datetime
) -> DemoChart:
    rng = random.Random(f"{seed}:{index}")
    today = horizon.date()
    patient = make_patient(rng, index, facility, today)
    profile = make_profile(rng, patient, today)
    writer = NoteWriter(rng=rng, patient=patient, horizon=horizon)
    ctx = ChartContext(
        index=index,
        seed=seed,
        rng=rng,
        roster=roster,
        patient=patient,
        profile=profile,
        horizon=horizon,
        writer=writer,
    )
    chart = DemoChart(patient=patient)
    chart.encounters = _encounters(ctx)
    first_visit = chart.encounters[0].encounter.admitted_at.date()
    chart.allergies = [
        Allergy(
            patient_id=0,
            substance=a.substance,
            reaction=a.reaction,
            severity=a.severity,
            recorded_on=first_visit,
        )
        for a in profile.allergies
    ]
    chart.problems = plant_problems(ctx, chart)
    label_sensitive(ctx, chart)
    return chart


def _encounters(ctx: ChartContext) -> list[DemoEncounter]:
    rng = ctx.rng
    starts = visit_starts(rng, ctx.patient.birth_on, ctx.horizon, visit_count(rng))
    current = current_admission(rng, ctx.horizon)
    if current is not None and len(starts) == 6:
        starts.pop()
    found: list[DemoEncounter] = []
    for visit, start in enumerate(starts):
        kind = encounter_class(rng, ctx.patient.age_on(start.date()))
        if kind is EncounterClass.INPATIENT:
            found.append(build_inpatient(ctx, visit, start, in_progress=False))
        elif kind is EncounterClass.OBSERVATION:
            found.append(build_observation(ctx, visit, start))
        elif kind is EncounterClass.EMERGENCY:
            found.append(build_emergency(ctx, visit, start))
        else:
            found.append(build_clinic(ctx, visit, start))
        if found[-1].encounter.discharge_disposition is DischargeDisposition.EXPIRED:
            return found
    if current is not None:
        found.append(build_inpatient(ctx, len(found), current, in_progress=True))
    return found
