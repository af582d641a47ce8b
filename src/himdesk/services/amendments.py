"""Patients' requests to amend their record (HIPAA 45 CFR 164.526, ONC 170.315(d)(4)).

HIM staff record a request against a document or the demographics; the HIM manager
accepts it (the record part gets a new version, the original is kept, and the request names
the new version) or denies it on a 164.526(a)(2) ground, with the patient's statement of
disagreement and the HIM rebuttal kept with it. Every read and write is audited by id.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from himdesk.domain import amendments as rules
from himdesk.domain.access import Action, Actor
from himdesk.domain.amendments import AmendmentRequest, AmendmentTarget, Denial
from himdesk.domain.demographics import DemographicsForm, InvalidInput
from himdesk.domain.records import ClinicalDocument, DocumentStatus, Patient
from himdesk.domain.versions import changed_fields
from himdesk.services import audit
from himdesk.services.access_control import check_access
from himdesk.services.charts import Banner, banner_of, document_of, get_patient
from himdesk.services.documents import document_snapshot
from himdesk.services.errors import Conflict, NotFound
from himdesk.services.patients import demographics_snapshot, keep_demographics_correction
from himdesk.services.ports import AmendmentWorkItem, UnitOfWork
from himdesk.services.versions import VersionOf, keep_correction

OBJECT = "amendment-request"


@dataclass(frozen=True)
class AmendmentSubject:
    """The record part a request is (or would be) about, as the forms show it."""

    banner: Banner
    target: AmendmentTarget
    target_id: int
    document: ClinicalDocument | None

    @property
    def patient(self) -> Patient:
        return self.banner.patient

    @property
    def label(self) -> str:
        if self.document is not None:
            return f"{self.document.title} (document {self.target_id}, v{self.document.version})"
        return f"Demographics (version {self.patient.version})"


@dataclass(frozen=True)
class AmendmentCase:
    subject: AmendmentSubject
    request: AmendmentRequest
    today: date


def start_request(
    uow: UnitOfWork, actor: Actor, patient_id: int, target: str, target_id: int
) -> AmendmentSubject:
    """The record part a new request would amend, for the request form (an audited read)."""
    audit.require(uow, actor, Action.RECORD_AMENDMENT_REQUEST, patient_id)
    subject = _subject(uow, actor, patient_id, _target(target), target_id)
    audit.record(uow, actor, "amendment.form.read", patient_id=patient_id,
                 object_type=subject.target.value, object_id=target_id)  # fmt: skip
    uow.commit()
    return subject


def record_request(
    uow: UnitOfWork,
    actor: Actor,
    subject: tuple[int, str, int],
    requested_change: str,
    received_on: str,
) -> AmendmentRequest:
    """Record a patient's request, due 60 days after it was received (164.526(b)(2))."""
    patient_id, target, target_id = subject
    audit.require(uow, actor, Action.RECORD_AMENDMENT_REQUEST, patient_id)
    kind = _target(target)
    _subject(uow, actor, patient_id, kind, target_id)
    request = rules.new_request(patient_id, (kind, target_id), requested_change, received_on,
                                actor.username, uow.clock())  # fmt: skip
    saved = uow.amendments.add(request)
    audit.record(uow, actor, Action.RECORD_AMENDMENT_REQUEST.value, patient_id=patient_id,
                 object_type=OBJECT, object_id=saved.id)  # fmt: skip
    uow.commit()
    return saved


def open_requests(uow: UnitOfWork, actor: Actor, limit: int = 500) -> list[AmendmentWorkItem]:
    """Requests waiting for a decision, the soonest due first (the HIM manager's worklist)."""
    audit.require(uow, actor, Action.DECIDE_AMENDMENT)
    items = list(uow.amendments.list_open(limit))
    audit.record(uow, actor, "amendment.list", object_type=OBJECT, object_id=len(items))
    uow.commit()
    return items


def open_case(uow: UnitOfWork, actor: Actor, request_id: int) -> AmendmentCase:
    """One request with the record part it is about (an audited read)."""
    audit.require(uow, actor, Action.RECORD_AMENDMENT_REQUEST)
    request = _request(uow, request_id)
    subject = _subject(uow, actor, request.patient_id, request.target, request.target_id)
    audit.record(uow, actor, "amendment.read", patient_id=request.patient_id,
                 object_type=OBJECT, object_id=request_id)  # fmt: skip
    uow.commit()
    return AmendmentCase(subject, request, uow.clock().date())


def accept_document_amendment(
    uow: UnitOfWork, actor: Actor, request_id: int, text: str
) -> AmendmentRequest:
    """Append the amendment to the document as a new version; the original stays kept."""
    audit.require(uow, actor, Action.DECIDE_AMENDMENT)
    request = _decidable(uow, request_id, AmendmentTarget.DOCUMENT)
    addendum = rules.amendment_text(text)
    document = _subject(uow, actor, request.patient_id, request.target, request.target_id).document
    assert document is not None and document.id is not None  # noqa: S101 - a document target
    now = uow.clock()
    try:
        amended = rules.append_amendment(document, request, addendum, actor.username, now)
    except rules.AmendmentRuleBroken as err:
        raise Conflict(str(err)) from err
    uow.chart.update_document(amended)
    keep_correction(
        uow, ("document", document.id), request.patient_id,
        before=VersionOf(document.version, document_snapshot(document)),
        after=VersionOf(amended.version, document_snapshot(amended)),
        changed_by=actor.username, reason=_reason(request),
        original_label=("original", "As first signed"),
    )  # fmt: skip
    audit.record(uow, actor, Action.WRITE_DOCUMENT.value, patient_id=request.patient_id,
                 object_type="document", object_id=f"{document.id}/v{amended.version}")  # fmt: skip
    return _decide(
        uow, actor, rules.accept(request, actor.username, now, amended.version, addendum)
    )


def accept_demographics_amendment(
    uow: UnitOfWork, actor: Actor, request_id: int, form: DemographicsForm, expected_version: int
) -> AmendmentRequest:
    """Correct the demographics through the usual correction, as a new version."""
    audit.require(uow, actor, Action.DECIDE_AMENDMENT)
    request = _decidable(uow, request_id, AmendmentTarget.DEMOGRAPHICS)
    audit.require(uow, actor, Action.EDIT_DEMOGRAPHICS, request.patient_id)
    before = get_patient(uow, request.patient_id)
    form = replace(form, reason=_reason(request))
    after = keep_demographics_correction(uow, actor, request.patient_id, form, expected_version)
    changes = changed_fields(demographics_snapshot(before), demographics_snapshot(after))
    summary = "Corrected: " + ", ".join(c.field.replace("_", " ") for c in changes)
    accepted = rules.accept(request, actor.username, uow.clock(), after.version, summary)
    return _decide(uow, actor, accepted)


def deny_request(
    uow: UnitOfWork, actor: Actor, request_id: int, denial: Denial
) -> AmendmentRequest:
    """Deny on a 164.526(a)(2) ground; the statements stay with the record part."""
    audit.require(uow, actor, Action.DECIDE_AMENDMENT)
    request = _decidable(uow, request_id, None)
    return _decide(uow, actor, rules.deny(request, actor.username, uow.clock(), denial))


def file_disagreement(
    uow: UnitOfWork, actor: Actor, request_id: int, disagreement: str, rebuttal: str
) -> AmendmentRequest:
    """The patient's statement of disagreement with a denial, and the HIM rebuttal."""
    audit.require(uow, actor, Action.RECORD_AMENDMENT_REQUEST)
    request = _request(uow, request_id)
    try:
        updated = rules.file_disagreement(request, disagreement, rebuttal)
    except rules.AmendmentRuleBroken as err:
        raise Conflict(str(err)) from err
    if not uow.amendments.update_statements(updated):
        raise Conflict("A statement of disagreement was filed on this request a moment ago.")
    audit.record(uow, actor, "amendment.disagreement", patient_id=request.patient_id,
                 object_type=OBJECT, object_id=request_id)  # fmt: skip
    uow.commit()
    return updated


def _decide(uow: UnitOfWork, actor: Actor, decided: AmendmentRequest) -> AmendmentRequest:
    if not uow.amendments.record_decision(decided):
        raise Conflict(f"Amendment request {decided.id} was decided by someone else meanwhile.")
    audit.record(uow, actor, Action.DECIDE_AMENDMENT.value, patient_id=decided.patient_id,
                 object_type=OBJECT, object_id=f"{decided.id}/{decided.status.value}")  # fmt: skip
    uow.commit()
    return decided


def _decidable(
    uow: UnitOfWork, request_id: int, target: AmendmentTarget | None
) -> AmendmentRequest:
    request = _request(uow, request_id)
    if not request.is_open:
        raise Conflict(
            f"Amendment request {request_id} was already {request.status.value}; "
            "a decision is final."
        )
    if target is not None and request.target is not target:
        raise Conflict(f"Amendment request {request_id} is about the {request.target.value}.")
    return request


def _request(uow: UnitOfWork, request_id: int) -> AmendmentRequest:
    request = uow.amendments.find(request_id)
    if request is None:
        raise NotFound("amendment request", request_id)
    return request


def _target(value: str) -> AmendmentTarget:
    try:
        return AmendmentTarget(value.strip())
    except ValueError:
        raise InvalidInput({"target": "Choose a document or the demographics."}) from None


def _subject(
    uow: UnitOfWork, actor: Actor, patient_id: int, target: AmendmentTarget, target_id: int
) -> AmendmentSubject:
    patient = get_patient(uow, patient_id)
    if target is AmendmentTarget.DEMOGRAPHICS:
        if target_id != patient_id:
            raise NotFound("demographics of patient", target_id)
        check_access(uow, actor, patient_id)
        return AmendmentSubject(banner_of(uow, patient), target, target_id, None)
    document = document_of(uow, actor, patient_id, target_id, "amendment.subject.read")
    check_access(uow, actor, patient_id, document.sensitivity)
    if document.status is DocumentStatus.DRAFT:
        raise Conflict("This document is a draft, not yet part of the record; it has no version "
                       "to amend until it is signed.")  # fmt: skip
    return AmendmentSubject(banner_of(uow, patient), target, target_id, document)


def _reason(request: AmendmentRequest) -> str:
    return f"Patient amendment request {request.id} accepted (45 CFR 164.526)"
