"""Opening charts and documents through the services, on every backend."""

from __future__ import annotations

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.services.access_history import access_history
from himdesk.services.charts import open_chart, read_document
from himdesk.services.errors import NotFound
from tests.fakes import ChartBuilder

CODER = Actor(user_id=7, username="cora", role=Role.CODER, client_address="10.0.0.7")
MANAGER = Actor(user_id=8, username="mia", role=Role.HIM_MANAGER, client_address="10.0.0.8")
ANALYST = Actor(user_id=9, username="ana", role=Role.ANALYST)


@pytest.fixture
def chart_ids(himdesk: Himdesk) -> dict[str, int]:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        patient = build.patient()
        stay = build.inpatient_stay(patient, doctor)
        doc = build.document(patient, stay, doctor)
        build.sodium(patient, stay, "128", hours_ago=30)
        build.sodium(patient, stay, "133", hours_ago=6)
        build.allergy(patient)
        other = build.patient(mrn="M0000002", family="Okafor", given="Chidi", ssn="")
        other_stay = build.inpatient_stay(other, doctor, account="A2")
        other_doc = build.document(other, other_stay, doctor)
        uow.commit()
    assert patient.id and doc.id and other.id and other_doc.id
    return {"patient": patient.id, "document": doc.id, "other": other.id, "other_doc": other_doc.id}


def test_opening_a_chart_shows_the_whole_record_with_ssn_masked_for_a_coder(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        chart = open_chart(uow, CODER, chart_ids["patient"])
    assert chart.patient.mrn == "M0000001"
    assert chart.ssn_shown == "***-**-6789"
    assert [a.substance for a in chart.banner.allergies] == ["Penicillin"]
    assert len(chart.encounters) == 1 and len(chart.documents) == 1
    assert [str(o.value) for o in chart.results_by_test["2951-2"]] == ["128.000", "133.000"]


def test_a_coder_sees_city_and_state_but_not_the_street_address_or_phone(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        chart = open_chart(uow, CODER, chart_ids["patient"])
    assert (chart.address_shown, chart.phone_shown) == ("Springfield, MA", "")


def test_him_manager_sees_the_full_ssn(himdesk: Himdesk, chart_ids: dict[str, int]) -> None:
    with himdesk.unit_of_work() as uow:
        chart = open_chart(uow, MANAGER, chart_ids["patient"])
    assert chart.ssn_shown == "123-45-6789"
    assert chart.address_shown == "12 Elm St, Springfield, MA 01103"


def test_every_chart_open_writes_one_audit_event_with_who_where_and_why(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        before = uow.audit.count()
        open_chart(uow, CODER, chart_ids["patient"])
    with himdesk.unit_of_work() as uow:
        assert uow.audit.count() == before + 1
        event = uow.audit.list_for_patient(chart_ids["patient"], 1)[0].entry
    assert (event.username, event.role, event.action) == ("cora", "coder", "chart.read")
    assert (event.client_address, event.purpose) == ("10.0.0.7", "HPAYMT")


def test_analyst_is_refused_the_chart_and_the_refusal_is_audited(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        open_chart(uow, ANALYST, chart_ids["patient"])
    with himdesk.unit_of_work() as uow:
        event = uow.audit.list_for_patient(chart_ids["patient"], 1)[0].entry
    assert (event.username, event.outcome) == ("ana", "denied")


def test_a_document_of_another_patient_is_refused_and_audited(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(NotFound):
        read_document(uow, CODER, chart_ids["patient"], chart_ids["other_doc"])
    with himdesk.unit_of_work() as uow:
        event = uow.audit.list_for_patient(chart_ids["patient"], 1)[0].entry
    assert (event.action, event.outcome) == ("document.read", "not-found")


def test_unknown_patient_is_not_found(himdesk: Himdesk, chart_ids: dict[str, int]) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(NotFound, match="No patient 99999"):
        open_chart(uow, CODER, 99999)


def test_access_history_lists_who_opened_the_chart_and_is_itself_audited(
    himdesk: Himdesk, chart_ids: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        open_chart(uow, CODER, chart_ids["patient"])
        read_document(uow, CODER, chart_ids["patient"], chart_ids["document"])
    with himdesk.unit_of_work() as uow:
        events = access_history(uow, MANAGER, chart_ids["patient"]).events
    assert [(e.entry.username, e.entry.action) for e in events] == [
        ("cora", "document.read"),
        ("cora", "chart.read"),
    ]
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        access_history(uow, CODER, chart_ids["patient"])
