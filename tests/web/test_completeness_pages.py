"""Chart completeness in the workstation: worklist, analysis page, waive, complete, delinquency."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.domain.chart_review import TrackedDeficiency
from himdesk.services.completeness import analyze_charts
from tests.fakes import FakeClock
from tests.web.conftest import LogIn, csrf_of

HIT = Actor(user_id=1, username="hit", role=Role.HIT)


@pytest.fixture
def analysed(himdesk: Himdesk, seeded: dict[str, int]) -> int:
    """Both seeded stays analysed; the first patient's stay (returned) lacks its H&P and
    has an unsigned discharge summary."""
    with himdesk.unit_of_work() as uow:
        analyze_charts(uow, HIT)
    return seeded["encounter"]


def _tracked(himdesk: Himdesk, encounter_id: int) -> list[TrackedDeficiency]:
    with himdesk.unit_of_work() as uow:
        return list(uow.chart_reviews.history(encounter_id))


def _open(himdesk: Himdesk, encounter_id: int) -> list[TrackedDeficiency]:
    return [t for t in _tracked(himdesk, encounter_id) if t.is_open]


def _post(client: TestClient, page: str, action: str, **form: str) -> str:
    """Submit a form of `page` and return the page the redirect leads to."""
    token = csrf_of(client.get(page).text)
    response = client.post(action, data={"csrf_token": token, **form})
    assert response.status_code == 303, response.text[-500:]
    return client.get(response.headers["location"]).text


def test_home_links_the_technician_to_the_worklist_and_the_manager_to_delinquency(
    log_in: LogIn,
) -> None:
    home = log_in("hit").get("/").text
    assert 'href="/completeness"' in home and 'href="/completeness#open-by-age"' in home
    assert 'href="/delinquency"' not in home
    home = log_in("him_manager").get("/").text
    assert 'href="/delinquency"' in home and 'href="/completeness"' in home


def test_the_worklist_lists_charts_to_analyze_linked_to_their_analysis(
    log_in: LogIn, analysed: int
) -> None:
    page = log_in("hit").get("/completeness")
    assert page.status_code == 200
    assert "Charts to analyze (2)" in page.text
    assert "M0000001" in page.text and "Nguyen, Linh" in page.text
    assert f'href="/encounters/{analysed}/analysis"' in page.text
    assert "Missing document" in page.text and "Over 30 days" in page.text


def test_the_analysis_page_offers_a_query_and_a_waiver_for_each_open_deficiency(
    log_in: LogIn, analysed: int, himdesk: Himdesk
) -> None:
    page = log_in("hit").get(f"/encounters/{analysed}/analysis")
    assert page.status_code == 200
    assert "M0000001" in page.text and "Awaiting analysis" in page.text
    assert "No history and physical within 24 hours of admission" in page.text
    for tracked in _open(himdesk, analysed):
        query = f"/encounters/{analysed}/queries/new?deficiency={tracked.id}"
        assert f'href="{query}"' in page.text
        assert f'action="/deficiencies/{tracked.id}/waive"' in page.text
    assert "William Osler, MD" in page.text


def test_running_the_analysis_again_says_how_many_are_open(
    log_in: LogIn, analysed: int, himdesk: Himdesk
) -> None:
    page = f"/encounters/{analysed}/analysis"
    shown = _post(log_in("hit"), page, f"{page}/run")
    open_now = len(_open(himdesk, analysed))
    assert f"The analysis was run again: {open_now} deficiencies are open." in shown


def test_completing_with_deficiencies_open_sends_them_to_the_clinicians(
    log_in: LogIn, analysed: int
) -> None:
    page = f"/encounters/{analysed}/analysis"
    shown = _post(log_in("hit"), page, f"{page}/complete")
    assert "Analysis reviewed; the chart is incomplete." in shown
    assert "gone to the responsible clinicians" in shown
    assert "<strong>Incomplete</strong>" in shown and "reviewed by hit" in shown


def test_waiving_every_deficiency_and_completing_completes_the_chart(
    log_in: LogIn, analysed: int, himdesk: Himdesk
) -> None:
    client = log_in("hit")
    page = f"/encounters/{analysed}/analysis"
    for tracked in _open(himdesk, analysed):
        shown = _post(client, page, f"/deficiencies/{tracked.id}/waive",
                      reason="Paper original is signed and scanned.")  # fmt: skip
        assert "The deficiency was waived" in shown
    assert "waived: Paper original is signed and scanned." in shown
    shown = _post(client, page, f"{page}/complete")
    assert "Analysis complete." in shown and "moves on to coding" in shown
    assert "<strong>Complete</strong>" in shown and "No deficiency is open." in shown


@pytest.mark.parametrize(
    ("reason", "refusal"),
    [("   ", "Give the reason for waiving"), ("ok\x00", "as plain text"),
     ("x" * 501, "under 500 characters")],
)  # fmt: skip
def test_a_waiver_without_a_plain_reason_is_refused_on_the_page_and_changes_nothing(
    log_in: LogIn, analysed: int, himdesk: Himdesk, reason: str, refusal: str
) -> None:
    client = log_in("hit")
    first = _open(himdesk, analysed)[0]
    token = csrf_of(client.get(f"/encounters/{analysed}/analysis").text)
    response = client.post(f"/deficiencies/{first.id}/waive",
                           data={"csrf_token": token, "reason": reason})  # fmt: skip
    assert response.status_code == 400
    assert 'class="field-error"' in response.text and refusal in response.text
    assert _open(himdesk, analysed)[0] == first


def test_the_chart_links_discharged_encounters_to_their_analysis_for_technicians_only(
    log_in: LogIn, seeded: dict[str, int]
) -> None:
    link = f'href="/encounters/{seeded["encounter"]}/analysis"'
    assert link in log_in("hit").get(f"/patients/{seeded['patient']}").text
    assert link not in log_in("coder").get(f"/patients/{seeded['patient']}").text


def test_an_unknown_encounter_has_no_analysis_page(log_in: LogIn) -> None:
    response = log_in("hit").get("/encounters/424242/analysis")
    assert response.status_code == 404 and "No discharged encounter 424242" in response.text


def test_the_delinquency_report_shows_the_rate_and_flags_it_above_half(
    log_in: LogIn, analysed: int, clock: FakeClock
) -> None:
    clock.advance(days=40)  # the stays' deficiencies were due 30 days after discharge
    page = log_in("him_manager").get("/delinquency")
    assert page.status_code == 200
    assert "<dt>Delinquent records</dt><dd>2</dd>" in page.text
    assert "<dt>Average monthly discharges</dt><dd>0.17</dd>" in page.text
    assert "1200.00%" in page.text and "above 50%" in page.text
    assert "William Osler, MD" in page.text and "Medicine" in page.text


def test_a_technician_may_not_open_the_delinquency_report(log_in: LogIn) -> None:
    response = log_in("hit").get("/delinquency")
    assert response.status_code == 403 and "Not permitted" in response.text
