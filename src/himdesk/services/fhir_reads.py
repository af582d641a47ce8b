"""Reads and searches behind the FHIR API: permission-checked and audited like the workstation.

Searching patients needs `SEARCH_PATIENTS`; everything else `READ_CHART`. A read, or a search
about one patient, of a VIP or employee chart or a labelled document is refused as opening the
chart would be (services/access_control.py): API clients cannot state a reason, so for them it
stays closed. Searches across patients leave such charts and documents out. Each patient whose
record a call returned gets one audit event (written together); a call that returned nothing
still leaves one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from himdesk.domain.access import Action, Actor
from himdesk.domain.incoming import PatientIdentifier
from himdesk.domain.patient_record import PatientRecord
from himdesk.domain.record_search import Page, RecordCriteria, RecordKind
from himdesk.domain.records import Clinician, Encounter, Patient
from himdesk.services import audit, record_exchange
from himdesk.services.access_control import check_access
from himdesk.services.errors import NotFound
from himdesk.services.ports import UnitOfWork

PATIENT_SEARCH = Action.SEARCH_PATIENTS.value
CHART_READ = Action.READ_CHART.value


@dataclass(frozen=True)
class FoundParts:
    """A page of results with what mapping them needs beside the parts themselves."""

    total: int
    items: Sequence[Any]
    facilities: dict[int, str] = field(default_factory=dict)  # patient id -> facility
    principal_diagnoses: dict[int, int] = field(default_factory=dict)  # encounter -> diagnosis
    identifiers: dict[int, list[PatientIdentifier]] = field(default_factory=dict)  # patient id ->
    replaced_by: dict[int, int] = field(default_factory=dict)  # merged patient id -> survivor


def search(
    uow: UnitOfWork, actor: Actor, kind: RecordKind, criteria: RecordCriteria, page: Page
) -> FoundParts:
    if kind is RecordKind.CLINICIAN:
        raise NotFound("search of", kind.value)
    needed = Action.SEARCH_PATIENTS if kind is RecordKind.PATIENT else Action.READ_CHART
    audit.require(uow, actor, needed, criteria.patient_id)
    if criteria.patient_id is not None:
        check_access(uow, actor, criteria.patient_id)  # refuses a restricted chart, audited
    if kind is RecordKind.PATIENT:
        found = uow.record_search.patients(criteria, page)
        items: Sequence[Any] = [record_exchange.demographics_for(actor, p) for p in found.items]
    else:
        found = uow.record_search.parts(kind, criteria, page)
        items = found.items
    result = _with_context(uow, items, found.total)
    patients = list(dict.fromkeys(_patient_of(item) for item in items))
    action = PATIENT_SEARCH if kind is RecordKind.PATIENT else CHART_READ
    if patients:
        audit.record_many(uow, actor, action, [(p, kind.value, "search") for p in patients])
    else:
        audit.record(uow, actor, action, patient_id=criteria.patient_id, object_type=kind.value,
                     object_id="search")  # fmt: skip
    uow.commit()
    return result


def read(uow: UnitOfWork, actor: Actor, kind: RecordKind, part_id: int) -> FoundParts:
    """One resource by id: NotFound, or refused as opening the chart would be."""
    audit.require(uow, actor, Action.READ_CHART)
    if kind is RecordKind.PATIENT:
        item: Any = record_exchange.demographics_for(actor, uow.patients.get(part_id))
    else:
        item = uow.record_search.part(kind, part_id)
    if item is None:
        raise NotFound(kind.value, part_id)
    patient_id = None if isinstance(item, Clinician) else _patient_of(item)
    if patient_id is not None:
        check_access(uow, actor, patient_id, getattr(item, "sensitivity", None))
    result = _with_context(uow, [item], 1)
    audit.record(uow, actor, CHART_READ, patient_id=patient_id, object_type=kind.value,
                 object_id=part_id)  # fmt: skip
    uow.commit()
    return result


def everything(uow: UnitOfWork, actor: Actor, patient_id: int) -> PatientRecord:
    """`Patient/{id}/$everything`: the whole record, read as opening the chart."""
    return record_exchange.whole_record(uow, actor, patient_id)


def _patient_of(item: Any) -> int:
    patient_id: int | None = item.id if isinstance(item, Patient) else item.patient_id
    assert patient_id is not None  # noqa: S101 - stored parts belong to a stored patient
    return patient_id


def _with_context(uow: UnitOfWork, items: Sequence[Any], total: int) -> FoundParts:
    encounters = [e for e in items if isinstance(e, Encounter)]
    patient_ids = {e.patient_id for e in encounters}
    encounter_ids = {e.id for e in encounters if e.id is not None}
    patients = {p.id for p in items if isinstance(p, Patient) and p.id is not None}
    merged = uow.patient_merges.merged_into(sorted(patients)) if patients else {}
    return FoundParts(
        total,
        items,
        uow.record_search.facilities(patient_ids),
        uow.record_search.principal_diagnoses(encounter_ids),
        uow.records.identifiers_of(patients) if patients else {},
        {merged_id: into for merged_id, into in merged.items() if into is not None},
    )
