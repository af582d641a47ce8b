"""Logging in over HTTP: second factor, enrollment, replay, pauses, cookies and fixation."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pyotp
from fastapi.testclient import TestClient
from httpx import Response

from himdesk.bootstrap import Himdesk
from himdesk.config import Settings
from himdesk.domain.access import Role
from himdesk.services.authentication import hash_password
from himdesk.services.ports import User
from himdesk.web.app import create_app
from himdesk.web.sessions import SESSION_COOKIE, SIGN_IN_COOKIE
from tests.fakes import FakeClock
from tests.web.conftest import PASSWORD, csrf_of, current_code, enter_code

_SECRET_TEXT = re.compile(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<')


def _password(
    client: TestClient, username: str, password: str = PASSWORD, next: str = "/"
) -> Response:
    form = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(form.text),
              "next": next},
    )  # fmt: skip


def _audit(himdesk: Himdesk) -> list[tuple[str, str, str]]:
    with himdesk.unit_of_work() as uow:
        return [(e.entry.username, e.entry.action, e.entry.outcome) for e in uow.audit.iterate()]


def test_the_password_step_leads_to_the_code_page_not_the_workstation(
    client: TestClient, seeded: dict[str, int]
) -> None:
    chart = f"/patients/{seeded['patient']}"
    response = _password(client, "hit", next=chart)
    assert response.status_code == 303
    assert response.headers["location"] == "/login/second-factor?next=" + quote(chart, safe="")
    assert SESSION_COOKIE not in client.cookies


def test_a_half_finished_login_reaches_no_patient_page(
    client: TestClient, seeded: dict[str, int]
) -> None:
    _password(client, "hit")
    pending = client.cookies.get(SIGN_IN_COOKIE)
    assert pending
    # Even presented as the session cookie, on every path, the pending token opens nothing.
    client.cookies.set(SESSION_COOKIE, pending)
    for path in ("/", f"/patients/{seeded['patient']}", "/patients?q=Nguyen",
                 f"/patients/{seeded['patient']}/documents/{seeded['document']}"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login"), path
        assert "Nguyen" not in response.text


def test_the_sign_in_cookie_is_short_lived_and_only_sent_to_login_pages(
    client: TestClient, seeded: dict[str, int]
) -> None:
    cookie = _password(client, "hit").headers["set-cookie"]
    assert f"{SIGN_IN_COOKIE}=" in cookie
    for attribute in ("HttpOnly", "Max-Age=300", "Path=/login", "SameSite=strict"):
        assert attribute in cookie, attribute


def test_the_session_cookie_is_httponly_and_same_site(
    client: TestClient, seeded: dict[str, int], clock: FakeClock
) -> None:
    location = _password(client, "hit").headers["location"]
    response = enter_code(client, location, current_code(clock))
    session_cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)
    )
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    assert "Secure" not in session_cookie


def test_behind_https_cookies_are_secure_and_browsers_are_told_to_stay_on_https(
    database_url: str, clock: FakeClock, seeded: dict[str, int]
) -> None:
    settings = Settings(database_url=database_url, demo_mode=True, secure_cookies=True)
    secure = Himdesk(settings, clock=clock)
    client = TestClient(create_app(secure), base_url="https://testserver", follow_redirects=False)
    response = _password(client, "analyst")
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]
    assert response.headers["strict-transport-security"] == "max-age=31536000"
    secure.close()


def test_the_session_token_is_new_at_login_so_a_planted_one_is_useless(
    client: TestClient, seeded: dict[str, int], clock: FakeClock
) -> None:
    client.cookies.set(SESSION_COOKIE, "planted-by-an-attacker", domain="testserver.local")
    location = _password(client, "hit").headers["location"]
    pending = client.cookies.get(SIGN_IN_COOKIE)
    enter_code(client, location, current_code(clock))
    session = client.cookies.get(SESSION_COOKIE)
    assert session not in (None, "planted-by-an-attacker", pending)
    assert client.get("/").status_code == 200
    client.cookies.set(SESSION_COOKIE, "planted-by-an-attacker", domain="testserver.local")
    assert client.get("/").status_code == 303


def test_an_analyst_without_patient_access_logs_in_with_the_password_alone(
    client: TestClient, seeded: dict[str, int]
) -> None:
    response = _password(client, "analyst")
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_code_is_refused_and_audited(
    client: TestClient, seeded: dict[str, int], himdesk: Himdesk, clock: FakeClock
) -> None:
    location = _password(client, "coder").headers["location"]
    wrong = pyotp.TOTP("A" * 32).at(clock.now)
    response = enter_code(client, location, wrong)
    assert response.status_code == 401
    assert "That code is not right" in response.text
    assert _audit(himdesk)[-1] == ("coder", "user.login.second_factor", "failure")
    assert client.get("/").status_code == 303


def test_a_code_used_once_is_refused_the_second_time(
    client: TestClient, seeded: dict[str, int], clock: FakeClock
) -> None:
    code = current_code(clock)
    first = enter_code(client, _password(client, "coder").headers["location"], code)
    assert first.status_code == 303
    client.cookies.clear()
    clock.advance(seconds=10)
    response = enter_code(client, _password(client, "coder").headers["location"], code)
    assert response.status_code == 401 and "used already" in response.text


def test_repeated_failures_pause_the_account_with_the_same_message(
    client: TestClient, seeded: dict[str, int], clock: FakeClock
) -> None:
    messages = {_password(client, "analyst", "wrong password!").text for _ in range(6)}
    right = _password(client, "analyst")
    assert right.status_code == 401
    unknown = _password(client, "nobody-at-all")
    assert _notice(right.text) == _notice(unknown.text) == {_notice(m) for m in messages}.pop()
    clock.advance(minutes=2)
    assert _password(client, "analyst").status_code == 303


def _notice(html: str) -> str:
    found = re.search(r'role="alert">([^<]+)<', html)
    assert found, html
    return found.group(1)


def test_an_unfinished_login_expires_after_five_minutes(
    client: TestClient, seeded: dict[str, int], clock: FakeClock
) -> None:
    location = _password(client, "coder").headers["location"]
    clock.advance(minutes=6)
    response = client.get(location)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=%2F&expired=1")
    assert "not finished in time" in client.get(response.headers["location"]).text


def test_a_new_user_enrolls_an_authenticator_over_http(
    client: TestClient, seeded: dict[str, int], himdesk: Himdesk, clock: FakeClock
) -> None:
    with himdesk.unit_of_work() as uow:
        uow.users.add(User(0, "newtech", "New Tech", Role.HIT, hash_password(PASSWORD)))
        uow.commit()
    response = _password(client, "newtech", next=f"/patients/{seeded['patient']}")
    assert response.headers["location"].startswith("/login/enroll?next=")
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.text
    found = _SECRET_TEXT.search(page.text)
    assert found, "the enrollment page shows no key"
    secret = found.group(1).replace(" ", "")
    assert client.get(f"/patients/{seeded['patient']}").status_code == 303  # not yet
    done = enter_code(client, response.headers["location"], pyotp.TOTP(secret).at(clock.now))
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7-]{19})</code></li>", done.text)
    assert len(codes) == 10
    assert f'href="/patients/{seeded["patient"]}"' in done.text
    assert client.get(f"/patients/{seeded['patient']}").status_code == 200
    assert ("newtech", "user.mfa.enroll", "success") in _audit(himdesk)
    _log_in_with_a_recovery_code(client, codes[0], clock)


def _log_in_with_a_recovery_code(client: TestClient, code: str, clock: FakeClock) -> None:
    client.cookies.clear()
    clock.advance(seconds=timedelta(minutes=1).total_seconds())
    location = _password(client, "newtech").headers["location"]
    assert enter_code(client, location, code).status_code == 303
    client.cookies.clear()
    location = _password(client, "newtech").headers["location"]
    assert enter_code(client, location, code).status_code == 401
