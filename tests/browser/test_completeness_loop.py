"""The completeness loop in Chromium: the technician analyses a chart and queries the
attending, the attending answers and signs, the deficiency clears and the chart completes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def _code_step() -> int:
    return int(time.time()) // 30


def test_a_query_answered_and_signed_clears_the_deficiency_and_the_chart_completes(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    log_in(page, live_server, "hit")
    first_code_step = _code_step()
    page.get_by_role("link", name="Charts to analyze").click()
    page.get_by_role("row").filter(has_text="Castellanos").get_by_role("link", name="A3").click()
    deficiency = page.locator("article.deficiency")
    expect(deficiency).to_have_count(1)
    expect(deficiency).to_contain_text("126")
    deficiency.get_by_role("link", name="Query the clinician").click()
    expect(page.get_by_label("Clinical indicators", exact=False)).to_contain_text("126")
    page.get_by_label("Question").fill(
        "Based on the sodium results during this stay, can you clarify the clinical "
        "significance of these findings?"
    )
    page.get_by_label("Multiple choice").check()
    page.screenshot(path=str(tmp_path / "query-form.png"), full_page=True)
    page.get_by_role("button", name="Send the query").click()
    expect(page.get_by_role("status")).to_contain_text("The query was sent to")
    page.get_by_role("button", name="Log out").click()

    log_in(page, live_server, "clinician")
    page.get_by_role("link", name="My queries").click()
    page.get_by_role("row").filter(has_text="Castellanos").get_by_role(
        "link", name="Answer"
    ).click()
    page.get_by_label("Hyponatremia", exact=True).check()
    page.get_by_role("button", name="Answer and sign").click()
    expect(page.get_by_role("status")).to_contain_text("signed into the record as an addendum")
    page.get_by_role("button", name="Log out").click()

    # An authenticator code is refused a second time, so the technician's next login
    # waits for the next code (at most 30 s), as a person would.
    while _code_step() == first_code_step:
        time.sleep(0.5)
    log_in(page, live_server, "hit")
    page.get_by_role("link", name="Charts to analyze").click()
    page.get_by_role("row").filter(has_text="Castellanos").get_by_role("link", name="A3").click()
    expect(page.locator("article.deficiency")).to_have_count(0)
    cleared = page.get_by_role("table", name="Cleared deficiencies")
    expect(cleared).to_contain_text("query answered")
    expect(cleared).to_contain_text("clinician")
    page.get_by_role("button", name="Complete analysis").click()
    expect(page.get_by_role("status")).to_contain_text("the chart is complete")
    page.screenshot(path=str(tmp_path / "chart-complete.png"), full_page=True)
