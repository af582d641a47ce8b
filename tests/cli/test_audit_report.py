"""`himdesk audit report` for a patient's accounting of access and for a user's review."""

from __future__ import annotations

import json

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.services.charts import open_chart
from himdesk.services.ports import User
from tests.cli.test_commands import himdesk_cli
from tests.fakes import ChartBuilder


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIMDESK_DEMO_MODE", "1")


@pytest.fixture
def one_access(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        patient = build.patient()
        user = uow.users.add(User(0, "cora", "Cora Diaz", Role.CODER, "x"))
        uow.commit()
    assert patient.id is not None
    with himdesk.unit_of_work() as uow:
        open_chart(uow, Actor(user.id, "cora", Role.CODER), patient.id)


def test_patient_report_lists_who_opened_the_chart(database_url: str, one_access: None) -> None:
    code, out, err = himdesk_cli(database_url, "audit", "report", "--patient", "M0000001")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["username"], r["action"]) for r in rows] == [("cora", "chart.read")]


def test_user_report_prints_csv(database_url: str, one_access: None) -> None:
    code, out, err = himdesk_cli(database_url, "audit", "report", "--user", "cora", "--csv")
    assert code == 0, err
    assert out.splitlines()[0].startswith("sequence,occurred_at,username")
    assert ",cora,coder,chart.read,success," in out


def test_the_report_needs_exactly_one_subject(database_url: str) -> None:
    code, _out, err = himdesk_cli(database_url, "audit", "report")
    assert code == 2 and "exactly one" in err
    code, _out, err = himdesk_cli(database_url, "audit", "report", "--user", "nobody")
    assert code == 1 and "No user nobody was found." in err
