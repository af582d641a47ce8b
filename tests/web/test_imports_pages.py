"""The import pages: upload and report, held imports decided side by side, rejections handled."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.services.access_control import restrict_patient
from himdesk.web.routes import imports as imports_routes
from tests.hl7_feed import adt, merge
from tests.submissions import queue_examples
from tests.web.conftest import LogIn, csrf_of

MANAGER = Actor(user_id=1, username="mia", role=Role.HIM_MANAGER)

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


def test_the_report_lists_each_message_with_its_patient_or_its_rejection(
    log_in: LogIn, seeded: dict[str, int]
) -> None:
    feed = adt("A01", "C1", ssn="") + adt("A08", "C2", birth="") + merge("C3", "MRN1001", "MRN7777")
    response = upload(log_in("hit"), ("feed.hl7", feed))
    assert response.status_code == 422  # type: ignore[attr-defined]
    rows = _rows(response.text)  # type: ignore[attr-defined]
    assert f'<a href="/patients/{seeded["patient"]}">M0000001 Nguyen, Linh T.</a>' in rows[0]
    assert "feed.hl7 message 1" in rows[0] and "imported" in rows[0]
    assert "feed.hl7 message 2" in rows[1] and "rejected" in rows[1] and "PID-7" in rows[1]
    assert "rejected" in rows[2] and 'href="/imports/rejections/' in rows[2]


def test_a_rejected_message_is_queued_alone_with_its_type_and_control_id(
    log_in: LogIn, seeded: dict[str, int]
) -> None:
    client = log_in("hit")
    feed = adt("A01", "C1", ssn="") + adt("A08", "C2", birth="") + merge("C3", "MRN1001", "MRN7777")
    rows = _rows(upload(client, ("feed.hl7", feed)).text)  # type: ignore[attr-defined]
    read_refused, applied_refused = (_rejection_page(client, row) for row in rows[1:])
    assert "ADT^A08" in read_refused and "<dd>C2</dd>" in read_refused
    assert "|C2|" in read_refused and "|C1|" not in read_refused and "MRG|" not in read_refused
    assert "ADT^A40" in applied_refused and "<dd>C3</dd>" in applied_refused
    assert "MRG|" in applied_refused and "|C1|" not in applied_refused


def test_a_restricted_patient_is_named_in_the_report_by_mrn_only(
    log_in: LogIn, himdesk: Himdesk, seeded: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        restrict_patient(uow, MANAGER, seeded["patient"], "vip", "Member of the board")
    page = upload(log_in("hit"), ("adt.hl7", adt("A01", "C1", ssn=""))).text  # type: ignore[attr-defined]
    assert "MRN M0000001</a>" in page and "restricted record" in page
    assert "Nguyen" not in page
    assert (
        "M0000001 Nguyen, Linh"
        in upload(log_in("him_manager"), ("again.hl7", adt("A08", "C9", ssn=""))).text
    )  # type: ignore[attr-defined]


def test_a_long_report_lists_the_first_lines_and_counts_the_rest(
    log_in: LogIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports_routes, "SHOWN_LINES", 2)
    feed = b"".join(adt("A01", f"C{n}", mrn=f"MRN{n}", ssn="", visit=f"V{n}") for n in range(3))
    page = upload(log_in("hit"), ("feed.hl7", feed)).text  # type: ignore[attr-defined]
    assert len(_rows(page)) == 2 and "2 of 3 shown; the other 1 are counted" in page


def test_a_handled_rejection_is_confirmed_and_listed_among_the_handled(
    log_in: LogIn, queued: dict[str, str]
) -> None:
    client = log_in("hit")
    path = f"/imports/rejections/{queued['rejection_id']}"
    token = csrf_of(client.get(path).text)
    response = client.post(path, data={"csrf_token": token, "note": "Lab resent it."})
    assert response.headers["location"] == f"/imports/rejections?handled={queued['rejection_id']}"
    confirmed = client.get(response.headers["location"]).text
    assert "was marked handled" in confirmed and f'href="{path}"' in confirmed
    assert f'<a href="{path}">feed.hl7' not in confirmed  # no longer open
    for show in ("handled", "all"):
        listed = client.get(f"/imports/rejections?show={show}").text
        assert f'<a href="{path}">' in listed and "Lab resent it." in listed


@pytest.mark.parametrize(("decision", "said"), [("discard", "was discarded"),
                                                ("import", "was imported")])  # fmt: skip
def test_a_decided_hold_is_confirmed_and_listed_among_the_decided(
    log_in: LogIn, queued: dict[str, str], seeded: dict[str, int], decision: str, said: str
) -> None:
    client = log_in("him_manager")
    hold = f"/imports/holds/{queued['hold_id']}"
    form = {"csrf_token": csrf_of(client.get(hold).text), "decision": decision,
            "chart_0": str(seeded["patient"])}  # fmt: skip
    response = client.post(hold, data=form if decision == "import" else form | {"chart_0": ""})
    assert response.status_code == 303
    assert said in client.get(response.headers["location"]).text
    assert f'<a href="{hold}">' not in client.get("/imports/holds").text
    assert f'<a href="{hold}">' in client.get("/imports/holds?show=handled").text
    assert f'<a href="{hold}">' in client.get("/imports/holds?show=all").text


def test_an_unknown_queue_view_is_a_clear_error(log_in: LogIn) -> None:
    response = log_in("hit").get("/imports/holds?show=everything")
    assert response.status_code == 400 and 'class="notice error"' in response.text


def _rows(page: str) -> list[str]:
    """The rows of the report's table of each bundle, message and document."""
    table = page.split('aria-label="Each bundle, message and document"', 1)[1]
    return table.split("</tbody>", 1)[0].split("<tr>")[2:]


def _rejection_page(client: TestClient, row: str) -> str:
    match = re.search(r'href="(/imports/rejections/\d+)"', row)
    assert match, row
    return client.get(match.group(1)).text
