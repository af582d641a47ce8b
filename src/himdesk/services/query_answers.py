"""The clinician's side of queries: the inbox, and answering.

An answer becomes a signed addendum in the encounter, quoting the query. In the same
transaction the deficiency the query was about is cleared (resolution "query answered"),
a diagnosis the chosen option names is added to the encounter, the encounter is analysed
again (the addendum may fix other findings) and the chart's status settles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from himdesk.domain import query_answers as rules
from himdesk.domain.access import Action, Actor
from himdesk.domain.chart_review import Resolution, TrackedDeficiency
from himdesk.domain.completeness import DeficiencyKind
from himdesk.domain.queries import PhysicianQuery, QueryStatus
from himdesk.domain.query_answers import Answer
from himdesk.domain.records import (
    ClinicalDocument,
    Clinician,
    Diagnosis,
    DocumentStatus,
    DocumentType,
)
from himdesk.services import audit
from himdesk.services.completeness import reanalyze_encounter, settle_status
from himdesk.services.errors import Conflict, NotFound
from himdesk.services.ports import QueryListing, UnitOfWork
from himdesk.services.queries import OBJECT, find_query, hidden_names, screened


def answer_query(
    uow: UnitOfWork, actor: Actor, query_id: int, option: str, text: str
) -> PhysicianQuery:
    """Only the addressee answers, once; the answer is signed into the record as an addendum."""
    audit.require(uow, actor, Action.ANSWER_QUERY)
    query = find_query(uow, query_id)
    clinician = _addressee(uow, actor, query)
    if not query.is_open:
        raise Conflict(
            f"Query {query_id} was already answered by {query.answered_by} on "
            f"{query.answered_at:%Y-%m-%d %H:%M} UTC; an answer is final."
        )
    answer = rules.answer_of(query, option, text)
    now = uow.clock()
    answering = Answering(actor, query, answer, clinician, now)
    addendum = _sign_addendum(uow, answering)
    coded = _add_diagnosis(uow, answering)
    _clear_deficiency(uow, answering)
    reanalyze_encounter(uow, actor.username, query.encounter_id)
    settle_status(uow, query.encounter_id)
    assert addendum.id is not None  # noqa: S101 - just stored
    done = rules.answered(query, answer, actor.username, now, addendum.id, coded)
    if not uow.queries.record_answer(done):
        raise Conflict(f"Query {query_id} was answered meanwhile; nothing was changed.")
    audit.record(uow, actor, Action.ANSWER_QUERY.value, patient_id=query.patient_id,
                 object_type=OBJECT, object_id=query_id)  # fmt: skip
    uow.commit()
    return done


def _addressee(uow: UnitOfWork, actor: Actor, query: PhysicianQuery) -> Clinician:
    """The clinician the query is for; anyone else is refused (and the attempt audited)."""
    names = uow.clinicians.get_many({query.addressee_id})
    addressee = names.get(query.addressee_id)
    if addressee is None:
        raise NotFound("clinician", query.addressee_id)
    if actor.clinician_id != query.addressee_id:
        audit.record(uow, actor, Action.ANSWER_QUERY.value, patient_id=query.patient_id,
                     object_type=OBJECT, object_id=query.id, outcome="denied")  # fmt: skip
        uow.commit()
        raise Conflict(
            f"Query {query.id} is for {addressee.display_name}; only they can answer it. "
            "Nothing was saved."
        )
    return addressee


@dataclass(frozen=True)
class Answering:
    """One answer being written: who, to what, and when."""

    actor: Actor
    query: PhysicianQuery
    answer: Answer
    clinician: Clinician
    now: datetime


def _sign_addendum(uow: UnitOfWork, a: Answering) -> ClinicalDocument:
    query, clinician, now = a.query, a.clinician, a.now
    addendum = uow.chart.add_document(
        ClinicalDocument(
            patient_id=query.patient_id, encounter_id=query.encounter_id,
            document_type=DocumentType.ADDENDUM, author_id=clinician.id, authored_at=now,
            title=rules.addendum_title(query),
            text=rules.addendum_text(query, a.answer, clinician, now),
            status=DocumentStatus.SIGNED, signed_by_id=clinician.id, signed_at=now,
            # A resident's answer, like any resident's entry, waits for the attending.
            requires_cosignature=clinician.is_resident,
        )
    )  # fmt: skip
    audit.record(uow, a.actor, Action.WRITE_DOCUMENT.value, patient_id=query.patient_id,
                 object_type="document", object_id=addendum.id)  # fmt: skip
    return addendum


def _add_diagnosis(uow: UnitOfWork, a: Answering) -> bool:
    """Whether the answer changed the coded record (a diagnosis added to the encounter)."""
    query, answer = a.query, a.answer
    if not rules.documents_diagnosis(answer):
        return False
    listed = {
        d.description.casefold()
        for d in uow.chart.diagnoses(query.patient_id)
        if d.encounter_id == query.encounter_id
    }
    if answer.option.casefold() in listed:
        return False
    added = uow.chart.add_diagnosis(
        Diagnosis(patient_id=query.patient_id, encounter_id=query.encounter_id,
                  description=answer.option, documented_by_id=a.clinician.id,
                  documented_at=a.now)
    )  # fmt: skip
    audit.record(uow, a.actor, "diagnosis.add", patient_id=query.patient_id,
                 object_type="diagnosis", object_id=added.id)  # fmt: skip
    return True


# Only the document itself clears these: an answer is not the missing note or signature.
_NEEDS_THE_DOCUMENT = {
    DeficiencyKind.MISSING_DOCUMENT,
    DeficiencyKind.UNSIGNED_DOCUMENT,
    DeficiencyKind.MISSING_COSIGNATURE,
}


def _clear_deficiency(uow: UnitOfWork, a: Answering) -> None:
    query, answer = a.query, a.answer
    if query.deficiency_id is None:
        return
    tracked = uow.chart_reviews.find(query.deficiency_id)
    if tracked is None or tracked.deficiency.kind in _NEEDS_THE_DOCUMENT:
        return
    note = f"Query {query.id}: {answer.outcome.label}" + (
        f" ({answer.option})" if answer.option else ""
    )
    by = a.actor.username
    if uow.chart_reviews.clear([tracked.id], a.now, by, Resolution.QUERY_ANSWERED, note):
        audit.record(uow, a.actor, "deficiency.clear", patient_id=query.patient_id,
                     object_type="deficiency", object_id=tracked.id)  # fmt: skip


@dataclass(frozen=True)
class InboxDeficiency:
    tracked: TrackedDeficiency
    mrn: str
    patient_name: str

    @property
    def action(self) -> str:
        """What one click does here: sign, co-sign, or nothing (a document to write)."""
        kind = self.tracked.deficiency.kind
        if self.tracked.deficiency.document_id is None:
            return ""
        return {DeficiencyKind.UNSIGNED_DOCUMENT: "Sign",
                DeficiencyKind.MISSING_COSIGNATURE: "Co-sign"}.get(kind, "")  # fmt: skip


@dataclass(frozen=True)
class Inbox:
    deficiencies: Sequence[InboxDeficiency]
    queries: Sequence[QueryListing]
    now: datetime


def clinician_inbox(uow: UnitOfWork, actor: Actor) -> Inbox:
    """The clinician's open deficiencies and open queries (one audited read)."""
    audit.require(uow, actor, Action.ANSWER_QUERY)
    if actor.clinician_id is None:
        raise Conflict("Your account is not linked to a clinician, so it has no inbox.")
    open_ = uow.chart_reviews.open_for_assignee(actor.clinician_id)
    patients = uow.patients.get_many({t.patient_id for t in open_})
    hidden = hidden_names(uow, actor, set(patients))
    waiting = {QueryStatus.OPEN, QueryStatus.ESCALATED}
    inbox = Inbox(
        deficiencies=[
            InboxDeficiency(
                t,
                patients[t.patient_id].mrn,
                "" if t.patient_id in hidden else patients[t.patient_id].display_name,
            )
            for t in open_
        ],  # fmt: skip
        queries=screened(uow, actor, uow.queries.listed(waiting, addressee_id=actor.clinician_id)),
        now=uow.clock(),
    )
    audit.record(uow, actor, "query.inbox", object_type=OBJECT,
                 object_id=len(inbox.deficiencies) + len(inbox.queries))  # fmt: skip
    uow.commit()
    return inbox
