"""A records technician's first minutes, in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_technician_finds_a_patient_reads_a_document_and_privacy_sees_it(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    log_in(page, live_server, "hit")
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type("abernathy rosalnd")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Abernathy, Rosalind T.").click()
    banner = page.get_by_role("region", name="Patient banner")
    expect(banner).to_contain_text("M0000001")
    expect(banner).to_contain_text("Sulfa drugs")
    expect(page.get_by_role("img", name="Sodium trend: 127, 134")).to_be_visible()
    page.get_by_role("link", name="Discharge summary").click()
    expect(page.locator(".note-text")).to_contain_text("right lower lobe")
    page.screenshot(path=str(tmp_path / "document.png"), full_page=True)

    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, "privacy_officer")
    page.goto(f"{live_server}/patients/1")
    page.get_by_role("link", name="Access history").click()
    history = page.get_by_role("table", name="Access history")
    expect(history).to_contain_text("document.read")
    expect(history.get_by_role("cell", name="hit", exact=True).first).to_be_visible()
    page.screenshot(path=str(tmp_path / "access-history.png"), full_page=True)
    assert (tmp_path / "access-history.png").stat().st_size > 10_000
