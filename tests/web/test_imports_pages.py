"""The import pages: upload and report, held imports decided side by side, rejections handled."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from himdesk.bootstrap import Himdesk
from tests.submissions import queue_examples
from tests.web.conftest import LogIn, csrf_of

BUNDLE = json.dumps({
    "resourceType": "Bundle", "type": "collection",
    "entry": [{"fullUrl": "urn:uuid:6f1e3b4a-1c8e-4a52-9d3e-5b6f7a8b9c0d", "resource": {
        "resourceType": "Patient", "id": "6f1e3b4a-1c8e-4a52-9d3e-5b6f7a8b9c0d",
        "name": [{"family": "Halvorsen", "given": ["Ingrid"]}], "gender": "female",
        "birthDate": "1949-07-21",
    }}],
}).encode()  # fmt: skip


@pytest.fixture
def queued(himdesk: Himdesk, seeded: dict[str, int]) -> dict[str, str]:
    return queue_examples(himdesk)


def upload(client: TestClient, *files: tuple[str, bytes]) -> object:
    token = csrf_of(client.get("/imports").text)
    return client.post("/imports", data={"csrf_token": token},
                       files=[("files", (name, content)) for name, content in files])  # fmt: skip


def test_an_uploaded_bundle_is_imported_and_reported(log_in: LogIn) -> None:
    client = log_in("hit")
    assert 'href="/imports"' in client.get("/").text
    response = upload(client, ("halvorsen.json", BUNDLE))
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    page = response.text  # type: ignore[attr-defined]
    assert "Everything was imported" in page and "<dt>Imported</dt><dd>1</dd>" in page


def test_a_file_of_no_known_format_is_reported_rejected_and_queued(log_in: LogIn) -> None:
    client = log_in("him_manager")
    response = upload(client, ("scan.pdf", b"%PDF-1.7 not a record"))
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "is not a FHIR R4 JSON, HL7 v2 or C-CDA file" in response.text  # type: ignore[attr-defined]
    assert "scan.pdf" in client.get("/imports/rejections").text


def test_an_empty_upload_asks_for_files(log_in: LogIn) -> None:
    client = log_in("hit")
    token = csrf_of(client.get("/imports").text)
    response = client.post("/imports", data={"csrf_token": token})
    assert response.status_code == 400
    assert 'class="field-error"' in response.text and "Choose one or more files" in response.text


def test_roles_that_do_not_import_see_no_imports_link(log_in: LogIn) -> None:
    assert 'href="/imports"' not in log_in("coder").get("/").text


def test_a_held_import_is_compared_side_by_side_and_linked(
    log_in: LogIn, queued: dict[str, str], seeded: dict[str, int]
) -> None:
    client = log_in("hit")
    hold = f"/imports/holds/{queued['hold_id']}"
    assert hold in client.get("/imports/holds").text
    page = client.get(hold).text
    assert "Nguyen, Mai" in page and "Nguyen, Linh" in page and "same birth date" in page
    token = csrf_of(page)
    chosen = {"csrf_token": token, "decision": "import", "chart_0": str(seeded["patient"])}
    response = client.post(hold, data=chosen)
    assert response.status_code == 303, response.text
    assert hold not in client.get("/imports/holds").text
    again = client.post(hold, data=chosen)
    assert again.status_code == 409 and "already resolved by hit" in again.text


def test_a_hold_decision_without_a_choice_names_the_chart(
    log_in: LogIn, queued: dict[str, str]
) -> None:
    client = log_in("him_manager")
    hold = f"/imports/holds/{queued['hold_id']}"
    token = csrf_of(client.get(hold).text)
    response = client.post(hold, data={"csrf_token": token, "decision": "import"})
    assert response.status_code == 400 and 'id="e-chart_0"' in response.text


def test_a_held_import_can_be_discarded(log_in: LogIn, queued: dict[str, str]) -> None:
    client = log_in("him_manager")
    hold = f"/imports/holds/{queued['hold_id']}"
    token = csrf_of(client.get(hold).text)
    response = client.post(hold, data={"csrf_token": token, "decision": "discard"})
    assert response.status_code == 303
    assert "discarded" in client.get(hold).text


@pytest.mark.parametrize(("path", "status"), [("/imports/holds/999999", 404),
                                              ("/imports/holds/abc", 400),
                                              ("/imports/rejections/999999", 404)])  # fmt: skip
def test_an_unknown_or_malformed_queue_id_is_a_clear_error(
    log_in: LogIn, path: str, status: int
) -> None:
    response = log_in("hit").get(path)
    assert response.status_code == status and 'class="notice error"' in response.text


def test_a_rejection_shows_what_arrived_and_is_marked_handled(
    log_in: LogIn, queued: dict[str, str]
) -> None:
    client = log_in("hit")
    path = f"/imports/rejections/{queued['rejection_id']}"
    assert path in client.get("/imports/rejections").text
    page = client.get(path).text
    assert "PID-7: not a date" in page and "MSH|^~\\&amp;|LAB|X" in page
    response = client.post(path, data={"csrf_token": csrf_of(page), "note": "Lab resent it."})
    assert response.status_code == 303
    assert path not in client.get("/imports/rejections").text
    again = client.post(path, data={"csrf_token": csrf_of(page), "note": "Twice."})
    assert again.status_code == 409
