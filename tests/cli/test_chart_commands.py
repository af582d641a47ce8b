"""`himdesk chart`: analyze, worklist, delinquency and complete, each one JSON document."""

from __future__ import annotations

import json

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.services.completeness import analyze_charts
from tests.cli.test_commands import himdesk_cli
from tests.fakes import ChartBuilder


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIMDESK_DEMO_MODE", "1")


def test_chart_analyze_lists_deficiencies_with_encounter_kind_and_assignee(
    database_url: str,
) -> None:
    code, _out, err = himdesk_cli(database_url, "demo", "load", "--patients", "60", "--json")
    assert code == 0, err
    code, out, err = himdesk_cli(database_url, "chart", "analyze", "--json")
    assert code == 0, err
    findings = json.loads(out)
    assert findings, "the demo hospital plants deficiencies"
    first = findings[0]
    assert {"encounter", "kind", "severity", "message", "assignee"} <= set(first)
    code, out, err = himdesk_cli(database_url, "chart", "analyze", "--encounter",
                                 str(first["encounter"]), "--json")  # fmt: skip
    assert code == 0, err
    assert {f["encounter"] for f in json.loads(out)} == {first["encounter"]}


def test_an_unknown_encounter_is_a_clear_error(database_url: str) -> None:
    code, out, err = himdesk_cli(database_url, "chart", "analyze", "--encounter", "424242")
    assert code == 1 and out == ""
    assert "No discharged encounter 424242 was found." in err


@pytest.fixture
def analysed_stay(himdesk: Himdesk) -> int:
    """A discharged stay without its H&P, analysed (the command line's clock is real)."""
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        patient = build.patient()
        stay = build.inpatient_stay(patient, doctor)
        build.document(patient, stay, doctor)
        uow.commit()
    assert stay.id is not None
    with himdesk.unit_of_work() as uow:
        analyze_charts(uow, Actor(5, "hana", Role.HIT), stay.id)
    return stay.id


def test_chart_worklist_prints_the_lists_as_one_json_object(
    database_url: str, analysed_stay: int
) -> None:
    code, out, err = himdesk_cli(database_url, "chart", "worklist", "--json")
    assert code == 0, err
    found = json.loads(out)
    assert {"charts_to_analyze", "incomplete_charts", "open_deficiencies_by_age"} <= set(found)
    [chart] = found["charts_to_analyze"]
    assert (chart["encounter"], chart["mrn"], chart["open_deficiencies"]) == (
        analysed_stay, "M0000001", 1)  # fmt: skip
    assert chart["attending"] == "William Osler, MD" and found["charts_to_analyze_total"] == 1
    [row] = found["open_deficiencies_by_age"]
    assert row["kind"] == "missing_document" and row["total"] == 1
    assert list(row["counts"]) == found["age_bands"]


def test_chart_delinquency_prints_the_rate_per_clinician_and_service_as_json(
    database_url: str, analysed_stay: int
) -> None:
    code, out, err = himdesk_cli(database_url, "chart", "delinquency", "--json")
    assert code == 0, err
    found = json.loads(out)
    assert {"rate", "delinquent_records", "average_monthly_discharges", "flagged",
            "by_clinician", "by_service"} <= set(found)  # fmt: skip
    assert isinstance(found["flagged"], bool) and isinstance(found["by_service"], list)


def test_chart_complete_leaves_a_chart_with_open_deficiencies_incomplete(
    database_url: str, analysed_stay: int
) -> None:
    code, out, err = himdesk_cli(database_url, "chart", "complete", "--encounter",
                                 str(analysed_stay), "--json")  # fmt: skip
    assert code == 0, err
    found = json.loads(out)
    assert (found["encounter"], found["status"], found["completed_at"]) == (
        analysed_stay, "incomplete", None)  # fmt: skip
    assert found["reviewed_by"].startswith("cli:")
    code, out, err = himdesk_cli(database_url, "chart", "worklist", "--json")
    assert [c["encounter"] for c in json.loads(out)["incomplete_charts"]] == [analysed_stay]


def test_chart_complete_of_an_unknown_encounter_is_a_clear_error(database_url: str) -> None:
    code, out, err = himdesk_cli(database_url, "chart", "complete", "--encounter", "424242")
    assert code == 1 and out == ""
    assert "No discharged encounter 424242 was found." in err
