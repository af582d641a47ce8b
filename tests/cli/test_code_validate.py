"""`himdesk code validate CODE...`: the edits as one JSON document (or for people), exit 1
when any is an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.codesets.cms_code_editor import make_medicare_editor
from himdesk.domain.coding.code_set import CodeSetLibrary
from himdesk.services.code_reference import CodeReference
from tests.cli.test_commands import himdesk_cli

KEYS = {"code", "edit", "severity", "message", "fix"}


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIMDESK_DEMO_MODE", "1")


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code_set_library: CodeSetLibrary) -> str:
    """A process whose code sets are the session's FY2026 library (as if loaded)."""
    reference = CodeReference(lambda: code_set_library, medicare_editor=make_medicare_editor)
    monkeypatch.setattr(Himdesk, "code_reference", property(lambda self: reference))
    return f"sqlite:///{tmp_path}/unused.db"


def validate(url: str, *args: str) -> tuple[int, list[dict[str, str]], str]:
    code, out, err = himdesk_cli(url, "code", "validate", *args, "--json")
    return code, (json.loads(out) if out else []), err


def test_clean_codes_exit_zero_with_no_errors(url: str) -> None:
    code, edits, err = validate(url, "I21.4:Y", "E11.9:Y", "02703DZ", "--age", "70", "--sex", "M")
    assert code == 0, err
    assert all(set(e) == KEYS and e["severity"] != "error" for e in edits)


def test_an_error_edit_exits_one_and_says_what_and_how_to_fix(url: str) -> None:
    code, edits, _err = validate(url, "I21", "--age", "70")
    assert code == 1
    header = next(e for e in edits if e["edit"] == "header_code")
    assert header["code"] == "I21" and header["severity"] == "error"
    assert header["message"].startswith("I21 (Acute myocardial infarction) is a category")
    assert header["fix"].startswith("Report the most specific code beneath I21")


def test_poa_after_a_colon_and_the_setting_decide_poa_edits(url: str) -> None:
    code, edits, _err = validate(url, "I50.21:Y", "N17.9", "--age", "70")
    assert code == 1
    assert [(e["code"], e["edit"]) for e in edits if e["edit"].startswith("poa")] == [
        ("N17.9", "poa_required")
    ]
    code, edits, err = validate(url, "I50.21", "N17.9", "--age", "70", "--setting", "outpatient")
    assert code == 0, err
    assert not any(e["edit"].startswith("poa") for e in edits)


def test_procedures_are_told_by_shape_or_named_with_pcs(url: str) -> None:
    code, edits, _err = validate(url, "K80.20:Y", "0FT44ZZ", "--pcs", "0FT44ZZ", "--age", "50")
    assert code == 0
    assert [(e["code"], e["severity"]) for e in edits if e["edit"] == "duplicate"] == [
        ("0FT44ZZ", "warning")
    ]


def test_the_age_sex_and_discharge_date_reach_the_medicare_code_editor(url: str) -> None:
    args = ("I10:Y", "N40.0:Y", "--age", "70", "--sex", "F")
    code, edits, _err = validate(url, *args, "--discharged", "2023-05-01")
    assert code == 1
    sex = next(e for e in edits if e["edit"] == "sex_conflict")
    assert sex["code"] == "N40.0" and sex["severity"] == "error"
    assert any(e["edit"] == "code_set_release" for e in edits)
    _code, edits, _err = validate(url, *args, "--discharged", "2025-11-01")
    assert next(e for e in edits if e["edit"] == "sex_conflict")["severity"] == "warning"


def test_edits_print_for_people_without_json(url: str) -> None:
    code, out, _err = himdesk_cli(url, "code", "validate", "E10.9:Y", "E11.9:Y", "--age", "50")
    assert code == 1
    assert "ERROR" in out and "excludes1" in out and "fix: Keep the code" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("I10", "--sex", "X"), "--sex 'X': use F, M or U."),
        (("I10", "--discharged", "01/05/2025"), "--discharged '01/05/2025': use YYYY-MM-DD."),
        (("I10", "--setting", "home"), "--setting 'home': use inpatient or outpatient."),
        (("I10", "--disposition", "home"), "--disposition 'home': use the two-digit"),
        (("0FT44ZZ", "I10"), "'0FT44ZZ' is a procedure code: the first CODE is the principal"),
        (("I10", "--pcs", "chole"), "--pcs 'chole' is not an ICD-10-PCS code"),
        (("I10", "--disposition", "²"), "--disposition '²': use the two-digit"),
        (("I10", "X" * 100_000), "is not a code: a code has at most 8 characters"),
    ],
)
def test_bad_input_is_a_clear_error(url: str, args: tuple[str, ...], message: str) -> None:
    code, out, err = himdesk_cli(url, "code", "validate", *args, "--json")
    assert code != 0 and out == ""
    assert message in " ".join(err.split())
    assert len(err) < 500  # a pasted page is not echoed back


def test_without_code_sets_the_error_says_how_to_load_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = CodeReference(CodeSetLibrary)
    monkeypatch.setattr(Himdesk, "code_reference", property(lambda self: reference))
    code, out, err = himdesk_cli(f"sqlite:///{tmp_path}/x.db", "code", "validate", "I10")
    assert code == 1 and out == ""
    assert "himdesk codesets load DIR" in err
