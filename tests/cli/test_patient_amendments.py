"""`himdesk patient show --json` lists amendment requests with their decisions."""

from __future__ import annotations

import json

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.domain.amendments import Denial
from himdesk.services.amendments import (
    accept_document_amendment,
    deny_request,
    record_request,
)
from tests.cli.test_commands import himdesk_cli
from tests.fakes import ChartBuilder

HIT = Actor(user_id=3, username="hana", role=Role.HIT)
MANAGER = Actor(user_id=8, username="mia", role=Role.HIM_MANAGER)


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIMDESK_DEMO_MODE", "1")


@pytest.fixture
def decided(himdesk: Himdesk) -> dict[str, int]:
    """One accepted request on the discharge summary, one denied on the demographics."""
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        patient = build.patient()
        note = build.document(patient, build.inpatient_stay(patient, doctor), doctor)
        uow.commit()
    pid, doc = patient.id or 0, note.id or 0
    with himdesk.unit_of_work() as uow:
        on_note = record_request(uow, HIT, (pid, "document", doc), "No chest pain.", "2026-10-01")
        on_demo = record_request(uow, HIT, (pid, "demographics", pid), "Wrong DOB.", "2026-10-02")
    with himdesk.unit_of_work() as uow:
        accept_document_amendment(uow, MANAGER, on_note.id or 0, "Denies chest pain.")
        denial = Denial("accurate_and_complete", "Birth certificate on file.", "It is wrong.")
        deny_request(uow, MANAGER, on_demo.id or 0, denial)
    return {"patient": pid, "document": doc, "accepted": on_note.id or 0, "denied": on_demo.id or 0}


def test_patient_show_json_lists_each_amendment_with_its_decision(
    database_url: str, decided: dict[str, int]
) -> None:
    code, out, err = himdesk_cli(database_url, "patient", "show", "M0000001", "--json")
    assert code == 0, err
    accepted, denied = json.loads(out)["amendments"]
    assert accepted["id"] == decided["accepted"]
    assert accepted["target"] == {"type": "document", "id": decided["document"]}
    assert (accepted["status"], accepted["amended_version"]) == ("accepted", 2)
    assert (accepted["received_on"], accepted["due_on"]) == ("2026-10-01", "2026-11-30")
    assert accepted["amendment_text"] == "Denies chest pain."
    assert denied["target"] == {"type": "demographics", "id": decided["patient"]}
    assert (denied["status"], denied["denial_ground"]) == ("denied", "accurate_and_complete")
    assert (denied["disagreement"], denied["rebuttal"]) == ("It is wrong.", None)
    assert denied["decided_by"] == "mia" and denied["requested_change"] == "Wrong DOB."


def test_a_patient_without_requests_shows_an_empty_list(
    database_url: str, himdesk: Himdesk
) -> None:
    with himdesk.unit_of_work() as uow:
        ChartBuilder(uow).patient()
        uow.commit()
    code, out, err = himdesk_cli(database_url, "patient", "show", "M0000001", "--json")
    assert code == 0, err
    assert json.loads(out)["amendments"] == []
