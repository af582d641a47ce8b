"""Chart analysis: deficiencies found, tracked until cleared, and the chart's status.

Analysis runs on demand (`analyze_charts`), after every change to a discharged encounter's
documents (`reanalyze_encounter`, called inside the change's own transaction) and over the
whole hospital after a load. Each run reconciles what it finds with what is tracked: new
findings open deficiencies, fixed ones clear with who and when.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice

from himdesk.domain.access import Action, Actor
from himdesk.domain.chart_review import (
    ChartReview,
    ChartStatus,
    Resolution,
    TrackedDeficiency,
    reconcile,
    status_after,
)
from himdesk.domain.completeness import Deficiency, EncounterRecord, analyze
from himdesk.domain.import_records import PartKind
from himdesk.domain.record_sources import analysed_here
from himdesk.domain.records import Encounter
from himdesk.domain.rule_book import RuleBook
from himdesk.services import audit
from himdesk.services.errors import Conflict, NotFound
from himdesk.services.ports import NewDeficiency, UnitOfWork

BATCH = 500
MAX_WAIVER_REASON = 500  # deficiencies.resolution_note


@dataclass(frozen=True)
class Finding:
    encounter: Encounter
    mrn: str
    deficiency: Deficiency
    assignee: str


@dataclass(frozen=True)
class AnalysedEncounter:
    record: EncounterRecord
    open: tuple[Deficiency, ...]  # what is open after this analysis
    review: ChartReview


def analyze_charts(
    uow: UnitOfWork,
    actor: Actor,
    encounter_id: int | None = None,
    rules: RuleBook | None = None,
) -> list[Finding]:
    """Open deficiencies of discharged encounters; each chart analysed is one audited access."""
    audit.require(uow, actor, Action.ANALYZE_CHARTS)
    encounters: Iterable[Encounter] = every_discharged(uow)
    if encounter_id is not None:
        encounters = uow.chart.discharged_encounters(encounter_id)
        if not encounters:
            raise NotFound("discharged encounter", encounter_id)
    findings: list[Finding] = []
    names: dict[int, str] = {}
    analysed = analyze_encounters(uow, actor.username, encounters, rules)
    while batch := list(islice(analysed, BATCH)):
        # An event per chart, appended a batch at a time: one by one they cost more than
        # the analysis itself.
        charts = [(a.record.patient.id, "encounter", a.record.encounter.id) for a in batch]
        audit.record_many(uow, actor, Action.ANALYZE_CHARTS.value, charts)
        for one in batch:
            findings.extend(_named(uow, one, names))
    uow.commit()
    return findings


def every_discharged(uow: UnitOfWork) -> Iterator[Encounter]:
    """Every discharged encounter, read a batch at a time: the whole list at once took 140 MB
    at 100,000 patients, and grows with the hospital."""
    after = 0
    while page := uow.chart.discharged_encounters(after=after, limit=BATCH):
        yield from page
        after = _id_of(page[-1])


def analyze_encounters(
    uow: UnitOfWork, by: str, encounters: Iterable[Encounter], rules: RuleBook | None = None
) -> Iterator[AnalysedEncounter]:
    """Analyse and track, in batches; the caller audits and commits."""
    pending = iter(encounters)
    while batch := list(islice(pending, BATCH)):
        records = uow.chart.encounter_records(batch, uow.patients.get_many)
        book = rules or uow.completeness_rules
        found = [(r, analyze(r, book.for_class(r.encounter.encounter_class))) for r in records]
        yield from _track(uow, by, found)


def reanalyze_encounter(
    uow: UnitOfWork, by: str, encounter_id: int | None, rules: RuleBook | None = None
) -> ChartReview | None:
    """Bring a discharged encounter's deficiencies up to date after a change (no commit)."""
    if encounter_id is None:
        return None
    encounter = uow.chart.encounter(encounter_id)
    if encounter is None or encounter.discharged_at is None:
        return None
    if not analysed_here(uow.chart.senders_of(PartKind.ENCOUNTER, encounter_id)):
        return None  # received from another organisation: filed as it came, not analysed
    return next(iter(analyze_encounters(uow, by, [encounter], rules))).review


def _track(
    uow: UnitOfWork, by: str, analysed: list[tuple[EncounterRecord, list[Deficiency]]]
) -> Iterator[AnalysedEncounter]:
    ids = [_id(record) for record, _ in analysed]
    tracked = uow.chart_reviews.tracked(ids)
    reviews = uow.chart_reviews.reviews(ids)
    now = uow.clock()
    rows: list[NewDeficiency] = []
    fixed: list[int] = []
    updated: list[ChartReview] = []
    results: list[AnalysedEncounter] = []
    for record, found in analysed:
        encounter_id = _id(record)
        change = reconcile(found, tracked[encounter_id])
        rows += [(encounter_id, record.encounter.patient_id, d) for d in change.new]
        fixed += [t.id for t in change.fixed]
        # Tracked and closed means answered or waived: closed for good.
        settled = {t.deficiency.key for t in tracked[encounter_id] if not t.is_open}
        open_now = tuple(d for d in found if d.key not in settled)
        blocking = sum(d.kind.blocks_completion for d in open_now)
        review = _next_review(reviews.get(encounter_id), encounter_id, blocking, now)
        updated.append(review)
        results.append(AnalysedEncounter(record, open_now, review))
    uow.chart_reviews.add(rows, now, by)
    uow.chart_reviews.clear(fixed, now, by, Resolution.FIXED)
    uow.chart_reviews.save_reviews(updated, reviews.keys())
    yield from results


def _next_review(
    before: ChartReview | None, encounter_id: int, blocking: int, now: datetime
) -> ChartReview:
    reviewed = before is not None and before.reviewed_at is not None
    status = status_after(reviewed, blocking)
    if before is None:
        return ChartReview(encounter_id, status, now)
    completed = before.completed_at if status is ChartStatus.COMPLETE else None
    if status is ChartStatus.COMPLETE and completed is None:
        completed = now
    return replace(before, status=status, analyzed_at=now, completed_at=completed)


def _id(record: EncounterRecord) -> int:
    return _id_of(record.encounter)


def _id_of(encounter: Encounter) -> int:
    assert encounter.id is not None  # noqa: S101 - stored encounters have ids
    return encounter.id


def _named(
    uow: UnitOfWork, analysed: AnalysedEncounter, names: dict[int, str]
) -> Iterator[Finding]:
    """The findings with their assignee's name; `names` keeps those looked up in this run
    (a hospital has hundreds of clinicians, not a query's worth per chart)."""
    unknown = {d.assignee_id for d in analysed.open if d.assignee_id} - names.keys()
    if unknown:
        found = uow.clinicians.get_many(unknown)
        names.update({i: found[i].display_name if i in found else "" for i in unknown})
    record = analysed.record
    for d in analysed.open:
        who = names[d.assignee_id] if d.assignee_id else ""
        yield Finding(record.encounter, record.patient.mrn, d, who)


def complete_review(uow: UnitOfWork, actor: Actor, encounter_id: int) -> ChartReview:
    """The HIT has reviewed the analysis: complete now if nothing is open, else incomplete."""
    audit.require(uow, actor, Action.ANALYZE_CHARTS)
    encounter = uow.chart.encounter(encounter_id)
    if encounter is None or encounter.discharged_at is None:
        raise NotFound("discharged encounter", encounter_id)
    if not analysed_here(uow.chart.senders_of(PartKind.ENCOUNTER, encounter_id)):
        raise Conflict(
            "This encounter was received from another organisation: it is filed as it came, "
            "not analysed or completed here."
        )
    review = next(analyze_encounters(uow, actor.username, [encounter])).review
    now = uow.clock()
    reviewed = replace(review, reviewed_by=actor.username, reviewed_at=now)
    blocking = uow.chart_reviews.blocking_count(encounter_id)
    status = status_after(True, blocking)
    completed = now if status is ChartStatus.COMPLETE else None
    reviewed = replace(reviewed, status=status, completed_at=completed)
    uow.chart_reviews.save_reviews([reviewed], {encounter_id})
    audit.record(uow, actor, "chart.review", patient_id=encounter.patient_id,
                 object_type="encounter", object_id=encounter_id)  # fmt: skip
    uow.commit()
    return reviewed


def waive_deficiency(
    uow: UnitOfWork, actor: Actor, deficiency_id: int, reason: str
) -> TrackedDeficiency:
    """HIM judges a finding not to be a deficiency; the reason is kept and it won't return."""
    audit.require(uow, actor, Action.ANALYZE_CHARTS)
    reason = " ".join(reason.split())
    if not reason:
        raise Conflict("Give the reason for waiving the deficiency; it is kept with it.")
    if not reason.isprintable() or len(reason) > MAX_WAIVER_REASON:
        raise Conflict(f"Type the reason for waiving as plain text, under {MAX_WAIVER_REASON} "
                       "characters.")  # fmt: skip
    tracked = uow.chart_reviews.find(deficiency_id)
    if tracked is None:
        raise NotFound("deficiency", deficiency_id)
    if not tracked.is_open:
        raise Conflict("That deficiency is already cleared.")
    now = uow.clock()
    if not uow.chart_reviews.clear([deficiency_id], now, actor.username, Resolution.WAIVED, reason):
        raise Conflict("That deficiency was cleared meanwhile; nothing was waived.")
    settle_status(uow, tracked.encounter_id)
    audit.record(uow, actor, "deficiency.waive", patient_id=tracked.patient_id,
                 object_type="deficiency", object_id=deficiency_id)  # fmt: skip
    uow.commit()
    return replace(tracked, cleared_at=now, cleared_by=actor.username,
                   resolution=Resolution.WAIVED, resolution_note=reason)  # fmt: skip


def settle_status(uow: UnitOfWork, encounter_id: int) -> ChartReview | None:
    """Recompute a chart's status after deficiencies were closed outside an analysis."""
    before = uow.chart_reviews.reviews([encounter_id]).get(encounter_id)
    if before is None:
        return None
    after = _next_review(before, encounter_id, uow.chart_reviews.blocking_count(encounter_id),
                         uow.clock())  # fmt: skip
    uow.chart_reviews.save_reviews([after], {encounter_id})
    return after
