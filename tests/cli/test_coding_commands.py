"""`himdesk coding worklist`: the discharged encounters to code as one JSON document."""

from __future__ import annotations

import json

import pytest

from himdesk.bootstrap import Himdesk
from tests.cli.test_commands import himdesk_cli
from tests.fakes import ChartBuilder


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIMDESK_DEMO_MODE", "1")


@pytest.fixture
def stay(himdesk: Himdesk) -> int:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        encounter = build.inpatient_stay(build.patient(), build.clinician())
        uow.commit()
    assert encounter.id is not None
    return encounter.id


def test_the_worklist_prints_the_encounters_to_code_as_json(database_url: str, stay: int) -> None:
    code, out, err = himdesk_cli(database_url, "coding", "worklist", "--json")
    assert code == 0, err
    found = json.loads(out)
    assert (found["total"], found["page"]) == (1, 1)
    first = found["encounters"][0]
    assert first.pop("days_since_discharge") >= 0  # the command line's clock is real
    assert first == {
        "encounter": stay, "account": "A1", "mrn": "M0000001", "patient": "Nguyen, Linh",
        "age": 65, "sex": "F", "type": "inpatient", "attending": "William Osler, MD",
        "discharged_on": "2026-11-01", "status": "not_started",
    }  # fmt: skip
    code, out, err = himdesk_cli(database_url, "coding", "worklist", "--type", "emergency",
                                 "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["encounters"] == []


def test_an_unknown_filter_is_a_clear_error(database_url: str) -> None:
    code, out, err = himdesk_cli(database_url, "coding", "worklist", "--status", "done")
    assert code == 1 and out == ""
    assert "--status must be one of not_started, in_progress, reopened" in err
