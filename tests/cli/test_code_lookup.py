"""`himdesk code lookup "TEXT"`: ranked codes with title and index path, as one JSON
document or a table; bad input fails with one line on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.coding.code_set import CodeSetLibrary
from himdesk.services.code_reference import CodeReference
from tests.cli.test_commands import himdesk_cli

KEYS = {"code", "title", "path", "score", "valid", "billable", "note"}


@pytest.fixture(scope="module")
def reference(code_set_library: CodeSetLibrary) -> CodeReference:
    """The session's FY2026 library with its encoder built once for the module."""
    built = CodeReference(lambda: code_set_library)
    built.encoder()
    return built


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: CodeReference) -> str:
    monkeypatch.setenv("HIMDESK_DEMO_MODE", "1")
    monkeypatch.setattr(Himdesk, "code_reference", property(lambda self: reference))
    return f"sqlite:///{tmp_path}/unused.db"


def test_lookup_prints_ranked_codes_with_their_index_paths_as_json(url: str) -> None:
    code, out, err = himdesk_cli(url, "code", "lookup", "NSTEMI", "--limit", "3", "--json")
    assert code == 0, err
    hits = json.loads(out)
    assert len(hits) == 3 and all(set(hit) == KEYS for hit in hits)
    assert hits[0]["code"] == "I21.4" and hits[0]["valid"] and hits[0]["billable"]
    assert hits[0]["path"] == (
        "Infarct, infarction, myocardium, myocardial, non-ST elevation (NSTEMI)"
    )
    assert [hit["score"] for hit in hits] == sorted((hit["score"] for hit in hits), reverse=True)


def test_lookup_for_people_is_a_table(url: str) -> None:
    code, out, err = himdesk_cli(url, "code", "lookup", "heart attack", "--limit", "2")
    assert code == 0, err
    assert "ICD-10-CM codes for 'heart attack'" in out and "│ I21.9 │" in out
    assert "Acute" in out and "Infarct, infarction," in out


def test_lookup_of_a_year_that_is_not_loaded_names_the_year(url: str) -> None:
    code, out, err = himdesk_cli(url, "code", "lookup", "NSTEMI", "--year", "2019", "--json")
    assert code == 1 and out == ""
    assert "ICD-10-CM FY2019 is not loaded" in err and "codesets load" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["   "], "Type a diagnosis, a term or a code"),
        (["x" * 300], "A lookup is at most 200 characters; this one has 300"),
        (["NSTEMI", "--limit", "0"], "The limit must be between 1 and 100, not 0"),
    ],
)
def test_bad_lookups_fail_with_one_clear_line(url: str, args: list[str], message: str) -> None:
    code, out, err = himdesk_cli(url, "code", "lookup", *args, "--json")
    assert code == 1 and out == ""
    assert message in err and "Traceback" not in err
