"""A records technician's first minutes, in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, TOTP_SECRET

pytestmark = pytest.mark.browser


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your authenticator code")
    page.get_by_label("Code").fill(pyotp.TOTP(TOTP_SECRET).now())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good day")


def test_technician_finds_a_patient_reads_a_document_and_privacy_sees_it(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    _log_in(page, live_server, "hit")
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
    _log_in(page, live_server, "privacy_officer")
    page.goto(f"{live_server}/patients/1")
    page.get_by_role("link", name="Access history").click()
    history = page.get_by_role("table", name="Access history")
    expect(history).to_contain_text("document.read")
    expect(history.get_by_role("cell", name="hit", exact=True).first).to_be_visible()
    page.screenshot(path=str(tmp_path / "access-history.png"), full_page=True)
    assert (tmp_path / "access-history.png").stat().st_size > 10_000
