"""A real server on a free port and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
import uvicorn
from playwright.sync_api import Page, expect

from himdesk.bootstrap import Himdesk
from himdesk.config import Settings
from himdesk.domain.access import Role
from himdesk.domain.records import Clinician, DocumentType
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.services.authentication import hash_password
from himdesk.services.completeness import analyze_encounters
from himdesk.services.ports import User
from himdesk.web.app import create_app
from tests.fakes import ChartBuilder

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "browser test passphrase"
# The seeded technician and privacy officer use this authenticator; the coder enrolls anew.
TOTP_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(himdesk: Himdesk) -> Iterator[str]:
    """The app over `himdesk` on a free port in a thread; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(himdesk), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the test server did not start within 15 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        himdesk.close()


def log_in(page: Page, base: str, username: str) -> None:
    """Password, then the authenticator code, as every enrolled test user."""
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your authenticator code")
    page.get_by_label("Code").fill(pyotp.TOTP(TOTP_SECRET).now())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good day")


@pytest.fixture
def live_server(tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    database = tmp_path / "browser.db"
    shutil.copyfile(sqlite_template, database)
    himdesk = Himdesk(Settings(database_url=f"sqlite:///{database}", demo_mode=True))
    _seed(himdesk)
    with serving(himdesk) as base:
        yield base


def _seed(himdesk: Himdesk) -> None:
    hashed = hash_password(PASSWORD)
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        for role in (Role.HIT, Role.PRIVACY_OFFICER):
            user = uow.users.add(User(0, role.value, f"Test {role.label}", role, hashed))
            uow.authenticators.enroll(user.id, TOTP_SECRET, uow.clock())
        uow.users.add(User(0, "coder", "Test Coder", Role.CODER, hashed))
        attending = uow.users.add(
            User(0, "clinician", "Dr Osler", Role.CLINICIAN, hashed, clinician_id=doctor.id)
        )
        uow.authenticators.enroll(attending.id, TOTP_SECRET, uow.clock())
        patient = build.patient(family="Abernathy", given="Rosalind")
        stay = build.inpatient_stay(patient, doctor)
        build.document(
            patient,
            stay,
            doctor,
            text="DISCHARGE SUMMARY\nHospital course: treated for pneumonia of the "
            "right lower lobe. Denies chest pain.",
        )
        build.sodium(patient, stay, "127", 40)
        build.sodium(patient, stay, "134", 4)
        build.allergy(patient, "Sulfa drugs")
        _chart_with_one_discrepancy(build, doctor)
        vip = build.patient(mrn="M0000002", family="Kensington", given="Ava", ssn="")
        build.inpatient_stay(vip, doctor, account="A2")
        assert vip.id is not None
        uow.access.add_restriction(vip.id, SensitiveCategory.VIP, "Public figure", "pia",
                                   uow.clock())  # fmt: skip
        # What discharge does: the stays are analysed as they are discharged.
        list(analyze_encounters(uow, "adt", uow.chart.discharged_encounters()))
        uow.commit()


def _chart_with_one_discrepancy(build: ChartBuilder, doctor: Clinician) -> None:
    """A complete stay but for a low sodium no document explains (for the query loop)."""
    patient = build.patient(mrn="M0000003", family="Castellanos", given="Marisol", ssn="")
    stay = build.inpatient_stay(patient, doctor, account="A3")
    build.document(patient, stay, doctor, DocumentType.HISTORY_AND_PHYSICAL,
                   text="HISTORY AND PHYSICAL\nAdmitted with community-acquired "
                   "pneumonia. Lungs: crackles at the bases.",
                   at=stay.admitted_at + timedelta(hours=2))  # fmt: skip
    build.document(patient, stay, doctor, text="DISCHARGE SUMMARY\nHospital course: "
                   "pneumonia treated with ceftriaxone; improved and discharged home.")  # fmt: skip
    build.sodium(patient, stay, "126", 30)
