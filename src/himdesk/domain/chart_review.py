"""Deficiencies as tracked work: found, then cleared (with who, when and how), and the
chart's completion status that follows from them.

A chart is analysed automatically at discharge and after every document change; the HIT
then reviews the analysis. It is complete, and moves on to coding, once the HIT has
reviewed it and no deficiency is open.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from himdesk.domain.completeness import Deficiency


class ChartStatus(enum.StrEnum):
    AWAITING_ANALYSIS = "awaiting_analysis"  # discharged; the HIT has not reviewed it yet
    INCOMPLETE = "incomplete"  # reviewed; deficiencies are open with clinicians
    COMPLETE = "complete"  # reviewed and nothing open: ready for coding

    @property
    def label(self) -> str:
        return {
            "awaiting_analysis": "Awaiting analysis",
            "incomplete": "Incomplete",
            "complete": "Complete",
        }[self.value]


class Resolution(enum.StrEnum):
    FIXED = "fixed"  # a re-analysis no longer finds it
    QUERY_ANSWERED = "query_answered"  # the clinician answered the query it raised
    WAIVED = "waived"  # HIM judged it not a deficiency, with a stated reason

    @property
    def reopens(self) -> bool:
        """Whether the same finding found again is a new deficiency.

        A fixed problem that comes back is real again; a finding a clinician has answered
        or HIM has waived must not return at the next analysis.
        """
        return self is Resolution.FIXED


@dataclass(frozen=True)
class TrackedDeficiency:
    id: int
    encounter_id: int
    patient_id: int
    deficiency: Deficiency
    found_at: datetime
    found_by: str
    cleared_at: datetime | None = None
    cleared_by: str = ""
    resolution: Resolution | None = None
    resolution_note: str = ""

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None

    def age_days(self, today: date) -> int:
        return (today - self.found_at.date()).days

    def is_delinquent(self, today: date) -> bool:
        """Open past its due date (the bylaws' days after discharge), and of a kind that
        keeps the record incomplete (a late signature or a discrepancy does not)."""
        kind = self.deficiency.kind
        return self.is_open and kind.keeps_record_incomplete and today > self.deficiency.due_on


@dataclass(frozen=True)
class Reconciliation:
    new: tuple[Deficiency, ...]
    fixed: tuple[TrackedDeficiency, ...]

    @property
    def changed(self) -> bool:
        return bool(self.new or self.fixed)


def reconcile(found: Sequence[Deficiency], tracked: Sequence[TrackedDeficiency]) -> Reconciliation:
    """What a fresh analysis adds to, and clears from, what is tracked for the encounter."""
    current = {d.key for d in found}
    kept = {
        t.deficiency.key
        for t in tracked
        if t.is_open or (t.resolution is not None and not t.resolution.reopens)
    }
    seen: set[str] = set()
    new = []
    for d in found:
        if d.key not in kept and d.key not in seen:
            seen.add(d.key)
            new.append(d)
    fixed = tuple(t for t in tracked if t.is_open and t.deficiency.key not in current)
    return Reconciliation(tuple(new), fixed)


def status_after(reviewed: bool, blocking_deficiencies: int) -> ChartStatus:
    if not reviewed:
        return ChartStatus.AWAITING_ANALYSIS
    return ChartStatus.COMPLETE if blocking_deficiencies == 0 else ChartStatus.INCOMPLETE


@dataclass(frozen=True)
class ChartReview:
    """Where one discharged encounter stands in the completeness workflow."""

    encounter_id: int
    status: ChartStatus
    analyzed_at: datetime
    reviewed_by: str = ""
    reviewed_at: datetime | None = None
    completed_at: datetime | None = None
