"""A new coder sets up an authenticator on first login, in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_a_new_user_enrolls_an_authenticator_and_logs_in(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    page.goto(f"{live_server}/patients/1")
    page.get_by_label("Username").fill("coder")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator")
    qr = page.get_by_role("img", name="QR code that adds coder at himdesk")
    expect(qr).to_be_visible()
    assert (qr.get_attribute("src") or "").startswith("data:image/svg+xml")
    page.screenshot(path=str(tmp_path / "enroll-authenticator.png"), full_page=True)
    assert (tmp_path / "enroll-authenticator.png").stat().st_size > 10_000

    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm and log in").click()

    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    page.screenshot(path=str(tmp_path / "recovery-codes.png"), full_page=True)
    page.get_by_role("link", name="continue to himdesk").click()
    expect(page.get_by_role("region", name="Patient banner")).to_contain_text("M0000001")
