"""The abstract screen: one discharged encounter's documentation beside its coding abstract,
with the live code edits and MS-DRG, and the abstract's version history.

Opening it is a read of the patient's record: permission-checked, restricted charts need a
stated reason, and every opening is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from himdesk.domain.access import Action, Actor
from himdesk.domain.coding.abstract import (
    AbstractEntries,
    CodingAbstract,
    HistoryLine,
    fingerprint,
    history_lines,
)
from himdesk.domain.coding.abstract_draft import AbstractDraft, StayFacts, read_draft
from himdesk.domain.coding.claims import ClaimSex
from himdesk.domain.coding.code_set import CodeSetLibrary
from himdesk.domain.coding.coding_work import CodingProgress
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.records import Clinician, Encounter, EncounterClass, Patient
from himdesk.services import audit
from himdesk.services.access_control import check_access, flag_chart_access
from himdesk.services.charts import Banner, banner_of, get_patient
from himdesk.services.code_reference import CodeReference
from himdesk.services.coding_review import (
    CodingReview,
    code_sets_of,
    releases_for,
    review_entries,
)
from himdesk.services.errors import Conflict, NotFound
from himdesk.services.ports import UnitOfWork


class NotDischarged(Conflict):
    def __init__(self, encounter_id: int) -> None:
        super().__init__(
            f"Encounter {encounter_id} is not discharged: an encounter is coded after "
            "discharge, from the completed documentation."
        )


@dataclass(frozen=True)
class DocumentedCondition:
    """A diagnosis or procedure as the clinicians documented it, to code from."""

    description: str
    at: datetime
    by: str
    principal: bool = False
    laterality: str = ""


@dataclass(frozen=True)
class DocumentLine:
    id: int
    title: str  # "Restricted document (…)" for a labelled one
    kind: str
    authored_at: datetime
    author: str
    status: str


@dataclass(frozen=True)
class AbstractScreen:
    banner: Banner
    encounter: Encounter
    stay: StayFacts
    attending: str
    abstract: CodingAbstract | None
    draft: AbstractDraft  # what the form shows
    review: CodingReview
    diagnoses: Sequence[DocumentedCondition]
    procedures: Sequence[DocumentedCondition]
    documents: Sequence[DocumentLine]
    clinicians: Sequence[Clinician]  # the operators to choose from
    history: Sequence[HistoryLine]
    today: date

    @property
    def progress(self) -> str:
        if self.abstract is None:
            return CodingProgress.NOT_STARTED.label
        if self.abstract.is_final:
            return f"final-coded (version {self.abstract.version})"
        progress = (
            CodingProgress.REOPENED if self.abstract.was_reopened else CodingProgress.IN_PROGRESS
        )
        return progress.label

    @property
    def opened_on(self) -> str:
        """What the form carries so a save over another coder's changes is refused: the
        abstract as this coder first opened it, kept while the form is shown again."""
        return self.draft.opened_on or fingerprint(self.abstract)

    @property
    def days_since_discharge(self) -> int:
        return (self.today - self.stay.discharged_on).days


def coded_encounter(
    uow: UnitOfWork, actor: Actor, encounter_id: int
) -> tuple[Encounter, Patient, StayFacts]:
    """The discharged encounter to code, its patient and the facts coding reads; refused
    as not found, not discharged, or (restricted chart) until a reason is stated."""
    encounter = uow.chart.encounter(encounter_id)
    if encounter is None:
        raise NotFound("encounter", encounter_id)
    if encounter.discharged_at is None:
        raise NotDischarged(encounter_id)
    patient = get_patient(uow, encounter.patient_id)
    check_access(uow, actor, encounter.patient_id)
    return encounter, patient, stay_facts(encounter, patient)


def stay_facts(encounter: Encounter, patient: Patient) -> StayFacts:
    assert encounter.id is not None and encounter.discharged_at is not None  # noqa: S101
    discharged_on = encounter.discharged_at.date()
    sex = {"F": ClaimSex.FEMALE, "M": ClaimSex.MALE}.get(patient.sex.value, ClaimSex.UNKNOWN)
    return StayFacts(
        encounter_id=encounter.id,
        inpatient=encounter.encounter_class is EncounterClass.INPATIENT,
        admitted_on=encounter.admitted_at.date(),
        discharged_on=discharged_on,
        age=patient.age_on(discharged_on),
        sex=sex,
    )


def open_abstract(
    uow: UnitOfWork,
    actor: Actor,
    reference: CodeReference,
    encounter_id: int,
    typed: AbstractDraft | None = None,
) -> AbstractScreen:
    """The abstract screen (an audited read). `typed` is a form to show again as the coder
    left it; the review then covers what was typed when it reads cleanly."""
    audit.require(uow, actor, Action.CODE_ENCOUNTERS)
    code_sets = (reference, code_sets_of(reference))
    encounter, patient, stay = coded_encounter(uow, actor, encounter_id)
    screen = _assemble(uow, code_sets, (encounter, patient, stay), typed)
    event = audit.record(uow, actor, "coding.abstract.read", patient_id=patient.id,
                         object_type="encounter", object_id=encounter_id)  # fmt: skip
    flag_chart_access(uow, actor, patient, event)
    uow.commit()
    return screen


def _assemble(
    uow: UnitOfWork,
    code_sets: tuple[CodeReference, CodeSetLibrary | None],
    coded: tuple[Encounter, Patient, StayFacts],
    typed: AbstractDraft | None,
) -> AbstractScreen:
    reference, library = code_sets
    encounter, patient, stay = coded
    abstract = uow.coding_abstracts.find(stay.encounter_id)
    clinicians = sorted(uow.clinicians.list_all(), key=lambda c: (c.family_name, c.given_name))
    names = {c.id: c.display_name for c in clinicians}
    saved = abstract.entries if abstract else None
    draft = typed or (AbstractDraft.of(saved) if saved else _new_draft(encounter))
    entries = _typed_entries(library, stay, typed, [c.id for c in clinicians]) or saved
    return AbstractScreen(
        banner=banner_of(uow, patient),
        encounter=encounter,
        stay=stay,
        attending=names.get(encounter.attending_id or 0, ""),
        abstract=abstract,
        draft=draft,
        review=review_entries(reference, library, stay, entries or AbstractEntries()),
        diagnoses=_documented_diagnoses(uow, encounter, names),
        procedures=_documented_procedures(uow, stay.encounter_id, names),
        documents=_documents(uow, encounter, names),
        clinicians=clinicians,
        history=history_lines(uow.coding_abstracts.versions(stay.encounter_id)),
        today=uow.clock().date(),
    )


def _new_draft(encounter: Encounter) -> AbstractDraft:
    """A first abstract starts from the disposition registration recorded."""
    disposition = encounter.discharge_disposition
    return AbstractDraft(disposition=disposition.value if disposition else "")


def _typed_entries(
    library: CodeSetLibrary | None,
    stay: StayFacts,
    typed: AbstractDraft | None,
    operators: list[int],
) -> AbstractEntries | None:
    found = releases_for(library, stay) if typed else None
    if typed is None or found is None:
        return None
    try:
        return read_draft(typed, stay, found[0], operators)
    except InvalidInput:
        return None


def _documented_diagnoses(
    uow: UnitOfWork, encounter: Encounter, names: dict[int, str]
) -> list[DocumentedCondition]:
    found = [d for d in uow.chart.diagnoses(encounter.patient_id) if d.encounter_id == encounter.id]
    found.sort(key=lambda d: (not d.is_principal, d.documented_at))
    return [
        DocumentedCondition(d.description, d.documented_at, names.get(d.documented_by_id or 0, ""),
                            d.is_principal, d.laterality)
        for d in found
    ]  # fmt: skip


def _documented_procedures(
    uow: UnitOfWork, encounter_id: int, names: dict[int, str]
) -> list[DocumentedCondition]:
    return [
        DocumentedCondition(p.description, p.performed_at, names.get(p.performed_by_id or 0, ""),
                            laterality=p.laterality)
        for p in uow.chart.encounter_procedures(encounter_id)
    ]  # fmt: skip


def _documents(uow: UnitOfWork, encounter: Encounter, names: dict[int, str]) -> list[DocumentLine]:
    headers = [h for h in uow.chart.document_headers(encounter.patient_id)
               if h.encounter_id == encounter.id]  # fmt: skip
    return [
        DocumentLine(
            h.id,
            f"Restricted document ({h.sensitivity.label})" if h.sensitivity else h.title,
            h.document_type.label,
            h.authored_at,
            names.get(h.author_id, ""),
            h.status.value,
        )
        for h in sorted(headers, key=lambda h: h.authored_at)
    ]
