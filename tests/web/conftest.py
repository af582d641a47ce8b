"""A signed-in browser-like client against the app, on every backend."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import replace

import pyotp
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import USER_ROLES, Actor, Role
from himdesk.domain.access_review import AccessFlag, FlagRule
from himdesk.domain.queries import QueryForm
from himdesk.domain.sign_in import requires_second_factor
from himdesk.services.amendments import record_request
from himdesk.services.completeness import analyze_charts
from himdesk.services.ports import User
from himdesk.services.queries import send_query
from himdesk.web.app import create_app
from tests.fakes import T0, ChartBuilder, FakeClock
from tests.merges import merge_example
from tests.submissions import queue_examples

PASSWORD = "correct horse battery staple"
# Every seeded user whose role needs a second factor is enrolled with this authenticator.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_ACTION = re.compile(r'<form method="post" action="(/login/[^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture
def seeded(himdesk: Himdesk) -> dict[str, int]:
    """One user per role, a clinician, and two patients with a stay and a document each."""
    from himdesk.services.authentication import hash_password

    hashed = hash_password(PASSWORD)
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        for role in USER_ROLES:
            user = uow.users.add(
                User(
                    0,
                    role.value,
                    f"Test {role.label}",
                    role,
                    hashed,
                    clinician_id=doctor.id if role is Role.CLINICIAN else None,
                )
            )
            if requires_second_factor(role):
                uow.authenticators.enroll(user.id, TOTP_SECRET, uow.clock())
        patient = build.patient()
        stay = build.inpatient_stay(patient, doctor)
        document = build.document(
            patient, stay, doctor, signed=False, text="H&P: left knee pain. Denies fever."
        )
        build.sodium(patient, stay, "128", 30)
        build.sodium(patient, stay, "131", 6)
        other = build.patient(mrn="M0000002", family="Okafor", given="Chidi")
        other_stay = build.inpatient_stay(other, doctor, account="A2")
        other_doc = build.document(other, other_stay, doctor)
        uow.commit()
    return {
        "patient": patient.id or 0,
        "encounter": stay.id or 0,
        "document": document.id or 0,
        "other": other.id or 0,
        "other_doc": other_doc.id or 0,
    }


@pytest.fixture
def client(himdesk: Himdesk) -> TestClient:
    return TestClient(create_app(himdesk), follow_redirects=False)


LogIn = Callable[[str], TestClient]


@pytest.fixture
def log_in(client: TestClient, seeded: dict[str, int], clock: FakeClock) -> LogIn:
    """Log in as a seeded user, entering the authenticator code when the role needs one."""
    used: set[tuple[str, int]] = set()

    def as_role(username: str) -> TestClient:
        form = client.get("/login")
        response = client.post(
            "/login",
            data={
                "username": username,
                "password": PASSWORD,
                "csrf_token": csrf_of(form.text),
                "next": "/",
            },
        )
        assert response.status_code == 303, response.text
        if response.headers["location"].startswith("/login/second-factor"):
            # A code is accepted once: logging the same user in again waits for the next one.
            if (username, _step(clock)) in used:
                clock.advance(seconds=30)
            used.add((username, _step(clock)))
            response = enter_code(client, response.headers["location"], current_code(clock))
        assert response.status_code == 303, response.text
        assert not response.headers["location"].startswith("/login"), response.headers
        return client

    return as_role


def enter_code(client: TestClient, location: str, code: str) -> Response:
    """Open a second-factor or enrollment page and submit its form with this code."""
    form = client.get(location)
    assert form.status_code == 200, form.text
    action = _ACTION.search(form.text)
    assert action, "the page has no code form"
    return client.post(
        html.unescape(action.group(1)), data={"code": code, "csrf_token": csrf_of(form.text)}
    )


def _step(clock: FakeClock) -> int:
    return int(clock.now.timestamp()) // 30


def current_code(clock: FakeClock, secret: str = TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).at(clock.now)


@pytest.fixture
def targets(himdesk: Himdesk, seeded: dict[str, int]) -> dict[str, str]:
    manager = Actor(user_id=999, username="matrix", role=Role.HIM_MANAGER)
    with himdesk.unit_of_work() as uow:
        subject = (seeded["patient"], "demographics", seeded["patient"])
        request = record_request(uow, manager, subject, "Correct my middle name.", "2026-11-01")
        uow.access.add_flag(
            AccessFlag(1, 999, "matrix", seeded["patient"], FlagRule.MANY_CHARTS, T0)
        )
        flag = uow.access.open_flags(1)[0]
        uow.commit()
        analyze_charts(uow, manager, seeded["encounter"])  # opens the stay's deficiencies
        deficiency = uow.chart_reviews.history(seeded["encounter"])[0]
        doctor = str(uow.clinicians.list_all()[0].id)
        query = send_query(uow, manager, seeded["encounter"],
                           replace(MATRIX_QUERY, addressee_id=doctor))  # fmt: skip
    return {"patient_id": str(seeded["patient"]), "document_id": str(seeded["document"]),
            "request_id": str(request.id), "flag_id": str(flag.id), "username": "hit",
            "encounter_id": str(seeded["encounter"]),
            "deficiency_id": str(deficiency.id), "query_id": str(query.id),
            "code": "I21.4",
            **queue_examples(himdesk), **merge_example(himdesk)}  # fmt: skip


# A query to the seeded clinician (the `clinician` user), about the seeded stay's low sodium.
MATRIX_QUERY = QueryForm(
    question="Please clarify the condition, if any, that the findings below represent.",
    indicators="Sodium 128 mmol/L (L) — Sodium result of 2026-11-01 07:30",
    format="multiple_choice",
    options="Hyponatremia\nDilutional hyponatremia",
)
