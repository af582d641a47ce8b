"""Who writes which note of a stay, and when: residents draft on teaching services and an
attending co-signs; surgeons write operative reports, pathologists the specimen report.
"""

from __future__ import annotations

from himdesk.demo import stay_records as records
from himdesk.demo.context import ChartContext, StayClock, StayStory
from himdesk.demo.model import DemoEncounter
from himdesk.demo.notes import (
    consultation,
    discharge_summary,
    history_and_physical,
    progress_note,
)
from himdesk.demo.reports import operative_report, pathology_report
from himdesk.domain.records import DocumentType

T = DocumentType


def write_stay_documents(
    ctx: ChartContext, story: StayStory, clock: StayClock, stay: DemoEncounter
) -> None:
    rng, patient, profile = ctx.rng, ctx.patient, ctx.profile
    account = story.encounter.account_number
    attending, resident = story.attending, story.resident
    first = resident or attending
    body = history_and_physical(rng, patient, profile, story, clock.history_at)
    stay.documents.append(
        ctx.writer.write(
            T.HISTORY_AND_PHYSICAL,
            "History and Physical",
            account,
            first,
            clock.history_at,
            body,
            attending,
        )
    )
    if clock.consult_at is not None and story.consultant:
        consultant = ctx.roster.attending(rng, story.consultant)
        body = consultation(rng, patient, profile, story, clock.consult_at, attending.display_name)
        stay.documents.append(
            ctx.writer.write(
                T.CONSULTATION,
                f"{story.consultant} Consultation",
                account,
                consultant,
                clock.consult_at,
                body,
            )
        )
    if story.operation is not None and clock.operation_at is not None:
        _write_operation(ctx, story, clock, stay)
    for k, at in enumerate(clock.progress_at):
        by_attending = resident is None or (k == len(clock.progress_at) - 1 and k > 0)
        author = attending if by_attending else first
        title = "Attending Progress Note" if resident and by_attending else "Progress Note"
        stay.documents.append(
            ctx.writer.write(
                T.PROGRESS_NOTE,
                title,
                account,
                author,
                at,
                progress_note(rng, story, at),
                attending,
            )
        )
    if story.encounter.discharged_at is not None:
        author = resident if resident and rng.random() < 0.5 else attending
        at = ctx.after(story.encounter.discharged_at, 1, 16)
        stay.documents.append(
            ctx.writer.write(
                T.DISCHARGE_SUMMARY,
                "Discharge Summary",
                account,
                author,
                at,
                discharge_summary(rng, patient, profile, story),
                attending,
            )
        )


def _write_operation(
    ctx: ChartContext, story: StayStory, clock: StayClock, stay: DemoEncounter
) -> None:
    operation, condition = story.operation, story.principal
    at = clock.operation_at
    assert operation is not None and at is not None  # noqa: S101 - checked by the caller
    words, account = story.words, story.encounter.account_number
    surgeon = story.attending
    if surgeon.specialty != operation.specialty:
        surgeon = ctx.roster.attending(ctx.rng, operation.specialty)
    assistant = story.resident if story.encounter.service == "General Surgery" else None
    stay.procedures.append(records.procedure(condition, operation, words, surgeon.id, at))
    body = operative_report(
        ctx.rng, condition, operation, words, surgeon, assistant, at, ctx.profile.allergy_tags
    )
    stay.documents.append(
        ctx.writer.write(
            T.OPERATIVE_REPORT, operation.title, account, surgeon, ctx.after(at, 1.5, 3), body
        )
    )
    if operation.tissue_removed:
        pathologist = ctx.roster.attending(ctx.rng, "Pathology")
        body = pathology_report(condition, operation, words, ctx.after(at, 1, 3))
        stay.documents.append(
            ctx.writer.write(
                T.PATHOLOGY_REPORT,
                "Surgical Pathology Report",
                account,
                pathologist,
                ctx.after(at, 18, 36),
                body,
            )
        )
