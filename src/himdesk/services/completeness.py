"""Chart analysis on demand: every discharged encounter (or one) checked for deficiencies."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from himdesk.domain.access import Action, Actor
from himdesk.domain.completeness import CompletenessRules, Deficiency, EncounterRecord, analyze
from himdesk.domain.records import Encounter
from himdesk.services import audit
from himdesk.services.errors import NotFound
from himdesk.services.ports import UnitOfWork

BYLAWS = CompletenessRules()


@dataclass(frozen=True)
class Finding:
    encounter: Encounter
    mrn: str
    deficiency: Deficiency
    assignee: str


def analyze_charts(
    uow: UnitOfWork,
    actor: Actor,
    encounter_id: int | None = None,
    rules: CompletenessRules = BYLAWS,
) -> list[Finding]:
    """Deficiencies of discharged encounters; each chart analysed is one audited access."""
    audit.require(uow, actor, Action.ANALYZE_CHARTS)
    encounters = uow.chart.discharged_encounters(encounter_id)
    if encounter_id is not None and not encounters:
        raise NotFound("discharged encounter", encounter_id)
    findings = list(_findings(uow, actor, encounters, rules))
    uow.commit()
    return findings


def _findings(
    uow: UnitOfWork,
    actor: Actor,
    encounters: list[Encounter] | tuple[Encounter, ...] | object,
    rules: CompletenessRules,
) -> Iterator[Finding]:
    assert isinstance(encounters, (list, tuple))  # noqa: S101
    for encounter in encounters:
        assert encounter.id is not None  # noqa: S101
        patient = uow.patients.get(encounter.patient_id)
        record = EncounterRecord(patient, encounter, uow.chart.encounter_documents(encounter.id),
                                 uow.chart.encounter_procedures(encounter.id))  # fmt: skip
        deficiencies = analyze(record, rules)
        audit.record(uow, actor, Action.ANALYZE_CHARTS.value, patient_id=patient.id,
                     object_type="encounter", object_id=encounter.id)  # fmt: skip
        names = uow.clinicians.get_many({d.assignee_id for d in deficiencies if d.assignee_id})
        for d in deficiencies:
            who = names[d.assignee_id].display_name if d.assignee_id in names else ""
            yield Finding(encounter, patient.mrn, d, who)
