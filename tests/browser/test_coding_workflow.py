"""Coding in Chromium: the coder looks a term up in the encoder, opens a code in the Tabular
List, codes a discharged stay from the worklist (typing one code, adding another from the
code search), watches the MS-DRG change as the codes go in, saves, final-codes, and sees the
stay leave the worklist."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from himdesk.bootstrap import Himdesk
from himdesk.codesets.cms_code_editor import make_medicare_editor
from himdesk.codesets.cms_grouper import make_grouper
from himdesk.config import Settings
from himdesk.domain.access import Role
from himdesk.domain.coding.code_set import CodeSetLibrary
from himdesk.domain.records import (
    Diagnosis,
    DischargeDisposition,
    Encounter,
    EncounterClass,
    EncounterStatus,
)
from himdesk.services.authentication import hash_password
from himdesk.services.code_reference import CodeReference
from himdesk.services.ports import User
from tests.browser.conftest import PASSWORD, TOTP_SECRET, log_in, serving
from tests.fakes import ChartBuilder

pytestmark = pytest.mark.browser

ADMITTED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DISCHARGED = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)  # FY2026: its MS-DRG weights are loaded


@pytest.fixture
def coding_server(
    tmp_path: Path, sqlite_template: Path, code_set_library: CodeSetLibrary
) -> Iterator[str]:
    database = tmp_path / "coding.db"
    shutil.copyfile(sqlite_template, database)
    himdesk = Himdesk(Settings(database_url=f"sqlite:///{database}", demo_mode=True))
    library: Callable[[], CodeSetLibrary] = lambda: code_set_library  # noqa: E731
    himdesk.__dict__["code_reference"] = CodeReference(
        library, grouper=make_grouper, medicare_editor=make_medicare_editor
    )
    _seed(himdesk)
    with serving(himdesk) as base:
        yield base


def _seed(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        coder = uow.users.add(User(0, "coder", "Cora Coder", Role.CODER, hash_password(PASSWORD)))
        uow.authenticators.enroll(coder.id, TOTP_SECRET, uow.clock())
        patient = build.patient(family="Abernathy", given="Rosalind")
        assert patient.id is not None
        stay = uow.chart.add_encounter(
            Encounter(
                patient_id=patient.id,
                encounter_class=EncounterClass.INPATIENT,
                admitted_at=ADMITTED,
                account_number="A1",
                status=EncounterStatus.DISCHARGED,
                discharged_at=DISCHARGED,
                attending_id=doctor.id,
                discharge_disposition=DischargeDisposition.HOME,
                service="Cardiology",
            )
        )
        for description, principal in (
            ("Acute systolic heart failure", True),
            ("Acute respiratory failure with hypoxia", False),
        ):
            uow.chart.add_diagnosis(Diagnosis(patient.id, stay.id, description, doctor.id,
                                              DISCHARGED, is_principal=principal))  # fmt: skip
        build.document(
            patient, stay, doctor, at=DISCHARGED,
            text="DISCHARGE SUMMARY\nAdmitted with acute systolic heart failure; developed "
            "acute respiratory failure with hypoxia on day 2, treated with BiPAP.",
        )  # fmt: skip
        uow.commit()


def test_a_coder_finds_a_code_codes_a_stay_sees_the_drg_and_final_codes_it(
    page: Page, coding_server: str, tmp_path: Path
) -> None:
    log_in(page, coding_server, "coder")

    page.get_by_role("link", name="Encoder", exact=True).first.click()
    page.get_by_label("Term or code").fill("heart failure")
    page.get_by_role("button", name="Look up").click()
    page.locator(".encoder-hits a.code", has_text="I50.9").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("I50.9")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Heart failure, unspecified")

    page.get_by_role("link", name="Coding", exact=True).first.click()
    worklist = page.get_by_role("table", name="Encounters to code")
    row = worklist.get_by_role("row").filter(has_text="Abernathy")
    expect(row).to_contain_text("inpatient")
    expect(row).to_contain_text("not started")
    row.get_by_role("link", name="A1").click()
    documented = page.get_by_role("table", name="Documented diagnoses")
    expect(documented).to_contain_text("Acute respiratory failure with hypoxia")
    expect(page.get_by_role("link", name="Discharge summary")).to_be_visible()

    page.get_by_label("Principal diagnosis code").fill("I50.21")
    page.get_by_label("Principal diagnosis POA").select_option("Y")
    review = page.locator("#coding-review")
    expect(review).to_contain_text("MS-DRG 293")  # heart failure alone: without CC/MCC
    page.get_by_label("Search the ICD-10-CM index").fill("acute respiratory failure with hypoxia")
    page.get_by_role("button", name="Add J96.01").click()
    expect(page.get_by_label("Diagnosis 2 code")).to_have_value("J96.01")
    page.get_by_label("Diagnosis 2 POA").select_option("N")
    expect(review).to_contain_text("MS-DRG 291")  # live, before saving: J96.01 is an MCC
    expect(page.locator(".code-title").first).to_contain_text("Acute systolic")
    page.screenshot(path=str(tmp_path / "abstract-live.png"), full_page=True)

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("The abstract was saved: MS-DRG 291")
    expect(review).to_contain_text("Heart Failure and Shock with MCC")
    expect(review.locator(".drg-weight")).to_have_text("1.2838")
    drivers = page.get_by_role("table", name="What made the DRG")
    expect(drivers.get_by_role("row").filter(has_text="J96.01")).to_contain_text("MCC")
    expect(review).to_contain_text("Ready for final coding.")
    page.screenshot(path=str(tmp_path / "abstract-saved.png"), full_page=True)

    page.get_by_role("button", name="Final code").click()
    expect(page.get_by_role("status")).to_contain_text("Final-coded: version 1, MS-DRG 291")
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    expect(review).to_contain_text("Final-coded: the abstract is locked.")
    page.screenshot(path=str(tmp_path / "abstract-final.png"), full_page=True)
    page.get_by_role("link", name="Back to the coding worklist").click()
    expect(page.get_by_role("table", name="Encounters to code")).to_contain_text(
        "No encounter is waiting to be coded"
    )
    assert (tmp_path / "abstract-final.png").stat().st_size > 10_000
