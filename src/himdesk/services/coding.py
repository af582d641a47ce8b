"""Coding an encounter: saving the abstract, final coding, reopening it with a reason, and
the live review of edits and MS-DRG while the coder types.

Every write is permission-checked and audited in its transaction. Final coding keeps a
version of the abstract; so does each reopening, with its reason, so the history shows who
changed a final-coded abstract, when, why, and what it did to the DRG.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from himdesk.domain.access import Action, Actor
from himdesk.domain.coding.abstract import (
    AbstractEntries,
    AbstractLocked,
    AbstractStatus,
    CodingAbstract,
    CodingVersion,
    checked_reason,
    finalized,
    fingerprint,
    reopened,
    revised,
    snapshot,
    start_abstract,
)
from himdesk.domain.coding.abstract_draft import AbstractDraft, StayFacts, read_draft
from himdesk.domain.coding.code_set import CodeSetLibrary
from himdesk.services import audit
from himdesk.services.code_reference import CodeReference
from himdesk.services.coding_review import (
    NOT_LOADED,
    CodingReview,
    code_sets_of,
    releases_for,
    review_entries,
)
from himdesk.services.coding_screen import coded_encounter
from himdesk.services.errors import Conflict
from himdesk.services.ports import UnitOfWork


class FinalCodingRefused(Conflict):
    """What keeps the abstract from final coding: edits of error severity, missing entries."""

    def __init__(self, encounter_id: int, problems: Sequence[str]) -> None:
        super().__init__(f"Encounter {encounter_id} was not final-coded: " + " ".join(problems))
        self.problems = tuple(problems)


class AbstractChanged(Conflict):
    """Another coder saved the abstract after this form was opened."""

    def __init__(self, abstract: CodingAbstract | None) -> None:
        by = f" by {abstract.updated_by}" if abstract else ""
        super().__init__(
            f"The abstract was changed{by} after you opened it, so your entries were not "
            "saved: open the encounter again to see the changes, then enter yours."
        )


def save_abstract(
    uow: UnitOfWork, actor: Actor, reference: CodeReference, encounter_id: int, draft: AbstractDraft
) -> CodingAbstract:
    """Store the coder's entries as the in-progress abstract, with the DRG they group to.
    Bad rows raise InvalidInput naming each; a final-coded abstract must be reopened first."""
    audit.require(uow, actor, Action.CODE_ENCOUNTERS)
    library = code_sets_of(reference)
    _encounter, patient, stay = coded_encounter(uow, actor, encounter_id)
    abstract, _review = _store(uow, actor, (reference, library), stay, draft)
    audit.record(uow, actor, "coding.abstract.save", patient_id=patient.id,
                 object_type="encounter", object_id=encounter_id)  # fmt: skip
    uow.commit()
    return abstract


CodeSets = tuple[CodeReference, CodeSetLibrary | None]


def _store(
    uow: UnitOfWork, actor: Actor, code_sets: CodeSets, stay: StayFacts, draft: AbstractDraft
) -> tuple[CodingAbstract, CodingReview]:
    current = uow.coding_abstracts.find_for_change(stay.encounter_id)
    if current is not None and current.is_final:
        raise Conflict(str(AbstractLocked(stay.encounter_id)))
    if draft.opened_on and draft.opened_on != fingerprint(current):
        raise AbstractChanged(current)
    reference, library = code_sets
    found = releases_for(library, stay)
    if found is None:
        raise Conflict(NOT_LOADED)
    operators = [c.id for c in uow.clinicians.list_all()]
    entries = read_draft(draft, stay, found[0], operators)
    review = review_entries(reference, library, stay, entries)
    stamp = (uow.clock(), actor.username)
    base = current or start_abstract(stay.encounter_id, *stamp)
    abstract = revised(base, entries, review.code_set_year, review.drg_on_file, stamp)
    if current is None:
        uow.coding_abstracts.add(abstract)
    elif not uow.coding_abstracts.update(abstract, AbstractStatus.IN_PROGRESS):
        raise Conflict(str(AbstractLocked(stay.encounter_id)))
    return abstract, review


def finalize_coding(
    uow: UnitOfWork,
    actor: Actor,
    reference: CodeReference,
    encounter_id: int,
    draft: AbstractDraft | None = None,
) -> CodingAbstract:
    """Final-code the abstract (the entries of `draft` when given, saved in the same step):
    refused, with nothing written, while any problem or error-severity edit remains."""
    audit.require(uow, actor, Action.CODE_ENCOUNTERS)
    library = code_sets_of(reference)
    _encounter, patient, stay = coded_encounter(uow, actor, encounter_id)
    if draft is not None:
        abstract, review = _store(uow, actor, (reference, library), stay, draft)
    else:
        abstract = _saved(uow, encounter_id)
        review = review_entries(reference, library, stay, abstract.entries)
    if review.problems:
        raise FinalCodingRefused(encounter_id, review.problems)
    stamp = (uow.clock(), actor.username)
    final = finalized(abstract, review.drg_on_file, stamp)
    if not uow.coding_abstracts.update(final, AbstractStatus.IN_PROGRESS):
        raise Conflict(f"The abstract of encounter {encounter_id} was final-coded meanwhile.")
    _keep_version(uow, final, "final", "", stamp)
    audit.record(uow, actor, "coding.abstract.finalize", patient_id=patient.id,
                 object_type="encounter", object_id=encounter_id)  # fmt: skip
    uow.commit()
    return final


def _saved(uow: UnitOfWork, encounter_id: int) -> CodingAbstract:
    abstract = uow.coding_abstracts.find_for_change(encounter_id)
    if abstract is None:
        raise Conflict(f"Encounter {encounter_id} has no abstract yet: enter and save its codes.")
    if abstract.is_final:
        raise Conflict(f"The abstract of encounter {encounter_id} is final-coded already.")
    return abstract


def reopen_coding(uow: UnitOfWork, actor: Actor, encounter_id: int, reason: str) -> CodingAbstract:
    """Unlock a final-coded abstract for changes; the reason and the final version are kept."""
    audit.require(uow, actor, Action.CODE_ENCOUNTERS)
    cleaned = checked_reason(reason)
    _encounter, patient, _stay = coded_encounter(uow, actor, encounter_id)
    abstract = uow.coding_abstracts.find_for_change(encounter_id)
    if abstract is None or not abstract.is_final:
        raise Conflict(f"Encounter {encounter_id} is not final-coded: there is nothing to reopen.")
    stamp = (uow.clock(), actor.username)
    opened = reopened(abstract, stamp)
    if not uow.coding_abstracts.update(opened, AbstractStatus.FINAL):
        raise Conflict(f"The abstract of encounter {encounter_id} was reopened meanwhile.")
    _keep_version(uow, abstract, "reopened", cleaned, stamp)
    audit.record(uow, actor, "coding.abstract.reopen", patient_id=patient.id,
                 object_type="encounter", object_id=encounter_id)  # fmt: skip
    uow.commit()
    return opened


def _keep_version(
    uow: UnitOfWork, abstract: CodingAbstract, event: str, reason: str, stamp: tuple[datetime, str]
) -> None:
    at, by = stamp
    number = len(uow.coding_abstracts.versions(abstract.encounter_id)) + 1
    uow.coding_abstracts.add_version(
        CodingVersion(abstract.encounter_id, number, event, at, by, reason,
                      snapshot(abstract, event))
    )  # fmt: skip


def preview_abstract(
    uow: UnitOfWork, actor: Actor, reference: CodeReference, encounter_id: int, draft: AbstractDraft
) -> CodingReview:
    """The edits, MS-DRG and final-coding problems of the entries as typed, without saving
    them (an audited read). Bad rows raise InvalidInput naming each."""
    audit.require(uow, actor, Action.CODE_ENCOUNTERS)
    library = code_sets_of(reference)
    _encounter, patient, stay = coded_encounter(uow, actor, encounter_id)
    found = releases_for(library, stay)
    entries = AbstractEntries()
    if found is not None:  # without code sets the review says so, and nothing is checked
        operators = [c.id for c in uow.clinicians.list_all()]
        entries = read_draft(draft, stay, found[0], operators)
    review = review_entries(reference, library, stay, entries)
    audit.record(uow, actor, "coding.abstract.preview", patient_id=patient.id,
                 object_type="encounter", object_id=encounter_id)  # fmt: skip
    uow.commit()
    return review
