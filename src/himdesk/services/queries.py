"""Physician queries from HIM's side: the query form, sending, reading one query, the
query worklist with its metrics, and escalation of overdue queries.

A query is about one discharged encounter, usually one of its tracked deficiencies, and goes
to one clinician. The compliance rules are in `domain.queries`; every read and write of a
query is audited by id (the trail never holds the question or the indicators).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from himdesk.domain.access import Action, Actor, is_permitted
from himdesk.domain.chart_review import TrackedDeficiency
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.queries import (
    RESPONSE_TIME,
    PhysicianQuery,
    QueryForm,
    QueryStatus,
    QuerySubject,
    compose_query,
    escalated,
    escalation_target,
)
from himdesk.domain.query_metrics import QueryMetrics, measure
from himdesk.domain.query_suggestions import QuerySuggestion, suggest
from himdesk.domain.records import Clinician, Encounter
from himdesk.domain.restrictions import PATIENT_LEVEL
from himdesk.services import audit
from himdesk.services.access_control import check_access
from himdesk.services.charts import Banner, banner_of, get_patient
from himdesk.services.errors import Conflict, NotFound
from himdesk.services.ports import QueryListing, UnitOfWork

OBJECT = "physician-query"


@dataclass(frozen=True)
class QueryDraft:
    """What the query form shows: the encounter, the finding, and the suggested query."""

    banner: Banner
    encounter: Encounter
    deficiency: TrackedDeficiency | None
    clinicians: Sequence[Clinician]
    suggestion: QuerySuggestion
    addressee_id: int | None

    @property
    def response_hours(self) -> int:
        return int(RESPONSE_TIME.total_seconds() // 3600)

    def form(self) -> QueryForm:
        s = self.suggestion
        return QueryForm(
            question=s.question,
            indicators="\n".join(i.line for i in s.indicators),
            format=s.format.value,
            options="\n".join(s.options),
            addressee_id=str(self.addressee_id or ""),
            deficiency_id=str(self.deficiency.id) if self.deficiency else "",
        )


def start_query(
    uow: UnitOfWork, actor: Actor, encounter_id: int, deficiency_id: int | None = None
) -> QueryDraft:
    """The query form for an encounter, prefilled from the deficiency (an audited read)."""
    audit.require(uow, actor, Action.SEND_QUERY)
    encounter = _discharged(uow, encounter_id)
    check_access(uow, actor, encounter.patient_id)
    tracked = _open_deficiency(uow, encounter, deficiency_id) if deficiency_id else None
    [record] = uow.chart.encounter_records([encounter], uow.patients.get_many)
    assignee = tracked.deficiency.assignee_id if tracked else None
    draft = QueryDraft(
        banner=banner_of(uow, get_patient(uow, encounter.patient_id)),
        encounter=encounter,
        deficiency=tracked,
        clinicians=uow.clinicians.list_all(),
        suggestion=suggest(tracked.deficiency if tracked else None, record),
        addressee_id=assignee or encounter.attending_id,
    )
    audit.record(uow, actor, "query.form.read", patient_id=encounter.patient_id,
                 object_type="encounter", object_id=encounter_id)  # fmt: skip
    uow.commit()
    return draft


def send_query(uow: UnitOfWork, actor: Actor, encounter_id: int, form: QueryForm) -> PhysicianQuery:
    """Send a compliant query; InvalidInput names each field that breaks a rule."""
    audit.require(uow, actor, Action.SEND_QUERY)
    encounter = _discharged(uow, encounter_id)
    check_access(uow, actor, encounter.patient_id)
    errors: dict[str, str] = {}
    deficiency_id = _form_id(form.deficiency_id, "deficiency_id", errors, required=False)
    if deficiency_id is not None and not _is_open_on(uow, encounter, deficiency_id):
        errors["deficiency_id"] = f"Deficiency {deficiency_id} is not open on this encounter."
    elif deficiency_id is not None and (waiting := uow.queries.waiting_about(deficiency_id)):
        # A second query (a double-click, two staff) would sit unanswered and count as "no
        # response" once the first is answered.
        errors["deficiency_id"] = (
            f"Query {waiting.id} about this deficiency is still waiting for an answer."
        )
    addressee_id = _form_id(form.addressee_id, "addressee_id", errors, required=True)
    addressee = uow.clinicians.get_many({addressee_id}).get(addressee_id) if addressee_id else None
    # The addressee reads the query and the banner without a treatment check (open_query):
    # so only someone who cared for the patient may be asked (minimum necessary).
    if addressee and not uow.access.treatment_relationship(addressee.id, encounter.patient_id):
        errors["addressee_id"] = (
            f"{addressee.display_name} has not cared for this patient; ask a clinician who did "
            "(the attending, an author of a note or who performed a procedure)."
        )
    assert encounter.id is not None  # noqa: S101 - a stored encounter
    subject = QuerySubject(encounter.id, encounter.patient_id, deficiency_id, addressee)
    try:
        query = compose_query(form, subject, actor.username, uow.clock())
    except InvalidInput as err:
        errors = err.errors | errors
    if errors:
        raise InvalidInput(errors)
    saved = uow.queries.add(query)
    audit.record(uow, actor, Action.SEND_QUERY.value, patient_id=encounter.patient_id,
                 object_type=OBJECT, object_id=saved.id)  # fmt: skip
    uow.commit()
    return saved


def _form_id(value: str, field: str, errors: dict[str, str], required: bool) -> int | None:
    value = value.strip()
    if not value and not required:
        return None
    if value.isascii() and value.isdigit() and 0 < int(value) < 2**63:
        return int(value)
    errors[field] = (
        "Choose the clinician the query is for."
        if field == "addressee_id"
        else "The deficiency is not one of this encounter's."
    )
    return None


def _discharged(uow: UnitOfWork, encounter_id: int) -> Encounter:
    encounter = uow.chart.encounter(encounter_id)
    if encounter is None or encounter.discharged_at is None:
        raise NotFound("discharged encounter", encounter_id)
    return encounter


def _open_deficiency(
    uow: UnitOfWork, encounter: Encounter, deficiency_id: int
) -> TrackedDeficiency:
    tracked = uow.chart_reviews.find(deficiency_id)
    if tracked is None or tracked.encounter_id != encounter.id:
        raise NotFound("deficiency on this encounter with id", deficiency_id)
    if not tracked.is_open:
        raise Conflict(f"Deficiency {deficiency_id} is already cleared: there is nothing to ask.")
    return tracked


def _is_open_on(uow: UnitOfWork, encounter: Encounter, deficiency_id: int) -> bool:
    tracked = uow.chart_reviews.find(deficiency_id)
    return tracked is not None and tracked.encounter_id == encounter.id and tracked.is_open


@dataclass(frozen=True)
class QueryCase:
    """One query as its page shows it."""

    banner: Banner
    query: PhysicianQuery
    encounter: Encounter
    clinicians: dict[int, Clinician]
    may_answer: bool
    now: datetime

    @property
    def addressee(self) -> str:
        found = self.clinicians.get(self.query.addressee_id)
        return found.display_name if found else f"clinician {self.query.addressee_id}"


def open_query(uow: UnitOfWork, actor: Actor, query_id: int) -> QueryCase:
    """One query, with the answer form for its addressee (an audited read).

    The addressee was asked about this record by HIM, which is their reason to read it;
    anyone else reads it as they would the chart (treatment relationship, restrictions).
    """
    audit.require(uow, actor, Action.READ_CHART)
    query = find_query(uow, query_id)
    is_addressee = actor.clinician_id is not None and actor.clinician_id == query.addressee_id
    if not is_addressee:
        check_access(uow, actor, query.patient_id)
    encounter = _discharged(uow, query.encounter_id)
    people = {query.addressee_id, encounter.attending_id}
    case = QueryCase(
        banner=banner_of(uow, get_patient(uow, query.patient_id)),
        query=query,
        encounter=encounter,
        clinicians=uow.clinicians.get_many({i for i in people if i}),
        may_answer=is_addressee and query.is_open and is_permitted(actor.role, Action.ANSWER_QUERY),
        now=uow.clock(),
    )
    audit.record(uow, actor, "query.read", patient_id=query.patient_id, object_type=OBJECT,
                 object_id=query_id)  # fmt: skip
    uow.commit()
    return case


def hidden_names(uow: UnitOfWork, actor: Actor, patient_ids: set[int]) -> set[int]:
    """Patients whose name a list shows blank for this user: VIP and employee charts stay
    listed (the work is real) but unnamed for roles without restricted access."""
    if is_permitted(actor.role, Action.READ_RESTRICTED):
        return set()
    restricted = uow.access.restrictions_of(patient_ids)
    return {p for p, found in restricted.items() if found & PATIENT_LEVEL}


def screened(uow: UnitOfWork, actor: Actor, items: Sequence[QueryListing]) -> list[QueryListing]:
    hidden = hidden_names(uow, actor, {i.query.patient_id for i in items})
    return [replace(i, patient_name="") if i.query.patient_id in hidden else i for i in items]


def find_query(uow: UnitOfWork, query_id: int) -> PhysicianQuery:
    query = uow.queries.find(query_id)
    if query is None:
        raise NotFound("physician query", query_id)
    return query


@dataclass(frozen=True)
class QueryWorklist:
    """HIM's view of all queries: each list the soonest due first, and the metrics."""

    open: Sequence[QueryListing]
    overdue: Sequence[QueryListing]
    escalated: Sequence[QueryListing]
    answered: Sequence[QueryListing]
    metrics: QueryMetrics
    clinicians: dict[int, Clinician]
    now: datetime

    def name(self, clinician_id: int | None) -> str:
        found = self.clinicians.get(clinician_id or 0)
        return found.display_name if found else ""

    def of_status(self, status: str) -> Sequence[QueryListing]:
        lists = {"open": self.open, "overdue": self.overdue, "escalated": self.escalated,
                 "answered": self.answered}  # fmt: skip
        if status not in lists:
            raise InvalidInput({"status": "Choose open, overdue, escalated or answered."})
        return lists[status]


def query_worklist(uow: UnitOfWork, actor: Actor, limit: int = 500) -> QueryWorklist:
    """Open, overdue, escalated and answered queries with the metrics (one audited read)."""
    audit.require(uow, actor, Action.SEND_QUERY)
    now = uow.clock()
    waiting = screened(uow, actor, uow.queries.listed({QueryStatus.OPEN}, limit))
    escalated_ = screened(uow, actor, uow.queries.listed({QueryStatus.ESCALATED}, limit))
    answered = sorted(screened(uow, actor, uow.queries.listed({QueryStatus.ANSWERED}, limit)),
                      key=lambda item: item.query.answered_at or now, reverse=True)  # fmt: skip
    every = [*waiting, *escalated_, *answered]
    people = {i.query.addressee_id for i in every} | {i.attending_id or 0 for i in every}
    worklist = QueryWorklist(
        open=[i for i in waiting if not i.query.is_overdue(now)],
        overdue=[i for i in waiting if i.query.is_overdue(now)],
        escalated=escalated_,
        answered=answered,
        metrics=measure(uow.queries.all_queries(), now),
        clinicians=uow.clinicians.get_many(people - {0}),
        now=now,
    )
    audit.record(uow, actor, "query.list", object_type=OBJECT, object_id=len(every))
    uow.commit()
    return worklist


def query_metrics(uow: UnitOfWork, actor: Actor) -> QueryMetrics:
    """Counts, response times and outcome rates over every query (no patient data)."""
    audit.require(uow, actor, Action.SEND_QUERY)
    metrics = measure(uow.queries.all_queries(), uow.clock())
    audit.record(uow, actor, "query.metrics", object_type=OBJECT, object_id=metrics.sent)
    uow.commit()
    return metrics


@dataclass(frozen=True)
class Escalation:
    listing: QueryListing
    escalated_to: int  # the clinician told: the attending, or the addressee when none


def escalate_overdue(uow: UnitOfWork, actor: Actor) -> list[Escalation]:
    """Escalate every open query past its due time; each stays in its addressee's inbox.

    Whom it went to is kept in the audit event (`<query id>/escalated-to/<clinician id>`).
    """
    audit.require(uow, actor, Action.SEND_QUERY)
    now = uow.clock()
    done = []
    for listing in uow.queries.due_for_escalation(now):
        query = escalated(listing.query, now)
        if not uow.queries.escalate(query):
            continue  # answered meanwhile
        to = escalation_target(query, listing.attending_id)
        audit.record(uow, actor, "query.escalate", patient_id=query.patient_id,
                     object_type=OBJECT, object_id=f"{query.id}/escalated-to/{to}")  # fmt: skip
        done.append(Escalation(replace(listing, query=query), to))
    if not done:
        audit.record(uow, actor, "query.escalate", object_type=OBJECT, object_id=0)
    uow.commit()
    return done
