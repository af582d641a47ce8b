"""The code-set reference pages over the real FY2026 code sets: a code in the Tabular List,
the neoplasm and drug tables, and the PCS code builder, all plain GET pages."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from himdesk.bootstrap import Himdesk
from tests.web.conftest import LogIn


@pytest.fixture
def coder(log_in: LogIn, coding_himdesk: Himdesk) -> TestClient:
    return log_in("coder")


def text_of(page: str) -> str:
    """The page as a reader sees it: tags dropped, spaces collapsed."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_a_code_page_shows_hierarchy_billable_and_inherited_notes_with_links(
    coder: TestClient,
) -> None:
    page = coder.get("/coding/codes/I21.4")
    assert page.status_code == 200
    seen = text_of(page.text)
    assert "I21.4 Non-ST elevation (NSTEMI) myocardial infarction" in seen
    assert "Chapter 9" in seen and "I20-I25" in seen and "Billable" in seen
    assert '<a href="/coding/codes/I252">I25.2</a>' in page.text
    assert "old myocardial infarction ( I25.2 ) printed at I21" in seen
    assert '<a href="/coding/codes/F17">F17.-</a>' in page.text  # use additional code


def test_a_code_opens_with_or_without_the_dot(coder: TestClient) -> None:
    assert "Non-ST elevation (NSTEMI)" in coder.get("/coding/codes/i214").text


def test_a_header_is_not_billable_and_lists_its_codes(coder: TestClient) -> None:
    seen = text_of(coder.get("/coding/codes/E11").text)
    assert "Not billable — choose one of its 87 codes" in seen
    assert "E11.9 Type 2 diabetes mellitus without complications yes" in seen
    assert "Use additional code" in seen and "insulin ( Z79.4 )" in seen


def test_a_manifestation_code_shows_code_first(coder: TestClient) -> None:
    page = coder.get("/coding/codes/G63")
    assert "Code first" in page.text
    assert '<a href="/coding/codes/E85">E85.-</a>' in page.text


def test_a_code_needing_a_seventh_character_lists_the_full_codes(coder: TestClient) -> None:
    page = coder.get("/coding/codes/S72.001")
    seen = text_of(page.text)
    assert "Not billable without a 7th character — choose one of its 16 codes" in seen
    assert "Printed at S72" in seen
    assert '<a class="code" href="/coding/codes/S72001A">S72.001A</a>' in page.text


def test_placeholder_x_fills_a_short_code_before_the_seventh_character(coder: TestClient) -> None:
    page = coder.get("/coding/codes/S02.0")
    assert (
        ">S02.0XXA</a>" in page.text and ">T51.3X1A</a>" in coder.get("/coding/codes/T51.3X1").text
    )


def test_a_seven_character_code_shows_what_it_builds_on_and_its_seventh_character(
    coder: TestClient,
) -> None:
    seen = text_of(coder.get("/coding/codes/S72.001A").text)
    assert "S72.001A Fracture of unspecified part of neck of right femur, initial encounter" in seen
    assert "Built on S72.001" in seen
    assert "7th character A initial encounter for closed fracture" in seen


def test_an_unknown_code_is_a_404_naming_the_nearest_existing_parent(coder: TestClient) -> None:
    page = coder.get("/coding/codes/I21.49")
    assert page.status_code == 404
    seen = text_of(page.text)
    assert "I21.49 is not in ICD-10-CM FY2026" in seen
    assert "Nearest existing code: I21.4" in seen


def test_an_undefined_seventh_character_says_which_are_defined(coder: TestClient) -> None:
    page = coder.get("/coding/codes/S72001Z")
    assert page.status_code == 404
    assert "The 7th character Z is not defined for S72.001; it takes A, B, C" in page.text


def test_a_release_that_is_not_loaded_is_named(coder: TestClient) -> None:
    page = coder.get("/coding/codes/I21.4", params={"year": "2019"})
    assert page.status_code == 404
    assert "ICD-10-CM FY2019 is not loaded (loaded: FY2026)." in page.text


def test_the_go_to_code_form_leads_to_the_code_page(coder: TestClient) -> None:
    response = coder.get("/coding/codes", params={"code": " i21.4 "})
    assert response.status_code == 303
    assert response.headers["location"] == "/coding/codes/i21.4"


def test_the_neoplasm_table_finds_sites_by_any_word_of_their_path(coder: TestClient) -> None:
    page = coder.get("/coding/neoplasms", params={"q": "lung"})
    assert page.status_code == 200
    seen = text_of(page.text)
    assert '<th scope="col">Malignant Primary</th>' in page.text
    assert "Unspecified Behavior" in seen and "bronchiogenic, bronchogenic (lung)" in seen
    assert '<a class="code" href="/coding/codes/C349">C34.9-</a>' in page.text
    assert "C34.9- incomplete" in seen
    assert "lower lobe of lung" in text_of(coder.get("/coding/neoplasms?q=bronchus").text)


def test_the_drug_table_shows_all_six_columns_linked_to_the_tabular(coder: TestClient) -> None:
    page = coder.get("/coding/drugs", params={"q": "acetaminophen"})
    seen = text_of(page.text)
    for column in (
        "Poisoning Accidental (unintentional)",
        "Poisoning Intentional self-harm",
        "Poisoning Assault",
        "Poisoning Undetermined",
        "Adverse effect",
        "Underdosing",
    ):
        assert f'<th scope="col">{column}</th>' in page.text  # fmt: skip
    assert '<a class="code" href="/coding/codes/T391X5">T39.1X5</a>' in page.text
    assert "needs a 7th character" in seen and "1 row mentions “acetaminophen”" in seen


def test_a_brand_name_the_drug_table_lacks_suggests_the_generic_name(coder: TestClient) -> None:
    seen = text_of(coder.get("/coding/drugs", params={"q": "Tylenol"}).text)
    assert "No row of the Table of Drugs and Chemicals mentions “Tylenol”" in seen
    assert "try the generic" in seen


def test_the_pcs_builder_starts_with_the_sections(coder: TestClient) -> None:
    seen = text_of(coder.get("/coding/pcs").text)
    assert "Character 1: Section" in seen and "0 Medical and Surgical" in seen


def test_the_pcs_builder_offers_the_next_axis_of_a_chosen_table_with_definitions(
    coder: TestClient,
) -> None:
    page = coder.get("/coding/pcs", params={"code": "021"})
    seen = text_of(page.text)
    assert "Character 4: Body Part" in seen
    assert "Altering the route of passage of the contents of a tubular body part" in seen
    assert 'href="/coding/pcs?code=0210"' in page.text


def test_the_pcs_builder_offers_only_devices_the_rows_allow_with_the_approach(
    coder: TestClient,
) -> None:
    page = coder.get("/coding/pcs", params={"code": "02103"})
    offered = re.findall(r'href="/coding/pcs\?code=02103(\w)"', page.text)
    assert offered == ["4", "D"]


def test_a_complete_pcs_code_is_described_and_validated(coder: TestClient) -> None:
    seen = text_of(coder.get("/coding/pcs", params={"code": "0DT60ZZ"}).text)
    assert "0DT60ZZ — valid in ICD-10-PCS FY2026" in seen
    assert (
        "Medical and Surgical, Gastrointestinal System, Resection, Stomach, Open, No Device, "
        "No Qualifier" in seen
    )


def test_a_pcs_combination_the_tables_lack_shows_where_it_stops_being_valid(
    coder: TestClient,
) -> None:
    page = coder.get("/coding/pcs", params={"code": "021004"})
    assert page.status_code == 404
    seen = text_of(page.text)
    assert "table 021 allows no device '4' (character 6) after 02100" in seen
    assert "Character 6: Device" in seen


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/coding/codes/heart%20attack", 400, "is not an ICD-10-CM code"),
        ("/coding/codes/" + "I" * 300, 400, "is not an ICD-10-CM code"),
        ("/coding/pcs?code=0DI", 400, "cannot be &#39;I&#39; (I and O are never used"),
        ("/coding/pcs?code=%3Cb%3E", 400, "cannot be &#39;&lt;&#39;"),
        ("/coding/pcs?code=0DT60ZZZ", 400, "An ICD-10-PCS code has 7 characters; this has 8."),
        ("/coding/neoplasms?q=" + "lung " * 50, 400, "a site or substance needs at most 200"),
        ("/coding/codes/I21.4?year=abc", 400, "year"),
    ],
)
def test_bad_input_is_refused_with_a_specific_message(
    coder: TestClient, path: str, status: int, message: str
) -> None:
    page = coder.get(path)
    assert page.status_code == status
    assert message in page.text and 'class="notice error"' in page.text


def test_a_role_without_code_lookup_is_refused(log_in: LogIn, coding_himdesk: Himdesk) -> None:
    page = log_in("clinician").get("/coding/codes/I21.4")
    assert page.status_code == 403 and "Not permitted" in page.text


def test_the_pages_have_headings_labels_and_scoped_table_headers(coder: TestClient) -> None:
    for path in ("/coding/codes/S72.001", "/coding/neoplasms?q=lung", "/coding/pcs?code=0DT"):
        page = coder.get(path).text
        assert page.count("<h1") == 1
        assert "<th>" not in page and "<th " not in page.replace('<th scope="', "")
        inputs = re.findall(r'<input id="([\w-]+)"', page)
        assert all(f'<label for="{i}"' in page for i in inputs if i != "q")
