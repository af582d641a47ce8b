"""Patients named in a list (an import report, the merges page) the way patient search
names them: MRN and name, and for a restricted chart (VIP, employee) only its MRN to a role
without the privilege — enough to tell the charts apart and no more (minimum necessary).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from himdesk.domain.access import Action, Actor, is_permitted
from himdesk.domain.restrictions import PATIENT_LEVEL
from himdesk.services import audit
from himdesk.services.ports import UnitOfWork

_BATCH = 5000  # ids per query: a large import's patients stay within any database's limits


@dataclass(frozen=True)
class PatientLabel:
    patient_id: int
    mrn: str
    name: str  # "Lindqvist, Astrid M."; empty for a restricted chart this role may not name
    restricted: bool = False


def label_patients(
    uow: UnitOfWork, actor: Actor, patient_ids: Iterable[int]
) -> Mapping[int, PatientLabel]:
    """The label of each patient that exists (one audited read for the whole list)."""
    audit.require(uow, actor, Action.SEARCH_PATIENTS)
    wanted = sorted(set(patient_ids))
    if not wanted:
        return {}
    labels: dict[int, PatientLabel] = {}
    for start in range(0, len(wanted), _BATCH):
        labels.update(_labels(uow, actor, set(wanted[start : start + _BATCH])))
    # Like a search, the trail keeps how many were named, never the names.
    audit.record(uow, actor, "patient.labels.read", object_type="patient-labels",
                 object_id=len(labels))  # fmt: skip
    uow.commit()
    return labels


def _labels(uow: UnitOfWork, actor: Actor, ids: set[int]) -> dict[int, PatientLabel]:
    found = uow.patients.get_many(ids)
    hidden: set[int] = set()
    if not is_permitted(actor.role, Action.READ_RESTRICTED):
        restricted = uow.access.restrictions_of(set(found))
        hidden = {pid for pid, categories in restricted.items() if categories & PATIENT_LEVEL}
    return {
        pid: PatientLabel(pid, p.mrn, "", True)
        if pid in hidden
        else PatientLabel(pid, p.mrn, p.display_name)
        for pid, p in found.items()
    }
