"""Opening the chart and reading its documents: every read is permission-checked and audited."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from himdesk.domain.access import Action, Actor, is_permitted
from himdesk.domain.amendments import AmendmentRequest, AmendmentTarget
from himdesk.domain.identifiers import mask_ssn
from himdesk.domain.import_records import PartKind
from himdesk.domain.incoming import IdentifierKind, PatientIdentifier
from himdesk.domain.record_sources import analysed_here, received_label, senders_by_part
from himdesk.domain.records import (
    Allergy,
    ClinicalDocument,
    Clinician,
    Diagnosis,
    Encounter,
    Medication,
    Observation,
    Patient,
    Procedure,
)
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.domain.versions import RecordVersion
from himdesk.services import audit
from himdesk.services.access_control import (
    chart_restrictions,
    check_access,
    flag_chart_access,
    has_active_grant,
)
from himdesk.services.errors import NotFound
from himdesk.services.ports import DocumentHeader, UnitOfWork


@dataclass(frozen=True)
class Banner:
    """What every page about a patient shows at the top, allergies included (safety)."""

    patient: Patient
    age: int
    allergies: Sequence[Allergy]
    restrictions: frozenset[SensitiveCategory] = frozenset()


def banner_of(uow: UnitOfWork, patient: Patient) -> Banner:
    assert patient.id is not None  # noqa: S101
    return Banner(patient, patient.age_on(uow.clock().date()), uow.chart.allergies(patient.id),
                  chart_restrictions(uow, patient.id))  # fmt: skip


@dataclass(frozen=True)
class Chart:
    banner: Banner
    ssn_shown: str
    address_shown: str
    phone_shown: str
    encounters: Sequence[Encounter]
    documents: Sequence[DocumentHeader]
    observations: Sequence[Observation]
    diagnoses: Sequence[Diagnosis]
    procedures: Sequence[Procedure]
    medications: Sequence[Medication]
    clinicians: dict[int, Clinician]
    results_by_test: dict[str, list[Observation]] = field(default_factory=dict)
    # Labelled documents stay closed (title hidden) until the user has stated a reason.
    restricted_documents_unlocked: bool = False
    # Patient amendment requests (45 CFR 164.526) on any part of this chart, oldest first.
    amendments: Sequence[AmendmentRequest] = ()
    # Set when this patient was merged into another (HL7 A40): its chart now lives there.
    merged_into_mrn: str = ""
    # (part kind, id) -> the systems an import received that part from; absent: recorded here.
    received: Mapping[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    # The record numbers other systems know the patient by (roles that see contact details).
    other_identifiers: Sequence[PatientIdentifier] = ()

    @property
    def patient(self) -> Patient:
        return self.banner.patient

    @property
    def accounts(self) -> dict[int | None, str]:
        """Encounter id -> account number, to show which encounter a document is filed to."""
        return {e.id: e.account_number for e in self.encounters}

    def received_from(self, kind: str, part_id: int | None) -> str:
        """Who sent this part ("FHIR R4", "HL7 v2 CDPH", "C-CDA"), or "" when it was
        recorded here."""
        return received_label(self.received.get((kind, part_id or 0), ()))

    def is_analysed_here(self, encounter: Encounter) -> bool:
        """False for an encounter received from another organisation: filed, not analysed."""
        return analysed_here(self.received.get((PartKind.ENCOUNTER.value, encounter.id or 0), ()))


def open_chart(uow: UnitOfWork, actor: Actor, patient_id: int) -> Chart:
    """The whole chart; restricted charts and documents need a stated reason first."""
    audit.require(uow, actor, Action.READ_CHART, patient_id)
    patient = get_patient(uow, patient_id)
    grant = check_access(uow, actor, patient_id)
    chart = _assemble(uow, actor, patient)
    unlocked = grant is not None or has_active_grant(uow, actor, patient_id)
    chart = replace(chart, restricted_documents_unlocked=unlocked)
    event = audit.record(uow, actor, Action.READ_CHART.value, patient_id=patient_id,
                         object_type="chart", object_id=patient_id)  # fmt: skip
    flag_chart_access(uow, actor, patient, event)
    uow.commit()
    return chart


def chart_by_mrn(uow: UnitOfWork, actor: Actor, mrn: str) -> Chart:
    audit.require(uow, actor, Action.READ_CHART)
    patient = uow.patients.find_by_mrn(mrn.strip().upper())
    if patient is None:
        raise NotFound("patient with MRN", mrn)
    assert patient.id is not None  # noqa: S101
    return open_chart(uow, actor, patient.id)


def get_patient(uow: UnitOfWork, patient_id: int) -> Patient:
    """The patient, or NotFound (the repository's `get` raises it)."""
    return uow.patients.get(patient_id)


def _assemble(uow: UnitOfWork, actor: Actor, patient: Patient) -> Chart:
    assert patient.id is not None  # noqa: S101
    pid = patient.id
    encounters = uow.chart.encounters(pid)
    documents = uow.chart.document_headers(pid)
    observations = uow.chart.observations(pid)
    diagnoses = uow.chart.diagnoses(pid)
    procedures = uow.chart.procedures(pid)
    clinician_ids = {e.attending_id for e in encounters if e.attending_id}
    clinician_ids |= {d.author_id for d in documents}
    clinician_ids |= {p.performed_by_id for p in procedures if p.performed_by_id}
    results: dict[str, list[Observation]] = defaultdict(list)
    for obs in observations:
        results[obs.code].append(obs)
    show_full = is_permitted(actor.role, Action.READ_FULL_SSN)
    contact = is_permitted(actor.role, Action.READ_FULL_ADDRESS)
    return Chart(
        banner=banner_of(uow, patient),
        ssn_shown=patient.ssn if show_full else mask_ssn(patient.ssn),
        address_shown=patient.address.one_line() if contact else patient.address.city_and_state(),
        phone_shown=patient.phone if contact else "",
        encounters=encounters,
        documents=documents,
        observations=observations,
        diagnoses=diagnoses,
        procedures=procedures,
        medications=uow.chart.medications(pid),
        clinicians=uow.clinicians.get_many(clinician_ids),
        results_by_test=dict(results),
        amendments=uow.amendments.list_for_patient(pid),
        merged_into_mrn=uow.patient_merges.merged_into_mrn(pid) or "",
        received=senders_by_part(uow.chart.received_parts(pid)),
        other_identifiers=_other_identifiers(uow, pid) if contact else (),
    )


def _other_identifiers(uow: UnitOfWork, patient_id: int) -> Sequence[PatientIdentifier]:
    """Other systems' record numbers with their assigning authorities. Shown like the street
    address, to the roles that see contact details: they identify the patient directly and
    coding needs none of them. SSN rows hold a keyed digest, never shown."""
    found = uow.records.identifiers_of([patient_id]).get(patient_id, ())
    return [i for i in found if i.kind is IdentifierKind.MRN]


@dataclass(frozen=True)
class DocumentView:
    banner: Banner
    document: ClinicalDocument
    encounter: Encounter | None
    clinicians: dict[int, Clinician]
    history: Sequence[RecordVersion]
    amendments: Sequence[AmendmentRequest] = ()
    received_from: str = ""  # the sending system when an import wrote it


def document_of(
    uow: UnitOfWork, actor: Actor, patient_id: int, document_id: int, action: str
) -> ClinicalDocument:
    """The patient's document; another patient's (an edited URL or form) is refused as not
    found, and the attempt is audited so the privacy officer can see it."""
    document = uow.chart.document(document_id)
    if document is None or document.patient_id != patient_id:
        audit.record(uow, actor, action, patient_id=patient_id, object_type="document",
                     object_id=document_id, outcome="not-found")  # fmt: skip
        uow.commit()
        raise NotFound("document", document_id)
    return document


def read_document(uow: UnitOfWork, actor: Actor, patient_id: int, document_id: int) -> DocumentView:
    """Open one document. A document of another patient is refused as not found and audited."""
    audit.require(uow, actor, Action.READ_CHART, patient_id)
    patient = get_patient(uow, patient_id)
    document = document_of(uow, actor, patient_id, document_id, "document.read")
    check_access(uow, actor, patient_id, document.sensitivity)
    encounter = uow.chart.encounter(document.encounter_id) if document.encounter_id else None
    ids = {i for i in (document.author_id, document.signed_by_id, document.cosigned_by_id) if i}
    view = DocumentView(
        banner=banner_of(uow, patient),
        document=document,
        encounter=encounter,
        clinicians=uow.clinicians.get_many(ids),
        history=uow.versions.list_for("document", document_id),
        amendments=uow.amendments.list_for_target(AmendmentTarget.DOCUMENT, document_id),
        received_from=received_label(uow.chart.senders_of(PartKind.DOCUMENT, document_id)),
    )
    event = audit.record(uow, actor, "document.read", patient_id=patient_id,
                         object_type="document", object_id=document_id)  # fmt: skip
    # A document opened straight from its address is reviewed like a chart opening.
    flag_chart_access(uow, actor, patient, event)
    uow.commit()
    return view


@dataclass(frozen=True)
class DemographicsHistory:
    banner: Banner
    versions: Sequence[RecordVersion]
    amendments: Sequence[AmendmentRequest] = ()


CONTACT_FIELDS = ("address_line", "address_postal_code", "phone")


def _without_contact(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Minimum necessary in the history too: no street address, ZIP or phone."""
    return {k: ("" if k in CONTACT_FIELDS else v) for k, v in snapshot.items()}


def demographics_history(uow: UnitOfWork, actor: Actor, patient_id: int) -> DemographicsHistory:
    audit.require(uow, actor, Action.READ_CHART, patient_id)
    patient = get_patient(uow, patient_id)
    check_access(uow, actor, patient_id)
    versions = uow.versions.list_for("patient", patient_id)
    if not is_permitted(actor.role, Action.READ_FULL_ADDRESS):
        versions = [replace(v, snapshot=_without_contact(v.snapshot)) for v in versions]
    history = DemographicsHistory(
        banner_of(uow, patient),
        versions,
        uow.amendments.list_for_target(AmendmentTarget.DEMOGRAPHICS, patient_id),
    )
    audit.record(
        uow,
        actor,
        "patient.history.read",
        patient_id=patient_id,
        object_type="patient",
        object_id=patient_id,
    )
    uow.commit()
    return history
