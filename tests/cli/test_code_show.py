"""`himdesk code show CODE`: the tabular view of a code, as text or one JSON document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.coding.code_set import CodeSetLibrary
from himdesk.services.code_reference import CodeReference
from tests.cli.test_commands import himdesk_cli


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIMDESK_DEMO_MODE", "1")


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code_set_library: CodeSetLibrary) -> str:
    """A process whose code sets are the session's FY2026 library (as if loaded)."""
    reference = CodeReference(lambda: code_set_library)
    monkeypatch.setattr(Himdesk, "code_reference", property(lambda self: reference))
    return f"sqlite:///{tmp_path}/unused.db"


def show(url: str, *args: str) -> tuple[int, str, str]:
    return himdesk_cli(url, "code", "show", *args)


def test_code_show_json_gives_title_billable_hierarchy_notes_by_kind(url: str) -> None:
    code, out, err = show(url, "I214", "--json")
    assert code == 0, err
    view = json.loads(out)
    assert view["code"] == "I21.4" and view["billable"] is True and view["fiscal_year"] == 2026
    assert view["title"] == "Non-ST elevation (NSTEMI) myocardial infarction"
    assert [step["code"] for step in view["hierarchy"]] == ["Chapter 9", "I20-I25", "I21"]
    old_mi = next(n for n in view["notes"]["excludes2"] if n["text"].startswith("old myocardial"))
    assert old_mi == {"text": "old myocardial infarction (I25.2)", "printed_at": "I21",
                      "codes": ["I25.2"]}  # fmt: skip
    assert set(view["notes"]) >= {"includes", "excludes1", "codeFirst", "useAdditionalCode"}
    assert view["seventh"] is None


def test_code_show_json_builds_the_seventh_character_codes(url: str) -> None:
    code, out, err = show(url, "S72.001", "--json")
    assert code == 0, err
    view = json.loads(out)
    assert view["billable"] is False
    assert view["seventh"]["printed_at"] == "S72"
    first = view["seventh"]["characters"][0]
    assert first["character"] == "A" and first["code"] == "S72.001A"
    assert first["meaning"] == "initial encounter for closed fracture"


def test_code_show_json_of_a_full_code_names_what_it_builds_on(url: str) -> None:
    code, out, err = show(url, "S02.0XXA", "--json")
    assert code == 0, err
    view = json.loads(out)
    assert view["builds_on"]["code"] == "S02.0" and view["seventh_character"]["character"] == "A"
    assert view["billable"] is True


def test_code_show_prints_the_view_for_people(url: str) -> None:
    code, out, err = show(url, "E11")
    assert code == 0, err
    assert "Not billable — choose one of its 87 codes" in out
    assert "Use additional code" in out and "insulin (Z79.4)" in out


def test_an_unknown_code_is_an_error_naming_the_nearest_code(url: str) -> None:
    code, out, err = show(url, "I21.49", "--json")
    assert code == 1 and out == ""
    assert "I21.49 is not in ICD-10-CM FY2026. The nearest code it has is I21.4" in err


def test_text_that_is_no_code_is_a_clear_error(url: str) -> None:
    code, out, err = show(url, "heart attack")
    assert code == 1 and out == ""
    assert "is not an ICD-10-CM code" in err


def test_without_loaded_code_sets_the_error_says_how_to_load_them(database_url: str) -> None:
    code, out, err = himdesk_cli(database_url, "code", "show", "I21.4", "--json")
    assert code == 1 and out == ""
    assert "No ICD-10-CM code set is loaded" in err and "himdesk codesets load" in err
