"""Emergency access to a VIP chart, and its review by the privacy officer, in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_technician_breaks_the_glass_and_the_privacy_officer_closes_the_review(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    log_in(page, live_server, "hit")
    page.locator("#q").fill("kensington")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("No patient matches")
    page.locator("#q").fill("M0000002")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Restricted record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Break the glass?")
    page.get_by_label("Reason for access").fill("Patient collapsed in the lobby; need allergies")
    page.screenshot(path=str(tmp_path / "break-the-glass.png"), full_page=True)
    page.get_by_role("button", name="Break the glass and open").click()
    banner = page.get_by_role("region", name="Patient banner")
    expect(banner).to_contain_text("Kensington")
    expect(banner).to_contain_text("VIP patient")

    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, "privacy_officer")
    page.get_by_role("link", name="Access review").click()
    row = page.get_by_role("row").filter(has_text="Break-the-glass access")
    expect(row).to_contain_text("hit")
    row.get_by_label("Disposition", exact=False).select_option("appropriate")
    row.get_by_role("button", name="Close").click()
    expect(page.get_by_role("status")).to_contain_text("The flag was closed.")
    expect(page.get_by_role("row").filter(has_text="Break-the-glass access")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "access-review.png"), full_page=True)
