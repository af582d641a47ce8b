"""Signing and amending documents; each change keeps the version before it."""

from __future__ import annotations

from typing import Any

from himdesk.domain import documents as rules
from himdesk.domain.access import Action, Actor
from himdesk.domain.records import ClinicalDocument, Clinician
from himdesk.services import audit
from himdesk.services.access_control import check_access
from himdesk.services.charts import document_of
from himdesk.services.completeness import reanalyze_encounter
from himdesk.services.errors import Conflict, NotFound
from himdesk.services.ports import UnitOfWork
from himdesk.services.versions import VersionOf, keep_correction


def sign_document(
    uow: UnitOfWork, actor: Actor, patient_id: int, document_id: int
) -> ClinicalDocument:
    audit.require(uow, actor, Action.SIGN_DOCUMENT, patient_id)
    document, clinician = _load(uow, actor, (patient_id, document_id), Action.SIGN_DOCUMENT)
    try:
        signed = rules.sign(document, clinician, uow.clock())
    except rules.DocumentRuleBroken as err:
        raise Conflict(str(err)) from err
    uow.chart.update_document(signed)
    reanalyze_encounter(uow, actor.username, signed.encounter_id)
    audit.record(
        uow,
        actor,
        Action.SIGN_DOCUMENT.value,
        patient_id=patient_id,
        object_type="document",
        object_id=document_id,
    )
    uow.commit()
    return signed


def amend_document(
    uow: UnitOfWork, actor: Actor, patient_id: int, document_id: int, text: str, reason: str
) -> ClinicalDocument:
    audit.require(uow, actor, Action.WRITE_DOCUMENT, patient_id)
    if not reason.strip():
        raise Conflict("Give the reason for the amendment; it is kept with the original.")
    document, clinician = _load(uow, actor, (patient_id, document_id), Action.WRITE_DOCUMENT)
    try:
        amended = rules.amend(document, clinician, text, uow.clock())
    except rules.DocumentRuleBroken as err:
        raise Conflict(str(err)) from err
    uow.chart.update_document(amended)
    reanalyze_encounter(uow, actor.username, amended.encounter_id)
    keep_correction(
        uow, ("document", document_id), patient_id,
        before=VersionOf(document.version, document_snapshot(document)),
        after=VersionOf(amended.version, document_snapshot(amended)),
        changed_by=actor.username, reason=reason.strip()[:500],
        original_label=("original", "As first signed"),
    )  # fmt: skip
    audit.record(
        uow,
        actor,
        Action.WRITE_DOCUMENT.value,
        patient_id=patient_id,
        object_type="document",
        object_id=f"{document_id}/v{amended.version}",
    )
    uow.commit()
    return amended


def _load(
    uow: UnitOfWork, actor: Actor, ids: tuple[int, int], action: Action
) -> tuple[ClinicalDocument, Clinician]:
    patient_id, document_id = ids
    document = document_of(uow, actor, patient_id, document_id, action.value)
    check_access(uow, actor, patient_id, document.sensitivity)
    if actor.clinician_id is None:
        raise Conflict("Your account is not linked to a clinician, so it cannot sign or amend.")
    clinician = uow.clinicians.get_many({actor.clinician_id}).get(actor.clinician_id)
    if clinician is None:
        raise NotFound("clinician", actor.clinician_id)
    return document, clinician


def document_snapshot(document: ClinicalDocument) -> dict[str, Any]:
    return {
        "status": document.status.value,
        "text": document.text,
        "signed_by_id": document.signed_by_id,
        "signed_at": document.signed_at.isoformat() if document.signed_at else None,
    }
