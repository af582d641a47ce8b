"""Restricted records in the demo: a few VIP and employee charts, and behavioral health
consultations labelled as such, so that break-the-glass and privacy review have work.

Chosen by chart index, after everything else is written, so the rest of each chart is the
same with or without them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from himdesk.demo.context import ChartContext
from himdesk.demo.model import DemoChart
from himdesk.domain.records import DocumentType, EncounterClass
from himdesk.domain.sensitivity import SensitiveCategory

_CONSULT_BODY = (
    "REASON FOR CONSULTATION:\nLow mood and poor sleep during the admission.\n\n"
    "HISTORY:\nReports two months of low mood, anhedonia and early waking. Denies suicidal "
    "ideation, intent or plan. Denies hallucinations. No prior psychiatric admissions.\n\n"
    "MENTAL STATUS EXAMINATION:\nCalm, cooperative, good eye contact. Mood 'down', affect "
    "constricted. Thought process linear. No suicidal or homicidal ideation. Insight fair.\n\n"
    "ASSESSMENT AND PLAN:\nMajor depressive disorder, single episode, moderate. Start "
    "sertraline 25 mg daily; outpatient behavioral health follow-up within 2 weeks; safety "
    "plan reviewed with the patient."
)


def label_sensitive(ctx: ChartContext, chart: DemoChart) -> None:
    if ctx.index % 101 == 17:
        chart.restrictions.append(SensitiveCategory.VIP)
    if ctx.index % 53 == 29:
        chart.restrictions.append(SensitiveCategory.EMPLOYEE)
    if ctx.index % 37 == 11:
        _add_behavioral_health_consult(ctx, chart)


def _add_behavioral_health_consult(ctx: ChartContext, chart: DemoChart) -> None:
    for stay in chart.encounters:
        e = stay.encounter
        if e.encounter_class is not EncounterClass.INPATIENT or e.discharged_at is None:
            continue
        if e.attending_id is None:
            continue
        at = e.admitted_at + (e.discharged_at - e.admitted_at) / 2
        author = ctx.roster.get(e.attending_id)
        at = at.replace(microsecond=0)
        note = ctx.writer.write(
            DocumentType.CONSULTATION, "Behavioral Health Consultation", e.account_number,
            author, at, _CONSULT_BODY,
        )  # fmt: skip
        signed_at = min(note.signed_at or at, e.discharged_at - timedelta(minutes=1))
        note = replace(note, sensitivity=SensitiveCategory.BEHAVIORAL_HEALTH, signed_at=signed_at)
        stay.documents.append(note)
        return
