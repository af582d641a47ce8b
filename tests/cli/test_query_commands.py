"""`himdesk query escalate | metrics | list` print one JSON document each."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.services.completeness import analyze_charts
from himdesk.services.queries import send_query, start_query
from himdesk.services.query_answers import answer_query
from tests.cli.test_commands import himdesk_cli
from tests.fakes import T0, ChartBuilder, FakeClock

HIT = Actor(user_id=5, username="hana", role=Role.HIT)


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIMDESK_DEMO_MODE", "1")


@pytest.fixture
def two_queries(himdesk: Himdesk, clock: FakeClock) -> dict[str, int]:
    """One query answered, one sent long ago and never answered (the CLI runs on real time)."""
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        patient = build.patient()
        stay = build.inpatient_stay(patient, doctor)
        build.sodium(patient, stay, "127", 30)
        uow.commit()
    assert stay.id is not None
    with himdesk.unit_of_work() as uow:
        analyze_charts(uow, HIT, stay.id)
        [finding] = [t for t in uow.chart_reviews.history(stay.id) if t.deficiency.evidence]
    ids = {}
    for name, sent_at in (("answered", T0), ("forgotten", T0 - timedelta(days=400))):
        clock.now = sent_at
        with himdesk.unit_of_work() as uow:
            form = start_query(uow, HIT, stay.id, finding.id).form()
            # One query waits per deficiency: the forgotten one is about the stay in general.
            about = finding.id if name == "answered" else ""
            form = replace(form, deficiency_id=str(about))
            ids[name] = send_query(uow, HIT, stay.id, form).id or 0
    clock.now = T0 + timedelta(hours=3)
    with himdesk.unit_of_work() as uow:
        osler = Actor(9, "osler", Role.CLINICIAN, clinician_id=doctor.id)
        answer_query(uow, osler, ids["answered"], "Hyponatremia", "")
    return ids


def test_query_metrics_prints_one_json_object(
    database_url: str, two_queries: dict[str, int]
) -> None:
    code, out, err = himdesk_cli(database_url, "query", "metrics", "--json")
    assert code == 0, err
    metrics = json.loads(out)
    assert (metrics["sent"], metrics["answered"]) == (2, 1)
    assert metrics["response_hours"] == {"median": 3.0, "mean": 3.0}
    assert metrics["outcomes"]["agreed"] == {"count": 1, "percent": 50.0}
    assert metrics["outcomes"]["no_response"] == {"count": 1, "percent": 50.0}
    assert metrics["coding_changed"] == {"count": 1, "percent": 100.0}


def test_query_list_prints_the_queries_and_filters_by_status(
    database_url: str, two_queries: dict[str, int]
) -> None:
    code, out, err = himdesk_cli(database_url, "query", "list", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [two_queries["forgotten"], two_queries["answered"]]
    assert {"id", "encounter", "mrn", "addressee", "status", "due_at", "outcome"} <= set(rows[0])
    code, out, err = himdesk_cli(database_url, "query", "list", "--status", "answered", "--json")
    assert code == 0, err
    [answered] = json.loads(out)
    assert (answered["outcome"], answered["coding_changed"]) == ("agreed", True)


def test_an_unknown_status_is_a_clear_error(database_url: str, two_queries: dict[str, int]) -> None:
    code, out, err = himdesk_cli(database_url, "query", "list", "--status", "late", "--json")
    assert code == 1 and out == ""
    assert "status: Choose open, overdue, escalated or answered." in err


def test_query_escalate_escalates_each_overdue_query_once(
    database_url: str, two_queries: dict[str, int]
) -> None:
    code, out, err = himdesk_cli(database_url, "query", "escalate", "--json")
    assert code == 0, err
    [escalated] = json.loads(out)
    assert escalated["id"] == two_queries["forgotten"] and escalated["status"] == "escalated"
    assert escalated["escalated_to"] == escalated["attending"]
    code, out, err = himdesk_cli(database_url, "query", "escalate", "--json")
    assert (code, json.loads(out)) == (0, [])
