"""The workstation through HTTP: login, search, chart, documents, corrections, errors."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from himdesk.bootstrap import Himdesk
from himdesk.services.imports import import_submission
from tests.fakes import FakeClock
from tests.submissions import IMPORTER, a_chart, a_patient, a_submission
from tests.web.conftest import PASSWORD, LogIn, csrf_of


def test_pages_need_a_login(client: TestClient, seeded: dict[str, int]) -> None:
    response = client.get(f"/patients/{seeded['patient']}")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/patients/")


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client: TestClient, seeded: dict[str, int]
) -> None:
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"username": "hit", "password": "nope-nope-nope", "csrf_token": csrf_of(form.text)},
    )
    assert response.status_code == 401
    assert "The username or password is not right." in response.text


def test_login_without_its_csrf_token_is_refused(
    client: TestClient, seeded: dict[str, int]
) -> None:
    client.get("/login")
    response = client.post(
        "/login", data={"username": "hit", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 403
    assert "security token" in response.text


def test_home_page_shows_the_roles_worklists(log_in: LogIn) -> None:
    page = log_in("coder").get("/")
    assert page.status_code == 200
    assert "Coding worklist" in page.text


def test_search_links_to_the_chart(log_in: LogIn, seeded: dict[str, int]) -> None:
    page = log_in("hit").get("/patients", params={"q": "Nguen, Linh"})
    assert page.status_code == 200
    assert f'href="/patients/{seeded["patient"]}"' in page.text


def test_the_chart_shows_banner_allergy_free_results_and_document_list(
    log_in: LogIn, seeded: dict[str, int]
) -> None:
    page = log_in("coder").get(f"/patients/{seeded['patient']}")
    assert page.status_code == 200
    for expected in (
        "M0000001",
        "1961-04-09",
        "None recorded",  # an empty allergy list is not "no known allergies"
        "Sodium",
        "Discharge summary",
        "***-**-6789",
        "<polyline",
    ):
        assert expected in page.text, expected
    assert "123-45-6789" not in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_a_document_opens_in_the_viewer(log_in: LogIn, seeded: dict[str, int]) -> None:
    page = log_in("hit").get(f"/patients/{seeded['patient']}/documents/{seeded['document']}")
    assert page.status_code == 200
    assert "left knee pain" in page.text


def test_changing_the_patient_in_the_url_does_not_reveal_another_patients_document(
    log_in: LogIn, seeded: dict[str, int]
) -> None:
    page = log_in("hit").get(f"/patients/{seeded['patient']}/documents/{seeded['other_doc']}")
    assert page.status_code == 404
    assert "Discharge summary" not in page.text


def test_an_unknown_patient_gets_a_friendly_not_found_page(log_in: LogIn) -> None:
    page = log_in("hit").get("/patients/424242")
    assert page.status_code == 404
    assert "No patient 424242 was found." in page.text
    assert "Traceback" not in page.text


def test_a_non_numeric_patient_id_gets_a_friendly_error(log_in: LogIn) -> None:
    page = log_in("hit").get("/patients/abc")
    assert page.status_code == 400
    assert "Request not understood" in page.text
    assert "patient_id: Input should be a valid integer" in page.text


def test_an_analyst_is_refused_the_chart(log_in: LogIn, seeded: dict[str, int]) -> None:
    page = log_in("analyst").get(f"/patients/{seeded['patient']}")
    assert page.status_code == 403
    assert "may not" in page.text


def test_correcting_demographics_saves_a_new_version(log_in: LogIn, seeded: dict[str, int]) -> None:
    client = log_in("hit")
    url = f"/patients/{seeded['patient']}/demographics"
    form = client.get(url)
    response = client.post(
        url,
        data={
            "csrf_token": csrf_of(form.text),
            "version": "1",
            "family_name": "Nguyen",
            "given_name": "Linh",
            "middle_name": "T",
            "birth_on": "1961-04-09",
            "sex": "F",
            "address_line": "14 Elm St",
            "city": "Springfield",
            "state": "MA",
            "postal_code": "01103",
            "phone": "555 010 0199",
            "ssn": "***-**-6789",
            "reason": "Patient reported new address",
        },
    )
    assert response.status_code == 303
    history = client.get(response.headers["location"])
    assert "14 Elm St" in history.text and "Patient reported new address" in history.text


def test_bad_demographics_show_field_errors_and_save_nothing(
    log_in: LogIn, seeded: dict[str, int], himdesk: Himdesk
) -> None:
    client = log_in("hit")
    url = f"/patients/{seeded['patient']}/demographics"
    form = client.get(url)
    response = client.post(
        url,
        data={
            "csrf_token": csrf_of(form.text),
            "version": "1",
            "family_name": "X" * 5000,
            "given_name": "",
            "birth_on": "yesterday",
            "sex": "Q",
            "reason": "",
        },
    )
    assert response.status_code == 400
    for message in (
        "Names are at most 60 characters",
        "This name is required",
        "YYYY-MM-DD",
        "Choose F, M, O or U",
        "Give the reason",
    ):
        assert message in response.text
    with himdesk.unit_of_work() as uow:
        assert uow.patients.get(seeded["patient"]).version == 1


def test_a_form_posted_without_the_session_csrf_token_is_refused(
    log_in: LogIn, seeded: dict[str, int]
) -> None:
    response = log_in("hit").post(
        f"/patients/{seeded['patient']}/demographics", data={"csrf_token": "forged", "version": "1"}
    )
    assert response.status_code == 403


def test_a_coder_cannot_post_a_demographics_correction(
    log_in: LogIn, seeded: dict[str, int]
) -> None:
    client = log_in("coder")
    token = csrf_of(client.get("/").text)
    response = client.post(
        f"/patients/{seeded['patient']}/demographics",
        data={
            "csrf_token": token,
            "version": "1",
            "family_name": "Hacked",
            "given_name": "A",
            "birth_on": "1961-04-09",
            "sex": "F",
            "reason": "x",
        },
    )
    assert response.status_code == 403


def test_access_history_shows_who_looked(log_in: LogIn, seeded: dict[str, int]) -> None:
    log_in("coder").get(f"/patients/{seeded['patient']}")
    page = log_in("privacy_officer").get(f"/patients/{seeded['patient']}/access-history")
    assert page.status_code == 200
    assert "coder" in page.text and "chart.read" in page.text


def test_an_idle_session_is_logged_off(
    log_in: LogIn, seeded: dict[str, int], clock: FakeClock
) -> None:
    client = log_in("hit")
    clock.advance(minutes=16)
    response = client.get("/")
    assert response.status_code == 303
    assert "idle=1" in response.headers["location"]


def test_a_clinician_signs_their_draft(log_in: LogIn, seeded: dict[str, int]) -> None:
    client = log_in("clinician")
    url = f"/patients/{seeded['patient']}/documents/{seeded['document']}"
    token = csrf_of(client.get(url).text)
    assert client.post(f"{url}/sign", data={"csrf_token": token}).status_code == 303
    assert "signed" in client.get(url).text


def test_logging_out_ends_the_session(log_in: LogIn) -> None:
    client = log_in("hit")
    token = csrf_of(client.get("/").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/").status_code == 303


def test_an_amendment_keeps_the_signed_original_as_an_earlier_version(
    log_in: LogIn, seeded: dict[str, int]
) -> None:
    client = log_in("clinician")
    url = f"/patients/{seeded['patient']}/documents/{seeded['document']}"
    token = csrf_of(client.get(url).text)
    client.post(f"{url}/sign", data={"csrf_token": token})
    response = client.post(
        f"{url}/amend",
        data={
            "csrf_token": token,
            "text": "H&P: RIGHT knee pain. Denies fever.",
            "reason": "Laterality corrected",
        },
    )
    assert response.status_code == 303
    page = client.get(url).text
    assert "RIGHT knee pain" in page and "amended" in page and "version 2" in page
    assert "Laterality corrected" in page and "left knee pain" in page


def test_an_amendment_without_a_reason_is_refused(log_in: LogIn, seeded: dict[str, int]) -> None:
    client = log_in("clinician")
    url = f"/patients/{seeded['patient']}/documents/{seeded['document']}"
    token = csrf_of(client.get(url).text)
    client.post(f"{url}/sign", data={"csrf_token": token})
    response = client.post(f"{url}/amend", data={"csrf_token": token, "text": "new", "reason": " "})
    assert response.status_code == 409
    assert "Give the reason" in response.text


def test_an_oversize_search_names_the_field_and_the_limit(log_in: LogIn) -> None:
    page = log_in("hit").get("/patients", params={"q": "x" * 500})
    assert page.status_code == 400
    assert "q: String should have at most 200 characters" in page.text


def test_an_unexpected_failure_is_a_friendly_page_and_logs_no_patient_data(
    log_in: LogIn, seeded: dict[str, int], monkeypatch, caplog
) -> None:
    client = log_in("hit")

    def broken(*_args: object) -> None:
        raise RuntimeError("Nguyen, Linh 123-45-6789")

    monkeypatch.setattr("himdesk.web.routes.chart.open_chart", broken)
    page = client.get(f"/patients/{seeded['patient']}")
    assert page.status_code == 500
    assert "Something went wrong" in page.text and "Nguyen" not in page.text.split("<main")[1]
    assert "RuntimeError" in caplog.text
    assert "Nguyen" not in caplog.text and "6789" not in caplog.text


def test_signing_another_patients_document_through_an_edited_form_is_refused_and_audited(
    log_in: LogIn, seeded: dict[str, int], himdesk: Himdesk
) -> None:
    client = log_in("clinician")
    token = csrf_of(client.get("/").text)
    url = f"/patients/{seeded['patient']}/documents/{seeded['other_doc']}/sign"
    assert client.post(url, data={"csrf_token": token}).status_code == 404
    with himdesk.unit_of_work() as uow:
        last = uow.audit.list_for_patient(seeded["patient"], 1)[0].entry
    assert (last.action, last.outcome, last.object_id) == (
        "document.sign",
        "not-found",
        str(seeded["other_doc"]),
    )


@pytest.mark.parametrize(
    "path",
    ["/patients/99999999999999999999", "/patients/1/documents/99999999999999999999",
     "/amendments/99999999999999999999", "/patients/0"],
)  # fmt: skip
def test_ids_outside_the_database_range_get_a_clear_400(log_in: LogIn, path: str) -> None:
    page = log_in("him_manager").get(path)
    assert page.status_code == 400
    assert "Request not understood" in page.text


def test_an_unknown_patient_in_a_privacy_form_is_not_found_not_a_crash(log_in: LogIn) -> None:
    client = log_in("privacy_officer")
    token = csrf_of(client.get("/").text)
    response = client.post(
        "/patients/999999/access",
        data={"csrf_token": token, "reason": "A sufficiently long reason"},
    )
    assert response.status_code == 404
    assert client.get("/patients/999999/access-report.csv").status_code == 404


@pytest.fixture
def received_chart(himdesk: Himdesk, seeded: dict[str, int]) -> dict[str, int]:
    """A stay with every part received from another organisation (FHIR R4), a result without
    a reference range among them, and the record number the sender knows the patient by."""
    with himdesk.unit_of_work() as uow:
        outcome = import_submission(uow, IMPORTER, a_submission(a_chart(a_patient(mrn="X77"))))
    patient = outcome.patient_ids[0]
    with himdesk.unit_of_work() as uow:
        (stay,) = uow.chart.encounters(patient)
        (document,) = uow.chart.document_headers(patient)
    return {"patient": patient, "encounter": stay.id or 0, "document": document.id or 0}


def test_a_received_chart_marks_each_part_with_its_sender(
    log_in: LogIn, received_chart: dict[str, int]
) -> None:
    page = log_in("hit").get(f"/patients/{received_chart['patient']}").text
    # encounter, document, result, diagnosis, procedure, medication
    assert page.count("Received · FHIR R4") == 6
    assert "urn:fhir" not in page


def test_the_hospitals_own_chart_carries_no_received_mark(
    log_in: LogIn, seeded: dict[str, int], received_chart: dict[str, int]
) -> None:
    page = log_in("hit").get(f"/patients/{seeded['patient']}").text
    assert "Received ·" not in page
    assert f'href="/encounters/{seeded["encounter"]}/analysis"' in page


def test_a_received_stay_offers_no_completeness_analysis(
    log_in: LogIn, received_chart: dict[str, int]
) -> None:
    client = log_in("hit")
    chart = client.get(f"/patients/{received_chart['patient']}").text
    assert "Completeness analysis" not in chart
    analysis = client.get(f"/encounters/{received_chart['encounter']}/analysis")
    assert analysis.status_code == 200
    assert "filed as received, not analysed" in analysis.text
    assert "Filed, not analysed" in analysis.text
    assert "Re-run analysis" not in analysis.text
    assert "Complete analysis</button>" not in analysis.text


def test_a_result_without_a_reference_range_shows_a_dash_not_a_bare_unit(
    log_in: LogIn, received_chart: dict[str, int]
) -> None:
    page = log_in("coder").get(f"/patients/{received_chart['patient']}").text
    row = page.split("Sodium", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert cells[2].strip() == "—"  # Latest, Flag, Reference


def test_a_received_document_names_its_sender_in_the_viewer(
    log_in: LogIn, received_chart: dict[str, int]
) -> None:
    url = f"/patients/{received_chart['patient']}/documents/{received_chart['document']}"
    assert "Received · FHIR R4" in log_in("hit").get(url).text


def test_other_systems_record_numbers_are_shown_to_him_staff_but_not_to_coders(
    log_in: LogIn, received_chart: dict[str, int]
) -> None:
    url = f"/patients/{received_chart['patient']}"
    shown = log_in("hit").get(url).text
    assert "Record numbers elsewhere" in shown and "X77" in shown
    assert "urn:oid:2.16.840.1.99" in shown
    hidden = log_in("coder").get(url).text
    assert "X77" not in hidden and "Record numbers elsewhere" not in hidden
