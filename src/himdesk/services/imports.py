"""Importing records from other systems: one submission, one transaction, or nothing.

A submission (one FHIR bundle, HL7 v2 message or C-CDA document, see `domain.incoming`) is
applied whole: its patients matched or registered, its parts inserted, corrected or found
unchanged, merges recorded, a receipt kept so the same bytes are recognised next time. When
a patient match is unsure the whole submission waits in the review queue instead; when any
part cannot be kept the submission is rejected and nothing of it is written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from himdesk.domain.access import Action, Actor
from himdesk.domain.import_records import (
    ImportReceipt,
    InterfaceRejection,
    LinkKey,
    PartKind,
    QueueStatus,
    SourceLink,
)
from himdesk.domain.incoming import IncomingPatient, SourceRef, Submission
from himdesk.services import audit
from himdesk.services.audit import AuditSubject
from himdesk.services.completeness import analyze_encounters, reanalyze_encounter
from himdesk.services.import_apply import PartWriter, Tally
from himdesk.services.import_checks import PART_LISTS, check_submission
from himdesk.services.import_merges import merge_patients
from himdesk.services.import_patients import Decisions, decide_patients, hold_details, link_key
from himdesk.services.import_registration import register_patients, resolve_clinicians
from himdesk.services.ports import UnitOfWork

IMPORTED, UNCHANGED, HELD = "imported", "unchanged", "held"
_REFERENCES = {"attending": PartKind.CLINICIAN, "author": PartKind.CLINICIAN,
               "signed_by": PartKind.CLINICIAN, "cosigned_by": PartKind.CLINICIAN,
               "documented_by": PartKind.CLINICIAN, "performed_by": PartKind.CLINICIAN,
               "encounter": PartKind.ENCOUNTER}  # fmt: skip
_KINDS = dict(zip(PART_LISTS, (PartKind.ENCOUNTER, PartKind.DOCUMENT, PartKind.OBSERVATION,
                               PartKind.DIAGNOSIS, PartKind.PROCEDURE, PartKind.MEDICATION,
                               PartKind.ALLERGY), strict=True))  # fmt: skip


@dataclass(frozen=True)
class ImportOutcome:
    status: str  # "imported" | "unchanged" | "held"
    counts: Mapping[str, int] = field(default_factory=dict)  # written or updated, by kind
    unchanged: int = 0  # parts found as they were
    not_held: Mapping[str, int] = field(default_factory=dict)  # valid parts the record lacks
    hold_id: int | None = None
    patient_ids: tuple[int, ...] = ()


def import_submission(
    uow: UnitOfWork,
    actor: Actor,
    submission: Submission,
    *,
    channel: str = "file",
    decisions: Decisions | None = None,
) -> ImportOutcome:
    """Apply one submission and commit; `Rejected` (nothing written) when it cannot be kept.

    `decisions` (chart index -> patient id, or None for a new patient) are a reviewer's
    answers for charts whose match was unsure; they replace matching for those charts.
    """
    audit.require(uow, actor, Action.IMPORT_RECORDS)
    outcome = apply_submission(uow, actor, submission, channel=channel, decisions=decisions)
    uow.commit()
    return outcome


def require_importer(uow: UnitOfWork, actor: Actor) -> None:
    """Refuse (and audit) a role that may not import, before any file is read."""
    audit.require(uow, actor, Action.IMPORT_RECORDS)


def apply_submission(
    uow: UnitOfWork,
    actor: Actor,
    submission: Submission,
    *,
    channel: str = "file",
    decisions: Decisions | None = None,
) -> ImportOutcome:
    """The import inside the caller's transaction (no permission check, no commit)."""
    check_submission(submission)
    not_held = dict(submission.not_held)
    prior = uow.imports.prior(submission.fingerprint, set(_link_keys(submission)))
    receipt, held, links = prior.receipt, prior.hold_id, prior.links
    if receipt is not None:
        audit.record(uow, actor, Action.IMPORT_RECORDS.value, object_type="import-receipt",
                     object_id=receipt.id)  # fmt: skip
        ids = tuple(receipt.summary.get("patients", ()))
        return ImportOutcome(UNCHANGED, {}, _size(submission), not_held, None, ids)
    if held is not None and decisions is None:
        audit.record(uow, actor, Action.IMPORT_RECORDS.value, object_type="import-hold",
                     object_id=held)  # fmt: skip
        return ImportOutcome(HELD, {}, 0, not_held, held)
    # Who each linked patient is now (merges followed), for matching and writing.
    linked = _linked_patients(links)
    survivors = uow.patient_index.survivors(linked) if prior.merged else {i: i for i in linked}
    decided = decide_patients(uow, submission, links, decisions, survivors)
    if any(chart.unsure for chart in decided):
        reason, candidates = hold_details(decided)
        hold_id = uow.import_reviews.add_hold(submission, reason, candidates,
                                              (uow.clock(), actor.username))  # fmt: skip
        audit.record(uow, actor, Action.IMPORT_RECORDS.value, object_type="import-hold",
                     object_id=hold_id)  # fmt: skip
        return ImportOutcome(HELD, {}, 0, not_held, hold_id)
    tally = Tally()
    clinicians = resolve_clinicians(uow, submission, links, tally)
    patient_ids = register_patients(uow, actor, submission, decided, links, tally)
    writer = PartWriter(uow, submission, links, clinicians, tally, actor.username, survivors)
    writer.write([(i, chart, patient_ids[i]) for i, chart in enumerate(submission.charts)])
    uow.imports.add_links(tally.new_links)  # every kind's new links in one statement
    patient_ids += merge_patients(uow, actor, submission, links, tally.counts)
    _analyse_discharges(uow, actor, submission, tally)
    return _receipt(uow, actor, submission, channel, tally, tuple(dict.fromkeys(patient_ids)))


def _analyse_discharges(
    uow: UnitOfWork, actor: Actor, submission: Submission, tally: Tally
) -> None:
    """Completeness analysis of the encounters this submission discharged (no commit)."""
    if submission.merges:  # a merge may have moved them: read them back
        for encounter_id in sorted(tally.discharged):
            reanalyze_encounter(uow, actor.username, encounter_id)
        return
    # As `reanalyze_encounter` does, with the encounters just written instead of read back;
    # the tracking is written as the analysis is consumed.
    discharged = [tally.discharged[i] for i in sorted(tally.discharged)]
    list(analyze_encounters(uow, actor.username, discharged))


def _receipt(
    uow: UnitOfWork,
    actor: Actor,
    submission: Submission,
    channel: str,
    tally: Tally,
    patient_ids: tuple[int, ...],
) -> ImportOutcome:
    counts = {kind: n for kind, n in sorted(tally.counts.items()) if n}
    status = IMPORTED if counts else UNCHANGED
    summary = {"status": status, "channel": channel, "counts": counts,
               "unchanged": tally.unchanged, "not_held": dict(submission.not_held),
               "patients": list(patient_ids)}  # fmt: skip
    receipt_id = uow.imports.add_receipt(
        ImportReceipt(submission.fingerprint, submission.format, submission.label,
                      submission.message_type, submission.control_id, uow.clock(),
                      actor.username, summary)
    )  # fmt: skip
    subjects: list[AuditSubject] = [(pid, "import", receipt_id) for pid in patient_ids]
    audit.record_many(
        uow, actor, Action.IMPORT_RECORDS.value, subjects or [(None, "import", receipt_id)]
    )
    return ImportOutcome(status, counts, tally.unchanged, dict(submission.not_held), None,
                         patient_ids)  # fmt: skip


def _linked_patients(links: Mapping[LinkKey, SourceLink]) -> set[int]:
    ids = {link.patient_id for link in links.values() if link.patient_id is not None}
    return ids | {link.entity_id for key, link in links.items() if key[2] == PartKind.PATIENT}


def _size(submission: Submission) -> int:
    return sum(len(getattr(chart, name)) for chart in submission.charts for name in PART_LISTS)


def _link_keys(submission: Submission) -> Iterator[LinkKey]:
    """Every source link the import may read: the parts and everything they refer to."""
    for clinician in submission.clinicians:
        yield link_key(clinician.source, PartKind.CLINICIAN)
    for merge in submission.merges:
        yield link_key(merge.surviving.source, PartKind.PATIENT)
    for chart in submission.charts:
        patient = chart.patient
        ref = patient.source if isinstance(patient, IncomingPatient) else patient
        yield link_key(ref, PartKind.PATIENT)
        for name, kind in _KINDS.items():
            for part in getattr(chart, name):
                yield link_key(part.source, kind)
                for attribute, referred in _REFERENCES.items():
                    target = getattr(part, attribute, None)
                    if isinstance(target, SourceRef):
                        yield link_key(target, referred)


def record_rejection(
    uow: UnitOfWork,
    actor: Actor,
    *,
    format: str,  # noqa: A002 - the contract's name for the input's format
    label: str,
    channel: str,
    reason: str,
    payload: bytes,
    message_type: str = "",
    control_id: str = "",
) -> int:
    """Put rejected input in the review queue (its bytes encrypted); the queue entry's id."""
    audit.require(uow, actor, Action.IMPORT_RECORDS)
    rejection = InterfaceRejection(
        id=0, format=format, label=label, channel=channel, message_type=message_type,
        control_id=control_id, reason=reason, received_at=uow.clock(),
        received_by=actor.username, status=QueueStatus.OPEN,
    )  # fmt: skip
    rejection_id = uow.import_reviews.add_rejection(rejection, payload)
    audit.record(uow, actor, "import.reject", object_type="interface-rejection",
                 object_id=rejection_id)  # fmt: skip
    uow.commit()
    return rejection_id
