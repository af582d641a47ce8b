"""The encoder page over the real FY2026 code sets: a GET form that works without
JavaScript, the results fragment the page's script (and the abstract screen) fetch while
the coder types, links into the Tabular List, flags, and refusals."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from himdesk.bootstrap import Himdesk
from himdesk.domain.coding.code_set import CodeSetLibrary
from himdesk.services.code_reference import CodeReference
from tests.web.conftest import LogIn


@pytest.fixture(scope="module")
def reference(code_set_library: CodeSetLibrary) -> CodeReference:
    built = CodeReference(lambda: code_set_library)
    built.encoder()
    return built


@pytest.fixture
def coder(log_in: LogIn, himdesk: Himdesk, reference: CodeReference) -> TestClient:
    himdesk.__dict__["code_reference"] = reference
    return log_in("coder")


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_the_empty_page_offers_the_search_and_its_script(coder: TestClient) -> None:
    page = coder.get("/coding/encoder")
    assert page.status_code == 200
    assert 'action="/coding/encoder"' in page.text and 'name="q"' in page.text
    assert 'src="/static/encoder.js"' in page.text
    assert 'data-results="/coding/encoder/results"' in page.text
    assert '<a class="button" href="/coding/encoder">Encoder</a>' in page.text


def test_the_page_answers_a_search_without_javascript(coder: TestClient) -> None:
    page = coder.get("/coding/encoder", params={"q": "NSTEMI"})
    assert page.status_code == 200
    seen = text_of(page.text)
    assert "Non-ST elevation (NSTEMI) myocardial infarction" in seen
    assert "Index: Infarct, infarction, myocardium, myocardial, non-ST elevation (NSTEMI)" in seen
    assert '<a class="code" data-code="I21.4" href="/coding/codes/I21.4">I21.4</a>' in page.text
    assert 'value="NSTEMI"' in page.text


def test_the_fragment_has_the_results_alone(coder: TestClient) -> None:
    fragment = coder.get("/coding/encoder/results", params={"q": "heart attack"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'class="encoder-hits"' in fragment.text
    first = fragment.text.index('data-code="')
    assert fragment.text[first:].startswith('data-code="I21.9"')
    assert "see from Attack, attacks, heart" in text_of(fragment.text)


def test_a_code_that_is_not_billable_is_flagged_and_cannot_be_added(coder: TestClient) -> None:
    fragment = coder.get("/coding/encoder/results", params={"q": "multiple sclerosis"}).text
    start = fragment.index('href="/coding/codes/G35"')
    hit = fragment[start : fragment.index("</li>", start)]
    assert "not billable" in hit and "see tabular: more characters needed" in hit
    assert 'data-code="G35-"' not in fragment
    assert 'data-code="G35.D"' in fragment


def test_the_year_is_kept_in_the_links(coder: TestClient) -> None:
    fragment = coder.get("/coding/encoder/results", params={"q": "I21.4", "year": 2026}).text
    assert 'href="/coding/codes/I21.4?year=2026"' in fragment


def test_a_term_with_no_code_says_so(coder: TestClient) -> None:
    fragment = coder.get("/coding/encoder/results", params={"q": "zzqxw"})
    assert fragment.status_code == 200
    assert "No code found for “zzqxw”" in text_of(fragment.text)


def test_a_year_that_is_not_loaded_is_refused_by_name(coder: TestClient) -> None:
    page = coder.get("/coding/encoder", params={"q": "NSTEMI", "year": 2019})
    assert page.status_code == 404
    assert "ICD-10-CM FY2019 is not loaded" in page.text


def test_a_role_without_code_lookup_gets_no_encoder_and_no_link(log_in: LogIn) -> None:
    clinician = log_in("clinician")
    assert clinician.get("/coding/encoder").status_code == 403
    assert clinician.get("/coding/encoder/results", params={"q": "NSTEMI"}).status_code == 403
    assert 'href="/coding/encoder"' not in clinician.get("/").text
