"""Query metrics: how many were sent and answered, how fast, what the answers were, and how
often the answer changed the coded record.

Outcome rates are shares of the queries that have an outcome: every answered query, and
every unanswered one past its due time (no response). Queries still within their response
time have no outcome yet and count in neither numerator nor denominator. The coding rate
is the share of answered queries whose answer added a diagnosis to the encounter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import mean, median
from typing import Any

from himdesk.domain.queries import PhysicianQuery, QueryOutcome, QueryStatus


@dataclass(frozen=True)
class Share:
    count: int
    of: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.count / self.of, 1) if self.of else None

    def as_json(self) -> dict[str, Any]:
        return {"count": self.count, "percent": self.percent}


@dataclass(frozen=True)
class QueryMetrics:
    sent: int
    answered: int
    open: int
    overdue: int
    escalated: int
    median_response_hours: float | None
    mean_response_hours: float | None
    outcomes: dict[QueryOutcome, Share]
    coding_changed: Share

    def as_json(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "answered": self.answered,
            "open": self.open,
            "overdue": self.overdue,
            "escalated": self.escalated,
            "response_hours": {
                "median": self.median_response_hours,
                "mean": self.mean_response_hours,
            },
            "outcomes": {o.value: share.as_json() for o, share in self.outcomes.items()},
            "coding_changed": self.coding_changed.as_json(),
        }


def outcome_on(query: PhysicianQuery, now: datetime) -> QueryOutcome | None:
    if query.status is QueryStatus.ANSWERED:
        return query.outcome
    return QueryOutcome.NO_RESPONSE if query.is_overdue(now) else None


def measure(queries: Sequence[PhysicianQuery], now: datetime) -> QueryMetrics:
    answered = [q for q in queries if q.status is QueryStatus.ANSWERED]
    hours = [h for q in answered if (h := q.response_hours) is not None]
    outcomes = [o for q in queries if (o := outcome_on(q, now)) is not None]
    return QueryMetrics(
        sent=len(queries),
        answered=len(answered),
        open=sum(1 for q in queries if q.is_open),
        overdue=sum(1 for q in queries if q.is_overdue(now)),
        escalated=sum(1 for q in queries if q.escalated_at is not None),
        median_response_hours=round(median(hours), 1) if hours else None,
        mean_response_hours=round(mean(hours), 1) if hours else None,
        outcomes={o: Share(outcomes.count(o), len(outcomes)) for o in QueryOutcome},
        coding_changed=Share(sum(1 for q in answered if q.coding_changed), len(answered)),
    )
