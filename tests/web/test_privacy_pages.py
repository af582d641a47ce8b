"""Break-the-glass, the access-review worklist and access reports, through HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient

from himdesk.bootstrap import Himdesk
from himdesk.domain.sensitivity import SensitiveCategory
from tests.fakes import T0
from tests.web.conftest import LogIn, csrf_of


def _make_vip(himdesk: Himdesk, patient_id: int) -> None:
    with himdesk.unit_of_work() as uow:
        uow.access.add_restriction(patient_id, SensitiveCategory.VIP, "Public figure", "pia", T0)
        uow.commit()


def _break_glass(client: TestClient, patient_id: int, reason: str) -> object:
    token = csrf_of(client.get("/").text)
    return client.post(
        f"/patients/{patient_id}/access",
        data={
            "csrf_token": token,
            "reason": reason,
            "decision": "break_glass",
            "next": f"/patients/{patient_id}",
        },
    )


def test_a_restricted_chart_asks_for_a_reason_and_opens_after_breaking_the_glass(
    log_in: LogIn, seeded: dict[str, int], himdesk: Himdesk
) -> None:
    _make_vip(himdesk, seeded["patient"])
    client = log_in("hit")
    page = client.get(f"/patients/{seeded['patient']}")
    assert page.status_code == 403
    assert "Break the glass?" in page.text and "Nguyen" not in page.text
    response = _break_glass(client, seeded["patient"], "Patient at the desk asking for records")
    assert response.status_code == 303
    assert response.headers["location"] == f"/patients/{seeded['patient']}"
    chart = client.get(f"/patients/{seeded['patient']}")
    assert chart.status_code == 200 and "VIP patient" in chart.text


def test_breaking_the_glass_without_a_real_reason_shows_the_field_error(
    log_in: LogIn, seeded: dict[str, int], himdesk: Himdesk
) -> None:
    _make_vip(himdesk, seeded["patient"])
    response = _break_glass(log_in("hit"), seeded["patient"], "x")
    assert response.status_code == 400
    assert "at least 10 characters" in response.text


def test_the_privacy_officer_reviews_a_break_the_glass_access(
    log_in: LogIn, seeded: dict[str, int], himdesk: Himdesk
) -> None:
    _make_vip(himdesk, seeded["patient"])
    _break_glass(log_in("hit"), seeded["patient"], "Patient at the desk asking for records")
    client = log_in("privacy_officer")
    worklist = client.get("/privacy/reviews")
    assert worklist.status_code == 200
    assert "Break-the-glass access" in worklist.text and "M0000001" in worklist.text
    action = worklist.text.split('action="/privacy/reviews/')[1].split('"')[0]
    refused = client.post(
        f"/privacy/reviews/{action}",
        data={"csrf_token": csrf_of(worklist.text), "disposition": "sanction_referred", "note": ""},
    )
    assert refused.status_code == 400 and "needs a note" in refused.text
    done = client.post(
        f"/privacy/reviews/{action}",
        data={
            "csrf_token": csrf_of(worklist.text),
            "disposition": "appropriate",
            "note": "Verified",
        },
    )
    assert done.status_code == 303
    assert "Break-the-glass access" not in client.get("/privacy/reviews").text


def test_a_coder_cannot_open_the_review_worklist(log_in: LogIn) -> None:
    assert log_in("coder").get("/privacy/reviews").status_code == 403


def test_the_patient_access_report_downloads_as_csv(log_in: LogIn, seeded: dict[str, int]) -> None:
    log_in("coder").get(f"/patients/{seeded['patient']}")
    report = log_in("privacy_officer").get(f"/patients/{seeded['patient']}/access-report.csv")
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/csv")
    assert ",coder,coder,chart.read,success," in report.text


def test_the_privacy_officer_marks_a_chart_vip_and_a_technician_then_needs_a_reason(
    log_in: LogIn, seeded: dict[str, int]
) -> None:
    client = log_in("privacy_officer")
    page = client.get(f"/patients/{seeded['patient']}/access-history")
    response = client.post(
        f"/patients/{seeded['patient']}/restrictions",
        data={"csrf_token": csrf_of(page.text), "category": "vip", "reason": "Local news anchor"},
    )
    assert response.status_code == 303
    assert log_in("hit").get(f"/patients/{seeded['patient']}").status_code == 403
