"""Chart analysis over the demo hospital finds every planted problem and nothing else."""

from __future__ import annotations

from datetime import date

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.demo.generator import build_hospital, generate_charts
from himdesk.demo.model import ProblemKind
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.domain.rule_book import RULES
from himdesk.services.completeness import analyze_charts
from himdesk.services.errors import NotFound
from himdesk.services.hospital import load_hospital
from himdesk.storage.bulk import SqlBulkWriter

ADMIN = Actor(user_id=0, username="loader", role=Role.ADMIN)
HIT = Actor(user_id=5, username="hana", role=Role.HIT)
TODAY = date(2026, 11, 1)
PATIENTS = 150
# What each planted problem must be reported as; anything else found is a false positive.
EXPECTED = {
    ProblemKind.UNSIGNED_DOCUMENT: {"unsigned_document"},
    ProblemKind.MISSING_DOCUMENT: {"missing_document"},
    ProblemKind.LATE_DISCHARGE_SUMMARY: {"late_document"},
    ProblemKind.WRONG_ENCOUNTER: {"wrong_patient", "outside_encounter"},
    ProblemKind.MISSING_COSIGNATURE: {"missing_cosignature"},
    ProblemKind.LATERALITY_CONFLICT: {"laterality_conflict"},
    ProblemKind.ABNORMAL_LAB_WITHOUT_DIAGNOSIS: {"result_without_diagnosis"},
    ProblemKind.DUPLICATE_DOCUMENT: {"duplicate_document"},
    ProblemKind.ALLERGY_CONFLICT: {"allergy_conflict"},
}


@pytest.fixture
def planted(himdesk: Himdesk) -> dict[str, set[ProblemKind]]:
    hospital = build_hospital(4)
    charts = list(generate_charts(hospital, 4, PATIENTS, TODAY))
    writer = SqlBulkWriter(himdesk.engine, himdesk.cipher)
    load_hospital(writer, himdesk.unit_of_work, ADMIN, hospital, charts, batch_size=50)
    problems: dict[str, set[ProblemKind]] = {}
    for chart in charts:
        for problem in chart.problems:
            problems.setdefault(problem.account_number, set()).add(problem.kind)
    return problems


def test_every_planted_deficiency_is_found_and_clean_charts_report_nothing(
    himdesk: Himdesk, planted: dict[str, set[ProblemKind]]
) -> None:
    with himdesk.unit_of_work() as uow:
        findings = analyze_charts(uow, HIT)
    found: dict[str, set[str]] = {}
    for f in findings:
        found.setdefault(f.encounter.account_number, set()).add(f.deficiency.kind.value)
    expected = {
        account: set().union(*(EXPECTED.get(k, set()) for k in kinds))
        for account, kinds in planted.items()
    }
    missed = [(a, k) for a, kinds in planted.items() for k in kinds
              if k in EXPECTED and not EXPECTED[k] & found.get(a, set())]  # fmt: skip
    extra = [(a, k) for a, kinds in found.items() for k in kinds
             if k not in expected.get(a, set())]  # fmt: skip
    assert set(EXPECTED) == set(ProblemKind)
    assert sum(len(k & EXPECTED.keys()) for k in planted.values()) >= 20
    assert missed == [] and extra == []
    assert {f.deficiency.rule for f in findings} <= {rule.name for rule in RULES}


def test_each_encounter_analysed_is_one_audited_access(
    himdesk: Himdesk, planted: dict[str, set[ProblemKind]]
) -> None:
    with himdesk.unit_of_work() as uow:
        before = uow.audit.count()
        encounters = uow.chart.discharged_encounters()
        analyze_charts(uow, HIT)
    with himdesk.unit_of_work() as uow:
        new = [e.entry for e in uow.audit.iterate() if e.sequence > before]
    assert len(new) == len(encounters) and {e.action for e in new} == {"chart.analyze"}
    assert [(e.patient_id, e.object_type, e.object_id) for e in new] == [
        (s.patient_id, "encounter", str(s.id)) for s in encounters
    ]


def test_one_encounter_can_be_analysed_and_an_unknown_one_is_not_found(
    himdesk: Himdesk, planted: dict[str, set[ProblemKind]]
) -> None:
    with himdesk.unit_of_work() as uow:
        first = uow.chart.discharged_encounters()[0]
        assert first.id is not None
        findings = analyze_charts(uow, HIT, first.id)
    assert {f.encounter.id for f in findings} <= {first.id}
    with himdesk.unit_of_work() as uow, pytest.raises(NotFound):
        analyze_charts(uow, HIT, 987654)


def test_a_coder_may_not_run_chart_analysis(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        analyze_charts(uow, Actor(6, "cora", Role.CODER))
