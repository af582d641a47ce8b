"""Physician queries in the workstation: the HIT sends one from a finding, the clinician
answers it from their inbox, HIM follows the query list and escalates what is overdue."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.domain.completeness import DeficiencyKind
from himdesk.domain.sign_in import requires_second_factor
from himdesk.services.completeness import analyze_charts
from himdesk.services.ports import User
from himdesk.services.query_answers import clinician_inbox
from tests.fakes import ChartBuilder, FakeClock
from tests.web.conftest import TOTP_SECRET, LogIn, csrf_of

HIT = Actor(user_id=1, username="hit", role=Role.HIT)


@pytest.fixture
def finding(himdesk: Himdesk, seeded: dict[str, int]) -> int:
    """The seeded stay's low sodium with no hyponatremia, as chart analysis tracks it."""
    with himdesk.unit_of_work() as uow:
        analyze_charts(uow, HIT, seeded["encounter"])
        history = uow.chart_reviews.history(seeded["encounter"])
    kinds = {t.deficiency.kind: t.id for t in history}
    return kinds[DeficiencyKind.RESULT_WITHOUT_DIAGNOSIS]


def _form_values(page: str) -> dict[str, str]:
    """What the query form would post as it stands (textareas, chosen radio and option)."""
    values = {m[0]: html.unescape(m[1]) for m in re.findall(
        r'<textarea id="f-\w+" name="(\w+)"[^>]*>(.*?)</textarea>', page, re.S)}  # fmt: skip
    values["format"] = re.search(r'name="format" value="(\w+)" checked', page)[1]  # type: ignore[index]
    values["addressee_id"] = re.search(r'<option value="(\d+)" selected', page)[1]  # type: ignore[index]
    values["deficiency_id"] = re.search(r'name="deficiency_id" value="(\d*)"', page)[1]  # type: ignore[index]
    return values | {"csrf_token": csrf_of(page)}


def _send(client: TestClient, encounter: int, deficiency: int, **changes: str) -> str:
    form = client.get(f"/encounters/{encounter}/queries/new?deficiency={deficiency}")
    assert form.status_code == 200, form.text
    response = client.post(
        f"/encounters/{encounter}/queries", data=_form_values(form.text) | changes
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_the_form_starts_from_the_finding_and_the_query_is_sent(
    log_in: LogIn, seeded: dict[str, int], finding: int
) -> None:
    client = log_in("hit")
    form = client.get(f"/encounters/{seeded['encounter']}/queries/new?deficiency={finding}").text
    assert "Sodium: 128 mmol/L" in form and "— Sodium result of" in form
    assert ">Hyponatremia\nDilutional hyponatremia\n" in form
    assert "within 72 hours" in form
    location = _send(client, seeded["encounter"], finding)
    assert re.fullmatch(r"/queries/\d+\?sent=1", location)
    page = client.get(location).text
    assert "The query was sent to William Osler, MD" in page and "2026-11-05 14:30" in page


def test_a_query_without_indicators_or_with_leading_words_is_refused_clearly(
    log_in: LogIn, seeded: dict[str, int], finding: int, himdesk: Himdesk
) -> None:
    client = log_in("coder")
    page = client.get(f"/encounters/{seeded['encounter']}/queries/new?deficiency={finding}")
    data = _form_values(page.text) | {"indicators": "", "question": "Please document hyponatremia."}
    response = client.post(f"/encounters/{seeded['encounter']}/queries", data=data)
    assert response.status_code == 400
    assert 'class="field-error" id="e-indicators"' in response.text
    assert "leads the clinician" in response.text and "The query was not sent" in response.text
    with himdesk.unit_of_work() as uow:
        assert uow.queries.all_queries() == []


def test_a_blank_deficiency_with_other_errors_shows_the_form_again(
    log_in: LogIn, seeded: dict[str, int], finding: int
) -> None:
    client = log_in("hit")
    page = client.get(f"/encounters/{seeded['encounter']}/queries/new?deficiency={finding}")
    data = _form_values(page.text) | {"deficiency_id": " ", "addressee_id": ""}
    response = client.post(f"/encounters/{seeded['encounter']}/queries", data=data)
    assert response.status_code == 400
    assert 'class="field-error" id="e-addressee_id"' in response.text


def test_the_clinician_answers_from_the_inbox_and_the_answer_is_signed_into_the_record(
    log_in: LogIn, seeded: dict[str, int], finding: int
) -> None:
    location = _send(log_in("hit"), seeded["encounter"], finding)
    query = location.split("?")[0]
    client = log_in("clinician")
    inbox = client.get("/inbox").text
    assert f'href="{query}">Answer</a>' in inbox
    sign = f'action="/patients/{seeded["patient"]}/documents/{seeded["document"]}/sign"'
    assert sign in inbox  # the unsigned note, one click away
    page = client.get(query).text
    assert "Answer and sign" in page and 'value="Clinically undetermined"' in page
    response = client.post(f"{query}/answer", data={"csrf_token": csrf_of(page),
                                                     "option": "Hyponatremia"})  # fmt: skip
    assert response.status_code == 303 and response.headers["location"].startswith("/inbox")
    assert "was signed into the record as an addendum" in client.get(
        response.headers["location"]).text  # fmt: skip
    answered = client.get(query).text
    assert "Outcome: Agreed" in answered and "the diagnosis was added" in answered
    addendum = re.search(r'href="(/patients/\d+/documents/\d+)">signed addendum', answered)
    assert addendum and "Answer: Hyponatremia" in client.get(addendum[1]).text
    again = client.post(f"{query}/answer", data={"csrf_token": csrf_of(page),
                                                  "option": "Hyponatremia"})  # fmt: skip
    assert again.status_code == 409 and "already answered" in again.text


def test_signing_from_the_inbox_takes_one_click(log_in: LogIn, seeded: dict[str, int]) -> None:
    client = log_in("clinician")
    inbox = client.get("/inbox").text
    target = f"/patients/{seeded['patient']}/documents/{seeded['document']}"
    response = client.post(f"{target}/sign", data={"csrf_token": csrf_of(inbox)})
    assert response.status_code == 303 and response.headers["location"] == target
    assert f'action="{target}/sign"' not in client.get("/inbox").text


def test_an_answer_without_a_choice_shows_the_field_error(
    log_in: LogIn, seeded: dict[str, int], finding: int
) -> None:
    query = _send(log_in("hit"), seeded["encounter"], finding).split("?")[0]
    client = log_in("clinician")
    page = client.get(query).text
    response = client.post(f"{query}/answer", data={"csrf_token": csrf_of(page), "option": ""})
    assert response.status_code == 400 and "Choose one of the options" in response.text


def test_a_clinician_who_is_not_the_addressee_is_told_who_the_query_is_for(
    log_in: LogIn, seeded: dict[str, int], finding: int, himdesk: Himdesk
) -> None:
    query = _send(log_in("hit"), seeded["encounter"], finding).split("?")[0]
    hashed = _password_hash(himdesk)
    with himdesk.unit_of_work() as uow:
        other = ChartBuilder(uow).clinician("Lister", npi="1000000003")
        user = uow.users.add(
            User(0, "lister", "Joseph Lister", Role.CLINICIAN, hashed, clinician_id=other.id)
        )
        if requires_second_factor(Role.CLINICIAN):
            uow.authenticators.enroll(user.id, TOTP_SECRET, uow.clock())
        uow.commit()
    client = log_in("lister")
    token = csrf_of(client.get("/inbox").text)
    response = client.post(f"{query}/answer", data={"csrf_token": token, "option": "Hyponatremia"})
    assert response.status_code == 409
    assert "is for William Osler, MD; only they can answer it" in response.text


def _password_hash(himdesk: Himdesk) -> str:
    with himdesk.unit_of_work() as uow:
        found = uow.users.find_by_username("clinician")
    assert found is not None
    return found.password_hash


def test_him_sees_the_metrics_and_escalates_overdue_queries(
    log_in: LogIn, seeded: dict[str, int], finding: int, clock: FakeClock, himdesk: Himdesk
) -> None:
    _send(log_in("hit"), seeded["encounter"], finding)
    clock.advance(hours=73)
    client = log_in("him_manager")
    page = client.get("/queries").text
    assert "Sent</dt><dd>1 (1 open, 1 overdue, 0 ever escalated)" in page
    response = client.post("/queries/escalate", data={"csrf_token": csrf_of(page)})
    assert response.headers["location"] == "/queries?escalated=1"
    assert "1 overdue query was escalated" in client.get(response.headers["location"]).text
    doctor = Actor(2, "clinician", Role.CLINICIAN, clinician_id=_doctor_id(himdesk))
    with himdesk.unit_of_work() as uow:
        [item] = clinician_inbox(uow, doctor).queries
    assert item.query.escalated_at == clock.now
    inbox = log_in("clinician").get("/inbox").text
    assert "overdue</strong>" in inbox and ">escalated</span>" in inbox


def _doctor_id(himdesk: Himdesk) -> int:
    with himdesk.unit_of_work() as uow:
        found = uow.users.find_by_username("clinician")
    assert found is not None and found.clinician_id is not None
    return found.clinician_id


def test_only_clinicians_have_an_inbox(log_in: LogIn, seeded: dict[str, int]) -> None:
    response = log_in("hit").get("/inbox")
    assert response.status_code == 403 and "Not permitted" in response.text
