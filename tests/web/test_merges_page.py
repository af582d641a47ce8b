"""The patient merges page: the HIM manager reviews merges and undoes one with a reason."""

from __future__ import annotations

from fastapi.testclient import TestClient

from himdesk.bootstrap import Himdesk
from tests.fakes import ChartBuilder
from tests.merges import merge_example
from tests.web.conftest import LogIn, csrf_of


def _undo(client: TestClient, merge_id: str, reason: str) -> object:
    token = csrf_of(client.get("/merges").text)
    return client.post(f"/merges/{merge_id}/undo", data={"csrf_token": token, "reason": reason})


def test_the_manager_sees_each_merge_with_both_patients_what_moved_and_its_source(
    log_in: LogIn, himdesk: Himdesk
) -> None:
    merge_example(himdesk)
    client = log_in("him_manager")
    page = client.get("/merges")
    assert page.status_code == 200
    assert "M0000901 Abara, Tobenna T.</a>" in page.text and "M0000902 Abara, Tobi T." in page.text
    assert "1 encounter" in page.text and "1 encounters" not in page.text
    assert '<th scope="col">Source</th>' in page.text and "registration found twice" in page.text
    assert 'href="/merges"' in client.get("/").text


def test_undoing_a_merge_with_a_reason_gives_both_patients_their_charts_back(
    log_in: LogIn, himdesk: Himdesk
) -> None:
    merge_id = merge_example(himdesk)["merge_id"]
    client = log_in("him_manager")
    response = _undo(client, merge_id, "Father and son, not one man")
    assert response.status_code == 303 and response.headers["location"] == "/merges?undone=1"
    page = client.get("/merges?undone=1")
    assert "The merge was undone" in page.text and "Father and son, not one man" in page.text
    assert "Undo merge" not in page.text


def test_an_undo_without_a_reason_is_refused_on_the_page_and_changes_nothing(
    log_in: LogIn, himdesk: Himdesk
) -> None:
    merge_id = merge_example(himdesk)["merge_id"]
    client = log_in("him_manager")
    response = _undo(client, merge_id, "  ")
    assert response.status_code == 400
    assert "Give the reason for undoing the merge." in response.text
    assert "Undo merge" in client.get("/merges").text


def test_an_unsafe_undo_is_refused_with_what_stands_in_the_way(
    log_in: LogIn, himdesk: Himdesk
) -> None:
    merge_id = merge_example(himdesk)["merge_id"]
    with himdesk.unit_of_work() as uow:
        survivor = uow.patients.find_by_mrn("M0000901")
        assert survivor is not None and survivor.id is not None
        stay = next(e for e in uow.chart.encounters(survivor.id) if e.account_number == "A902")
        build = ChartBuilder(uow)
        build.document(survivor, stay, build.clinician("Lister", npi="1000000092"), signed=False)
        uow.commit()
    response = _undo(log_in("him_manager"), merge_id, "Not the same man")
    assert response.status_code == 409
    assert "were filed since to encounters that came with the merge" in response.text


def test_an_undo_without_the_forms_token_is_refused(log_in: LogIn, himdesk: Himdesk) -> None:
    merge_id = merge_example(himdesk)["merge_id"]
    client = log_in("him_manager")
    response = client.post(f"/merges/{merge_id}/undo", data={"reason": "No token"})
    assert response.status_code == 403 and "Form expired" in response.text


def test_the_chart_of_a_merged_patient_says_where_its_record_went(
    log_in: LogIn, himdesk: Himdesk
) -> None:
    merge_example(himdesk)
    with himdesk.unit_of_work() as uow:
        merged = uow.patients.find_by_mrn("M0000902")
    assert merged is not None
    page = log_in("him_manager").get(f"/patients/{merged.id}")
    assert page.status_code == 200
    assert "This patient was merged into MRN" in page.text and "M0000901" in page.text
