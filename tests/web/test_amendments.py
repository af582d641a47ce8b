"""Amendment requests in the workstation: record, worklist, decide, and shown with the record."""

from __future__ import annotations

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.services.amendments import record_request
from tests.web.conftest import LogIn, csrf_of

CHANGE = "The summary says I have chest pain. I never had chest pain."


@pytest.fixture
def request_id(himdesk: Himdesk, seeded: dict[str, int]) -> int:
    """An open request against the other patient's signed discharge summary."""
    hit = Actor(user_id=1, username="hit", role=Role.HIT)
    subject = (seeded["other"], "document", seeded["other_doc"])
    with himdesk.unit_of_work() as uow:
        saved = record_request(uow, hit, subject, CHANGE, "2026-10-30")
    return saved.id or 0


def _open_requests(himdesk: Himdesk, patient_id: int) -> int:
    with himdesk.unit_of_work() as uow:
        return len(uow.amendments.list_for_patient(patient_id))


def test_a_technician_records_a_request_from_the_document_viewer(
    log_in: LogIn, seeded: dict[str, int]
) -> None:
    client = log_in("hit")
    viewer = f"/patients/{seeded['other']}/documents/{seeded['other_doc']}"
    new = (
        f"/patients/{seeded['other']}/amendments/new"
        f"?target=document&amp;target_id={seeded['other_doc']}"
    )
    assert new in client.get(viewer).text
    form = client.get(new.replace("&amp;", "&"))
    assert form.status_code == 200 and 'value="2026-11-02"' in form.text
    response = client.post(
        f"/patients/{seeded['other']}/amendments",
        data={
            "csrf_token": csrf_of(form.text),
            "target": "document",
            "target_id": str(seeded["other_doc"]),
            "requested_change": CHANGE,
            "received_on": "2026-11-02",
        },
    )
    assert response.status_code == 303
    case = client.get(response.headers["location"])
    assert "The request was recorded" in case.text and "2027-01-01" in case.text
    shown = client.get(viewer).text
    assert "Awaiting the HIM manager" in shown and "I never had chest pain" in shown


def test_a_request_with_bad_input_shows_field_errors_and_writes_nothing(
    log_in: LogIn, seeded: dict[str, int], himdesk: Himdesk
) -> None:
    client = log_in("hit")
    form = client.get(
        f"/patients/{seeded['other']}/amendments/new",
        params={"target": "document", "target_id": seeded["other_doc"]},
    )
    response = client.post(
        f"/patients/{seeded['other']}/amendments",
        data={
            "csrf_token": csrf_of(form.text),
            "target": "document",
            "target_id": str(seeded["other_doc"]),
            "requested_change": "   ",
            "received_on": "next week",
        },
    )
    assert response.status_code == 400
    assert "Nothing was saved" in response.text
    assert "This text is required." in response.text
    assert "as YYYY-MM-DD" in response.text
    assert _open_requests(himdesk, seeded["other"]) == 0


def test_the_managers_worklist_is_linked_from_home_and_lists_open_requests(
    log_in: LogIn, request_id: int
) -> None:
    client = log_in("him_manager")
    assert 'href="/amendments"' in client.get("/").text
    worklist = client.get("/amendments")
    assert worklist.status_code == 200
    assert f'href="/amendments/{request_id}"' in worklist.text
    assert "M0000002" in worklist.text and "2026-12-29" in worklist.text


def test_the_manager_accepts_and_the_viewer_shows_the_amendment(
    log_in: LogIn, seeded: dict[str, int], request_id: int
) -> None:
    client = log_in("him_manager")
    case = client.get(f"/amendments/{request_id}")
    response = client.post(
        f"/amendments/{request_id}/accept-document",
        data={"csrf_token": csrf_of(case.text), "amendment_text": "No chest pain per patient."},
    )
    assert response.status_code == 303
    viewer = client.get(f"/patients/{seeded['other']}/documents/{seeded['other_doc']}").text
    assert "version 2" in viewer and "Addendum — patient amendment request" in viewer
    assert "Accepted" in viewer and "amended as version 2" in viewer
    assert "The patient denies chest pain." in viewer  # the original text is kept


def test_a_denial_without_a_ground_shows_the_field_error_and_decides_nothing(
    log_in: LogIn, request_id: int
) -> None:
    client = log_in("him_manager")
    case = client.get(f"/amendments/{request_id}")
    response = client.post(
        f"/amendments/{request_id}/deny",
        data={"csrf_token": csrf_of(case.text), "ground": "", "disagreement": "x" * 6000},
    )
    assert response.status_code == 400
    assert "Choose the ground for the denial" in response.text
    assert "Keep this under 5000 characters" in response.text
    assert "Deny the request" in client.get(f"/amendments/{request_id}").text


def test_the_viewer_shows_a_denial_with_the_patients_disagreement(
    log_in: LogIn, seeded: dict[str, int], request_id: int
) -> None:
    client = log_in("him_manager")
    case = client.get(f"/amendments/{request_id}")
    response = client.post(
        f"/amendments/{request_id}/deny",
        data={
            "csrf_token": csrf_of(case.text),
            "ground": "accurate_and_complete",
            "explanation": "The attending confirmed the history as documented.",
            "disagreement": "I maintain that I never reported chest pain.",
            "rebuttal": "",
        },
    )
    assert response.status_code == 303
    viewer = log_in("coder").get(f"/patients/{seeded['other']}/documents/{seeded['other_doc']}")
    for shown in (
        "Denied",
        "Accurate and complete",
        "The attending confirmed",
        "statement of disagreement",
        "I maintain that I never reported chest pain.",
    ):
        assert shown in viewer.text, shown
    assert "Record an amendment request" not in viewer.text  # a coder may not record one


def test_a_demographics_request_from_the_history_is_accepted_as_a_correction(
    log_in: LogIn, seeded: dict[str, int]
) -> None:
    client = log_in("hit")
    history = f"/patients/{seeded['patient']}/history"
    assert "amendments/new?target=demographics" in client.get(history).text
    form = client.get(
        f"/patients/{seeded['patient']}/amendments/new",
        params={"target": "demographics", "target_id": seeded["patient"]},
    )
    recorded = client.post(
        f"/patients/{seeded['patient']}/amendments",
        data={"csrf_token": csrf_of(form.text), "target": "demographics",
              "target_id": str(seeded["patient"]), "requested_change": "I moved to 14 Elm St.",
              "received_on": "2026-11-01"},
    )  # fmt: skip
    case_url = recorded.headers["location"].split("?")[0]
    manager = log_in("him_manager")
    case = manager.get(case_url)
    fields = {
        "family_name": "Nguyen", "given_name": "Linh", "middle_name": "Thi",
        "birth_on": "1961-04-09", "sex": "F", "address_line": "14 Elm St", "city": "Springfield",
        "state": "MA", "postal_code": "01103", "phone": "(555) 010-0199", "ssn": "***-**-6789",
    }  # fmt: skip
    response = manager.post(
        f"{case_url}/accept-demographics",
        data={"csrf_token": csrf_of(case.text), "version": "1", **fields},
    )
    assert response.status_code == 303
    shown = manager.get(history).text
    assert "14 Elm St" in shown and "amended as version 2" in shown
    assert "Corrected: address line" in shown


def test_a_coder_may_not_record_and_a_technician_may_not_decide(
    log_in: LogIn, seeded: dict[str, int], request_id: int, himdesk: Himdesk
) -> None:
    coder = log_in("coder")
    token = csrf_of(coder.get("/").text)
    refused = coder.post(
        f"/patients/{seeded['other']}/amendments",
        data={"csrf_token": token, "target": "document", "target_id": str(seeded["other_doc"]),
              "requested_change": CHANGE, "received_on": "2026-11-02"},
    )  # fmt: skip
    assert refused.status_code == 403
    assert coder.get("/amendments").status_code == 403
    hit = log_in("hit")
    token = csrf_of(hit.get("/").text)
    denied = hit.post(
        f"/amendments/{request_id}/deny",
        data={"csrf_token": token, "ground": "accurate_and_complete"},
    )
    assert denied.status_code == 403
    assert "Deny the request" not in hit.get(f"/amendments/{request_id}").text
    assert _open_requests(himdesk, seeded["other"]) == 1


def test_accepting_with_an_empty_amendment_shows_the_error_and_changes_nothing(
    log_in: LogIn, seeded: dict[str, int], request_id: int, himdesk: Himdesk
) -> None:
    client = log_in("him_manager")
    case = client.get(f"/amendments/{request_id}")
    response = client.post(
        f"/amendments/{request_id}/accept-document",
        data={"csrf_token": csrf_of(case.text), "amendment_text": "  "},
    )
    assert response.status_code == 400
    assert 'id="e-amendment_text"' in response.text and "This text is required." in response.text
    with himdesk.unit_of_work() as uow:
        document = uow.chart.document(seeded["other_doc"])
    assert document is not None and document.version == 1


def test_a_request_form_for_an_unknown_kind_of_record_part_is_refused_clearly(
    log_in: LogIn, seeded: dict[str, int]
) -> None:
    page = log_in("hit").get(
        f"/patients/{seeded['other']}/amendments/new", params={"target": "x", "target_id": 1}
    )
    assert page.status_code == 400
    assert "Choose a document or the demographics." in page.text
