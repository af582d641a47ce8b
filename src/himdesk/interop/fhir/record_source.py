"""The FHIR handlers' repository over himdesk's services: checked, audited, mapped to FHIR.

One `ServiceRecords` serves one API request: it reads through `services.fhir_reads` as the
calling client (so every read is permission-checked and audited) and maps what comes back with
the outbound mapping. Service refusals become the handlers' `AccessRefused`, saying why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from himdesk.domain.access import Action, Actor, PermissionDenied
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
from himdesk.interop.fhir import outbound
from himdesk.interop.fhir.handlers import AccessRefused, Json, ResourceNotFound
from himdesk.interop.fhir.search import KINDS, SearchQuery
from himdesk.services import fhir_reads
from himdesk.services.access_control import ReasonRequired
from himdesk.services.errors import NotFound
from himdesk.services.fhir_reads import FoundParts
from himdesk.services.ports import UnitOfWork


def restricted(patient_id: int | None) -> str:
    whose = f"Patient {patient_id}'s record" if patient_id is not None else "This record"
    return (
        f"{whose} is restricted (a VIP or employee chart, or a document labelled sensitive): "
        "it opens only for a person who states a reason in the workstation, which an API "
        "client cannot do."
    )


class ServiceRecords:
    def __init__(self, uow: UnitOfWork, actor: Actor, base: str) -> None:
        self._uow = uow
        self._actor = actor
        self._base = base

    def read(self, resource_type: str, resource_id: int) -> Json:
        with _refusals(resource_id if resource_type == "Patient" else None):
            found = fhir_reads.read(self._uow, self._actor, KINDS[resource_type], resource_id)
        return self._mapped(found)[0]

    def search(self, query: SearchQuery) -> tuple[int, list[Json]]:
        with _refusals(query.criteria.patient_id):
            found = fhir_reads.search(
                self._uow, self._actor, query.kind, query.criteria, query.page
            )
        return found.total, self._mapped(found)

    def everything(self, patient_id: int) -> list[Json]:
        with _refusals(patient_id):
            record = fhir_reads.everything(self._uow, self._actor, patient_id)
        return outbound.record_resources(record, self._base)

    def _mapped(self, found: FoundParts) -> list[Json]:
        base = self._base
        writers: dict[type, Callable[[Any], Json]] = {
            Patient: lambda p: outbound.patient_resource(
                p, found.identifiers.get(p.id, ()), base, found.replaced_by.get(p.id)
            ),
            Clinician: outbound.practitioner_resource,
            Encounter: lambda e: outbound.encounter_resource(
                e,
                found.facilities.get(e.patient_id, ""),
                base,
                found.principal_diagnoses.get(e.id),
            ),  # fmt: skip
            Diagnosis: lambda d: outbound.condition_resource(d, d.patient_id, base),
            Procedure: lambda p: outbound.procedure_resource(p, p.patient_id, base),
            Observation: lambda o: outbound.observation_resource(o, o.patient_id, base),
            Medication: lambda m: outbound.medication_resource(m, m.patient_id, base),
            Allergy: lambda a: outbound.allergy_resource(a, a.patient_id, base),
            ClinicalDocument: lambda d: outbound.document_resource(d, d.patient_id, base),
        }
        return [writers[type(item)](item) for item in found.items]


@contextmanager
def _refusals(patient_id: int | None) -> Iterator[None]:
    """Service refusals in the handlers' terms, each saying why."""
    try:
        yield
    except NotFound as missing:
        raise ResourceNotFound(str(missing)) from None
    except ReasonRequired as needed:
        raise AccessRefused(restricted(needed.patient_id)) from None
    except PermissionDenied as denied:
        if denied.action is Action.BREAK_GLASS:
            raise AccessRefused(restricted(patient_id)) from None
        raise AccessRefused(f"This client may not perform {denied.action.value}.") from None
