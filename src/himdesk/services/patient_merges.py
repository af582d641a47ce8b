"""Merging two patients found to be one person (HL7 ADT^A40), and undoing a merge.

A merge moves the merged patient's whole chart to the surviving patient inside the
caller's transaction (an import applies it with the rest of the message) and records the
exact rows it moved. Undoing moves exactly those back, and refuses when something filed
since would be torn apart by it. Both are audited for both patients.
"""

from __future__ import annotations

from collections.abc import Sequence

from himdesk.domain.access import Action, Actor, PermissionDenied, is_permitted
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.patient_merges import PART_LABELS, PatientMerge, undo_reason_problem
from himdesk.services import audit
from himdesk.services.errors import Conflict, NotFound
from himdesk.services.ports import UnitOfWork

LISTED = 200  # the most recent merges the review page shows


def merge_within(
    uow: UnitOfWork, actor: Actor, *, surviving_id: int, merged_id: int, source: str
) -> int:
    """Merge `merged_id` into `surviving_id` in the caller's transaction (no commit); the
    merge's id. The same merge asked for again returns the one already recorded.

    Raises PermissionDenied without writing the refusal: the caller's transaction decides
    what is kept, and committing here would keep the caller's half-done work.
    """
    if not is_permitted(actor.role, Action.MERGE_PATIENTS):
        raise PermissionDenied(actor, Action.MERGE_PATIENTS)
    if surviving_id == merged_id:
        raise Conflict("A patient cannot be merged into itself.")
    mrns = uow.patients.mrns_of({surviving_id, merged_id})
    for patient_id in (surviving_id, merged_id):
        if patient_id not in mrns:
            raise NotFound("patient", patient_id)
    into = uow.patient_merges.merged_into([surviving_id, merged_id])
    if into[merged_id] is not None:
        earlier = uow.patient_merges.active_merge(merged_id)
        if earlier is not None and earlier.surviving_patient_id == surviving_id:
            return earlier.id
        raise Conflict(f"MRN {mrns[merged_id]} was already merged into another patient.")
    if into[surviving_id] is not None:
        raise Conflict(
            f"MRN {mrns[surviving_id]} was itself merged into another patient: "
            "merge into that patient instead."
        )
    moved = uow.patient_merges.move_rows(merged_id, surviving_id)
    uow.patient_merges.set_merged_into(merged_id, surviving_id)
    merge = uow.patient_merges.add(
        PatientMerge(
            0, surviving_id, merged_id, moved, source.strip()[:300], uow.clock(), actor.username
        )
    )
    _audit_both(uow, actor, "patient.merge", merge)
    return merge.id


def undo_merge(uow: UnitOfWork, actor: Actor, merge_id: int, reason: str) -> None:
    """Move back exactly what the merge moved and mark the merged patient as separate again."""
    audit.require(uow, actor, Action.MERGE_PATIENTS)
    if problem := undo_reason_problem(reason):
        raise InvalidInput({"reason": problem})
    merge = uow.patient_merges.find(merge_id)
    if merge is None:
        raise NotFound("patient merge", merge_id)
    if merge.is_undone:
        raise Conflict(f"Merge {merge_id} was already undone by {merge.undone_by}.")
    if obstacles := _obstacles(uow, merge):
        raise Conflict(f"Merge {merge_id} cannot be undone safely: {'; '.join(obstacles)}.")
    uow.patient_merges.move_back(merge)
    uow.patient_merges.set_merged_into(merge.merged_patient_id, None)
    if not uow.patient_merges.mark_undone(merge_id, uow.clock(), actor.username, reason.strip()):
        raise Conflict(f"Merge {merge_id} was undone by someone else meanwhile.")
    _audit_both(uow, actor, "patient.unmerge", merge)
    uow.commit()


def _obstacles(uow: UnitOfWork, merge: PatientMerge) -> list[str]:
    found = []
    survivor = merge.surviving_mrn
    into = uow.patient_merges.merged_into([merge.surviving_patient_id, merge.merged_patient_id])
    if into.get(merge.surviving_patient_id) is not None:
        found.append(
            f"MRN {survivor} was itself merged into another patient since; undo that merge first"
        )
    if into.get(merge.merged_patient_id) != merge.surviving_patient_id:
        found.append(f"MRN {merge.merged_mrn} is no longer merged into MRN {survivor}")
    for key, count in sorted(uow.patient_merges.strays(merge).items()):
        change, table = key.split(":", 1)
        label = PART_LABELS.get(table, table)
        if change == "left":
            found.append(
                f"{count} {label} that came with the merge no longer belong to MRN {survivor}"
            )
        else:
            found.append(f"{count} {label} were filed since to encounters that came with the merge")
    return found


def _audit_both(uow: UnitOfWork, actor: Actor, action: str, merge: PatientMerge) -> None:
    subjects = [
        (patient_id, "patient-merge", merge.id)
        for patient_id in (merge.surviving_patient_id, merge.merged_patient_id)
    ]
    audit.record_many(uow, actor, action, subjects)


def list_merges(uow: UnitOfWork, actor: Actor) -> Sequence[PatientMerge]:
    """The most recent merges, newest first, with both patients' MRNs (audited as one read)."""
    audit.require(uow, actor, Action.MERGE_PATIENTS)
    merges = uow.patient_merges.recent(LISTED)
    audit.record(
        uow, actor, "patient.merge.list", object_type="patient-merge", object_id=len(merges)
    )
    uow.commit()
    return merges
