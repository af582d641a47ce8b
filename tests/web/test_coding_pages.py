"""The coder's pages: the worklist, the abstract screen with its live review, saving, final
coding and its lock, reopening with a reason, and the productivity report."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from himdesk.bootstrap import Himdesk
from himdesk.domain.records import Encounter, EncounterClass, EncounterStatus
from tests.fakes import T0
from tests.web.conftest import LogIn, csrf_of

CODED = {"dx_code": ["I50.21", "N17.9", ""], "dx_poa": ["Y", "N", ""], "disposition": "01",
         "px_code": [""], "px_date": [""], "px_operator": [""]}  # fmt: skip


@pytest.fixture
def coder(log_in: LogIn, coding_himdesk: Himdesk) -> TestClient:
    return log_in("coder")


def post(client: TestClient, path: str, form: dict[str, object]) -> Response:
    token = csrf_of(client.get("/coding").text)
    return client.post(path, data={"csrf_token": token, **form})


def abstract_path(seeded: dict[str, int]) -> str:
    return f"/coding/encounters/{seeded['encounter']}"


def test_the_worklist_lists_the_discharged_stay_with_age_type_and_attending(
    coder: TestClient, seeded: dict[str, int]
) -> None:
    page = coder.get("/coding")
    assert page.status_code == 200
    assert '<a class="button" href="/coding">Coding</a>' in page.text
    row = page.text.split(f'href="/coding/encounters/{seeded["encounter"]}"')[1].split("</tr>")[0]
    for shown in ("Nguyen, Linh", "M0000001", "<td>65</td>", "inpatient", "William Osler, MD",
                  "2026-11-01", "<td>1</td>", "not started"):  # fmt: skip
        assert shown in row
    filtered = coder.get("/coding", params={"encounter_class": "emergency"})
    assert "No encounter is waiting to be coded with these filters" in filtered.text


def test_an_unknown_worklist_filter_is_refused_clearly(coder: TestClient) -> None:
    page = coder.get("/coding", params={"encounter_class": "spaceship"})
    assert page.status_code == 400
    assert "Unknown encounter class filter" in page.text and 'class="notice error"' in page.text


def test_the_abstract_screen_shows_the_documentation_beside_the_form(
    coder: TestClient, seeded: dict[str, int]
) -> None:
    page = coder.get(abstract_path(seeded))
    assert page.status_code == 200
    assert f'href="/patients/{seeded["patient"]}/documents/{seeded["document"]}"' in page.text
    assert "Principal diagnosis code" in page.text and "Procedure 1 operator" in page.text
    assert "Codes checked against <strong>ICD-10-CM FY2026</strong>" in page.text
    assert "ICD-10-CM FY2027 is not loaded" in page.text
    assert '<option value="01" selected>' in page.text  # the disposition at discharge
    assert '<script src="/static/coding.js" defer></script>' in page.text


def test_saving_shows_the_drg_and_final_coding_locks_the_abstract(
    coder: TestClient, seeded: dict[str, int]
) -> None:
    saved = post(coder, abstract_path(seeded), CODED)
    assert saved.status_code == 303
    page = coder.get(saved.headers["location"])
    assert "The abstract was saved: MS-DRG 292" in page.text
    assert "Heart Failure and Shock with CC" in page.text
    assert 'href="/coding/codes/I50.21">Acute systolic (congestive) heart failure</a>' in page.text
    final = post(coder, abstract_path(seeded) + "/final", CODED)
    assert final.status_code == 303
    page = coder.get(final.headers["location"])
    assert "Final-coded: version 1, MS-DRG 292" in page.text
    assert ">Save</button>" not in page.text and "Reopen the abstract" in page.text
    again = post(coder, abstract_path(seeded), CODED)
    assert again.status_code == 409
    assert "reopen it, stating the reason" in again.text
    assert f'href="/coding/encounters/{seeded["encounter"]}"' not in coder.get("/coding").text


def test_a_save_over_changes_another_coder_made_meanwhile_is_refused(
    coder: TestClient, seeded: dict[str, int]
) -> None:
    opened = re.search(r'name="opened_on" value="([^"]+)"', coder.get(abstract_path(seeded)).text)
    assert opened is not None
    stale = {**CODED, "opened_on": opened.group(1)}
    assert post(coder, abstract_path(seeded), stale).status_code == 303  # the other coder
    mine = {**stale, "dx_code": ["I50.21", "N17.9", "E87.1"], "dx_poa": ["Y", "N", "Y"]}
    for path in (abstract_path(seeded), abstract_path(seeded) + "/final"):
        refused = post(coder, path, mine)
        assert refused.status_code == 409
        assert "The abstract was changed by coder after you opened it" in refused.text
        assert 'value="E87.1"' in refused.text  # the typed entries are shown again
    page = coder.get(abstract_path(seeded))
    assert 'value="E87.1"' not in page.text and "not started" not in page.text
    fresh = re.search(r'name="opened_on" value="([^"]+)"', page.text)
    assert fresh is not None
    assert post(coder, abstract_path(seeded), {**mine, "opened_on": fresh.group(1)}).is_redirect


def test_a_code_the_release_lacks_shows_the_form_again_with_the_row_named(
    coder: TestClient, seeded: dict[str, int]
) -> None:
    typed = {**CODED, "dx_code": ["I50.21", "I50.99"], "dx_poa": ["Y", "Y"]}
    page = post(coder, abstract_path(seeded), typed)
    assert page.status_code == 400
    text = page.text
    assert '<p class="field-error" id="e-dx-2">Diagnosis row 2: I50.99 is not a code' in text
    assert 'value="I50.99"' in text and "Nothing was saved" in text


def test_final_coding_with_an_error_edit_is_refused_listing_what_to_fix(
    coder: TestClient, seeded: dict[str, int]
) -> None:
    header = {**CODED, "dx_code": ["I50", "N17.9"]}
    page = post(coder, abstract_path(seeded) + "/final", header)
    assert page.status_code == 409
    assert "The encounter was not final-coded" in page.text
    assert "<li>I50:" in page.text


def test_the_preview_answers_with_the_review_panel_only(
    coder: TestClient, seeded: dict[str, int]
) -> None:
    mcc = {**CODED, "dx_code": ["I50.21", "J96.01"], "dx_poa": ["Y", "N"]}
    panel = post(coder, abstract_path(seeded) + "/preview", mcc)
    assert panel.status_code == 200
    assert "MS-DRG 291" in panel.text and "<html" not in panel.text
    bad = post(coder, abstract_path(seeded) + "/preview", {**CODED, "dx_code": ["X"]})
    assert bad.status_code == 400 and 'class="field-error"' in bad.text
    assert coder.get(abstract_path(seeded)).text.count("The abstract was saved") == 0


def test_the_review_says_why_there_is_no_drg(
    coder: TestClient, seeded: dict[str, int], coding_himdesk: Himdesk
) -> None:
    not_started = coder.get(abstract_path(seeded))
    assert "Enter the principal diagnosis to see the MS-DRG." in not_started.text
    with coding_himdesk.unit_of_work() as uow:
        visit = uow.chart.add_encounter(
            Encounter(seeded["patient"], EncounterClass.OUTPATIENT, T0 - timedelta(days=3), "O1",
                      status=EncounterStatus.DISCHARGED, discharged_at=T0 - timedelta(days=3))
        )  # fmt: skip
        uow.commit()
    visit_panel = post(coder, f"/coding/encounters/{visit.id}/preview", CODED)
    assert "MS-DRGs group inpatient stays only" in visit_panel.text
    assert "MS-DRG 29" not in visit_panel.text


def test_reopening_needs_a_reason_of_at_most_500_characters(
    coder: TestClient, seeded: dict[str, int]
) -> None:
    post(coder, abstract_path(seeded) + "/final", CODED)
    reopen = abstract_path(seeded) + "/reopen"
    blank = post(coder, reopen, {"reason": "  "})
    assert blank.status_code == 400
    assert "State why the final-coded abstract is reopened." in blank.text
    long = post(coder, reopen, {"reason": "x" * 600})
    assert "keep it to 500" in long.text
    assert post(coder, reopen, {"reason": "x" * 3000}).status_code == 400
    done = post(coder, reopen, {"reason": "Addendum documents acute on chronic failure"})
    page = coder.get(done.headers["location"])
    assert "The abstract was reopened" in page.text
    assert "Addendum documents acute on chronic failure" in page.text  # in the history


def test_an_unknown_encounter_is_not_found_and_one_in_the_hospital_is_not_discharged(
    coder: TestClient, seeded: dict[str, int], coding_himdesk: Himdesk
) -> None:
    assert coder.get("/coding/encounters/999999").status_code == 404
    with coding_himdesk.unit_of_work() as uow:
        admitted = uow.chart.add_encounter(
            Encounter(seeded["patient"], EncounterClass.INPATIENT, T0 - timedelta(days=1), "A9")
        )
        uow.commit()
    page = coder.get(f"/coding/encounters/{admitted.id}")
    assert page.status_code == 409 and "is not discharged" in page.text


def test_forms_without_the_csrf_token_are_refused(
    coder: TestClient, seeded: dict[str, int]
) -> None:
    refused = coder.post(abstract_path(seeded), data=CODED)
    assert refused.status_code == 403 and "Form expired" in refused.text


def test_the_productivity_report_counts_final_coding_by_day_and_coder(
    coder: TestClient, seeded: dict[str, int]
) -> None:
    post(coder, abstract_path(seeded) + "/final", CODED)
    page = coder.get("/coding/productivity")
    assert page.status_code == 200
    assert "(1 final-coded)" in page.text and '<th scope="row">coder</th>' in page.text
    backwards = coder.get(
        "/coding/productivity", params={"start": "2026-11-02", "end": "2026-10-01"}
    )
    assert (
        backwards.status_code == 400 and "The first day comes after the last day." in backwards.text
    )
    garbled = coder.get("/coding/productivity", params={"start": "yesterday"})
    assert garbled.status_code == 400 and "Write the day as YYYY-MM-DD." in garbled.text


@pytest.mark.parametrize(
    "period", [{"end": "0001-01-05"}, {"start": "9999-12-01", "end": "9999-12-31"}]
)
def test_a_productivity_period_at_the_ends_of_the_calendar_is_refused_not_a_crash(
    coder: TestClient, period: dict[str, str]
) -> None:
    page = coder.get("/coding/productivity", params=period)
    assert page.status_code == 400 and "Choose a day from 1900 to 2999." in page.text
