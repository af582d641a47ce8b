"""The whole record as it leaves himdesk (export, FHIR `$everything`): checked and audited.

A whole record is read under the same rules as opening the chart (services/charts.py):
`READ_CHART`, VIP and employee charts need a stated reason (or break-the-glass) first, and
documents labelled sensitive (behavioral health, 42 CFR Part 2, HIV/STI, reproductive
health) leave only while the user holds an access grant for the patient. Minimum necessary
applies to what leaves as it does to what the chart shows: the SSN only to roles that may read
it (`READ_FULL_SSN`), the street address, ZIP and phone only to roles with `READ_FULL_ADDRESS`.

The command line states its reason with the read itself (`stated_reason`): its operators all
share one user id, so a lasting grant would open the chart to every one of them for an hour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from himdesk.domain.access import Action, Actor, PermissionDenied, Role, is_permitted
from himdesk.domain.patient_record import PatientRecord
from himdesk.domain.records import Address, ClinicalDocument, Clinician, Patient
from himdesk.domain.restrictions import (
    PATIENT_LEVEL,
    AccessGrant,
    AccessKind,
    checked_reason,
)
from himdesk.services import audit
from himdesk.services.access_control import (
    ReasonRequired,
    chart_restrictions,
    check_access,
    flag_chart_access,
    has_active_grant,
)
from himdesk.services.ports import UnitOfWork

RECORD_READ = Action.READ_CHART.value  # counted as a chart opening in access review


def whole_record(
    uow: UnitOfWork, actor: Actor, patient_id: int, *, stated_reason: str = ""
) -> PatientRecord:
    """One patient's whole record, read like opening the chart.

    Raises NotFound, PermissionDenied, or ReasonRequired (a restricted chart: state a reason
    or break the glass first, as in the workstation). With `stated_reason` a role that may
    read restricted records (`READ_RESTRICTED`) gets the VIP or employee chart and the
    labelled documents for this one read; the reason is recorded and audited.
    """
    audit.require(uow, actor, Action.READ_CHART, patient_id)
    record = uow.records.whole_record(patient_id)
    if stated_reason:
        _state_reason_once(uow, actor, record, stated_reason)
        unlocked = True
    else:
        grant = check_access(uow, actor, patient_id)
        unlocked = grant is not None or has_active_grant(uow, actor, patient_id)
    record = minimum_necessary(actor, record, sensitive_documents=unlocked)
    event = audit.record(uow, actor, RECORD_READ, patient_id=patient_id, object_type="record",
                         object_id=patient_id)  # fmt: skip
    flag_chart_access(uow, actor, record.patient, event)
    uow.commit()
    return record


def _state_reason_once(uow: UnitOfWork, actor: Actor, record: PatientRecord, reason: str) -> None:
    """A reason stated for this read alone. Kept as the workstation keeps one (an access grant
    holding the reason, audited as `record.reason`), but expiring the moment it is given, so
    nothing stays open afterwards. Recorded only when the record holds something it opens."""
    patient_id = record.patient.id
    assert patient_id is not None  # noqa: S101 - stored patients have ids
    audit.require(uow, actor, Action.READ_RESTRICTED, patient_id)
    reason = checked_reason(reason)
    chart_restricted = bool(chart_restrictions(uow, patient_id) & PATIENT_LEVEL)
    if chart_restricted or any(d.sensitivity is not None for d in record.documents):
        now = uow.clock()
        grant = uow.access.add_grant(
            AccessGrant(actor.user_id, patient_id, AccessKind.STATED_REASON, reason, now, now)
        )
        audit.record(uow, actor, "record.reason", patient_id=patient_id,
                     object_type="access-grant", object_id=grant.id)  # fmt: skip


@dataclass(frozen=True)
class RecordBatch:
    """Whole records of many patients, and those left out with why (no partial records)."""

    records: tuple[PatientRecord, ...]
    # patient id -> why it was left out: "not found", "reason required", "denied"
    withheld: Mapping[int, str] = field(default_factory=dict)


def whole_records(uow: UnitOfWork, actor: Actor, patient_ids: Sequence[int]) -> RecordBatch:
    """Many whole records at once (bulk export): one audit event per patient, written together.

    A restricted chart the actor has no grant for is left out (and its refusal audited) rather
    than failing the batch. Bulk reads are not sent to the per-opening review rules: the job
    that asked for them is audited as such by its caller.
    """
    audit.require(uow, actor, Action.READ_CHART)
    withheld: dict[int, str] = {}
    allowed = _allowed(uow, actor, list(dict.fromkeys(patient_ids)), withheld)
    records = uow.records.whole_records(allowed)
    present = {r.patient.id for r in records}
    withheld.update({pid: "not found" for pid in allowed if pid not in present})
    shaped = tuple(
        minimum_necessary(actor, r, sensitive_documents=_unlocked(uow, actor, r)) for r in records
    )
    audit.record_many(
        uow, actor, RECORD_READ, [(r.patient.id, "record", r.patient.id) for r in shaped]
    )
    uow.commit()
    return RecordBatch(shaped, withheld)


def _allowed(
    uow: UnitOfWork, actor: Actor, patient_ids: list[int], withheld: dict[int, str]
) -> list[int]:
    restricted = uow.access.restrictions_of(set(patient_ids))
    allowed = []
    for pid in patient_ids:
        needs_check = bool(restricted.get(pid, frozenset()) & PATIENT_LEVEL)
        if needs_check or actor.role is Role.CLINICIAN:
            try:
                check_access(uow, actor, pid)  # audits and commits a refusal on its own
            except ReasonRequired:
                withheld[pid] = "reason required"
                continue
            except PermissionDenied:
                withheld[pid] = "denied"
                continue
        allowed.append(pid)
    return allowed


def _unlocked(uow: UnitOfWork, actor: Actor, record: PatientRecord) -> bool:
    if not any(d.sensitivity is not None for d in record.documents):
        return True  # nothing labelled: no need to look for a grant
    assert record.patient.id is not None  # noqa: S101 - stored patients have ids
    return has_active_grant(uow, actor, record.patient.id)


def minimum_necessary(
    actor: Actor, record: PatientRecord, *, sensitive_documents: bool
) -> PatientRecord:
    """What of the record may leave for this actor (pure; the rules of services/charts.py)."""
    patient = demographics_for(actor, record.patient)
    documents = record.documents
    if not sensitive_documents:
        documents = tuple(d for d in documents if d.sensitivity is None)
    # Other systems' record numbers go with the contact details, as in the chart.
    contact = is_permitted(actor.role, Action.READ_FULL_ADDRESS)
    identifiers = record.identifiers if contact else ()
    unchanged = patient is record.patient and documents is record.documents
    if unchanged and identifiers is record.identifiers:
        return record
    return replace(record, patient=patient, documents=documents, identifiers=identifiers,
                   clinicians=_still_named(record, documents))  # fmt: skip


def _still_named(
    record: PatientRecord, documents: tuple[ClinicalDocument, ...]
) -> tuple[Clinician, ...]:
    """The clinicians the record still refers to once withheld documents are gone (the author
    of a substance-use note alone says something about the patient)."""
    ids = {e.attending_id for e in record.encounters}
    ids |= {i for d in documents for i in (d.author_id, d.signed_by_id, d.cosigned_by_id)}
    ids |= {d.documented_by_id for d in record.diagnoses}
    ids |= {p.performed_by_id for p in record.procedures}
    return tuple(c for c in record.clinicians if c.id in ids)


def demographics_for(actor: Actor, patient: Patient) -> Patient:
    """The demographics this actor may receive: SSN and contact details by permission."""
    ssn = patient.ssn if is_permitted(actor.role, Action.READ_FULL_SSN) else ""
    address, phone = patient.address, patient.phone
    if not is_permitted(actor.role, Action.READ_FULL_ADDRESS):
        address = Address(city=address.city, state=address.state)
        phone = ""
    if (ssn, address, phone) == (patient.ssn, patient.address, patient.phone):
        return patient
    return replace(patient, ssn=ssn, address=address, phone=phone)
