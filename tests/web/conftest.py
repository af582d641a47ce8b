"""A signed-in browser-like client against the app, on every backend."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Role
from himdesk.services.ports import User
from himdesk.web.app import create_app
from tests.fakes import ChartBuilder

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


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
        for role in Role:
            uow.users.add(
                User(
                    0,
                    role.value,
                    f"Test {role.label}",
                    role,
                    hashed,
                    clinician_id=doctor.id if role is Role.CLINICIAN else None,
                )
            )
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
        "document": document.id or 0,
        "other": other.id or 0,
        "other_doc": other_doc.id or 0,
    }


@pytest.fixture
def client(himdesk: Himdesk) -> TestClient:
    return TestClient(create_app(himdesk), follow_redirects=False)


LogIn = Callable[[str], TestClient]


@pytest.fixture
def log_in(client: TestClient, seeded: dict[str, int]) -> LogIn:
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
        return client

    return as_role
