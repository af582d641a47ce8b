"""Chart analysis loads many encounters in a few queries; each still gets exactly its own
record, the same as loading it part by part."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from himdesk.bootstrap import Himdesk
from himdesk.demo.generator import build_hospital, generate_charts
from himdesk.domain.access import Actor, Role
from himdesk.domain.completeness import EncounterRecord
from himdesk.domain.records import Encounter
from himdesk.services.hospital import load_hospital
from himdesk.services.ports import UnitOfWork
from himdesk.storage.bulk import SqlBulkWriter

ADMIN = Actor(user_id=0, username="loader", role=Role.ADMIN)


def _part_by_part(uow: UnitOfWork, e: Encounter) -> EncounterRecord:
    assert e.id is not None

    def this_stay(items: Sequence[Any]) -> list[Any]:
        return [i for i in items if i.encounter_id == e.id]

    return EncounterRecord(
        patient=uow.patients.get(e.patient_id), encounter=e,
        documents=list(uow.chart.encounter_documents(e.id)),
        procedures=list(uow.chart.encounter_procedures(e.id)),
        observations=this_stay(uow.chart.observations(e.patient_id)),
        diagnoses=this_stay(uow.chart.diagnoses(e.patient_id)),
        medications=this_stay(uow.chart.medications(e.patient_id)),
        allergies=list(uow.chart.allergies(e.patient_id)),
    )  # fmt: skip


def _sorted(record: EncounterRecord) -> dict[str, object]:
    """The record's parts as sets of ids, so that ties in time order do not matter."""
    parts = ("documents", "procedures", "observations", "diagnoses", "medications", "allergies")
    return {"patient": record.patient, "encounter": record.encounter,
            **{p: sorted(getattr(record, p), key=lambda i: i.id) for p in parts}}  # fmt: skip


def test_encounters_loaded_together_get_exactly_their_own_parts(himdesk: Himdesk) -> None:
    hospital = build_hospital(6)
    charts = list(generate_charts(hospital, 6, 40, date(2026, 11, 1)))
    writer = SqlBulkWriter(himdesk.engine, himdesk.cipher)
    load_hospital(writer, himdesk.unit_of_work, ADMIN, hospital, charts, batch_size=20)

    with himdesk.unit_of_work() as uow:
        encounters = list(uow.chart.discharged_encounters())
        together = uow.chart.encounter_records(encounters[::-1], uow.patients.get_many)
        one_by_one = [_part_by_part(uow, e) for e in encounters[::-1]]

    assert len(encounters) > 40
    assert sum(len(r.observations) + len(r.procedures) for r in together) > 0
    assert [_sorted(r) for r in together] == [_sorted(r) for r in one_by_one]
