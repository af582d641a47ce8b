"""`himdesk codesets load [DIR]` and `himdesk codesets list`, in-process against each backend,
on small release files in the official formats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_commands import himdesk_cli
from tests.code_set_samples import FLAT_INDEX, TABULAR, small_release, write_release


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIMDESK_DEMO_MODE", "1")
    monkeypatch.delenv("HIMDESK_CODESET_DIR", raising=False)


def _load(database_url: str, *args: str) -> dict[str, Any]:
    code, out, err = himdesk_cli(database_url, "codesets", "load", *args, "--json")
    assert code == 0, err
    loaded: dict[str, Any] = json.loads(out)
    return loaded


def test_load_reports_each_release_with_its_files_and_years(
    database_url: str, tmp_path: Path
) -> None:
    report = _load(database_url, str(small_release(tmp_path / "release")))
    cm, pcs = report["releases"]
    assert (cm["system"], cm["fiscal_year"], cm["outcome"]) == ("ICD-10-CM", 2031, "loaded")
    assert [(s["name"], s["part"], s["fiscal_year"], s["entries"]) for s in cm["sources"]] == [
        ("eindex_2030.xml", "index:external_causes", 2030, 1),
        ("index_2030_flat.csv", "index:diseases", 2030, 6),
        ("tabular_2031.xml", "tabular", 2031, 4),
    ]
    assert (pcs["system"], pcs["fiscal_year"], pcs["effective_from"]) == (
        "ICD-10-PCS", 2031, "2030-10-01",
    )  # fmt: skip
    assert report["ignored"] == ["notes.txt"]


def test_load_flags_index_codes_the_tabular_does_not_have(
    database_url: str, tmp_path: Path
) -> None:
    report = _load(database_url, str(small_release(tmp_path / "release")))
    assert report["releases"][0]["absent_index_codes"] == {"count": 2, "first": ["I25.2", "X58"]}


def test_loading_the_same_files_again_reports_them_unchanged(
    database_url: str, tmp_path: Path
) -> None:
    directory = str(small_release(tmp_path / "release"))
    _load(database_url, directory)
    again = _load(database_url, directory)
    assert [r["outcome"] for r in again["releases"]] == ["unchanged", "unchanged"]
    write_release(
        tmp_path / "release", index_2030_flat__csv=FLAT_INDEX + "7,I,2,subsequent,,,,I21.9\n"
    )
    changed = _load(database_url, directory)
    assert [r["outcome"] for r in changed["releases"]] == ["replaced", "unchanged"]


def test_list_shows_the_loaded_releases(database_url: str, tmp_path: Path) -> None:
    _load(database_url, str(small_release(tmp_path / "release")))
    code, out, err = himdesk_cli(database_url, "codesets", "list", "--json")
    assert code == 0, err
    listed = json.loads(out)
    assert [(r["system"], r["fiscal_year"]) for r in listed] == [
        ("ICD-10-CM", 2031), ("ICD-10-PCS", 2031),
    ]  # fmt: skip
    assert listed[0]["loaded_by"].startswith("cli:")


def test_the_human_report_names_the_files_and_the_absent_codes(
    database_url: str, tmp_path: Path
) -> None:
    code, _out, err = himdesk_cli(
        database_url, "codesets", "load", str(small_release(tmp_path / "release"))
    )
    assert code == 0, err
    assert "ICD-10-CM FY2031: loaded" in err and "index_2030_flat.csv" in err
    assert "2 index codes are not codes in the FY2031 tabular" in err
    assert "Not release files, ignored: notes.txt" in err


def test_without_a_directory_the_configured_one_is_loaded(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIMDESK_CODESET_DIR", str(small_release(tmp_path / "release")))
    report = _load(database_url)
    assert report["directory"] == str(tmp_path / "release")
    assert [r["fiscal_year"] for r in report["releases"]] == [2031, 2031]


def test_an_empty_database_lists_no_releases(database_url: str) -> None:
    code, out, err = himdesk_cli(database_url, "codesets", "list")
    assert code == 0 and "No code sets are loaded" in err


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"readme__md": "# no release here"}, "no ICD-10-CM or ICD-10-PCS release file found"),
        (
            {"tabular__xml": TABULAR.replace("</desc>", "</title>", 1)},
            "tabular.xml, line 6: not well-formed XML",
        ),
        (
            {"tabular__xml": TABULAR, "index_2030__csv": FLAT_INDEX.replace("Code\n", "Codes\n")},
            'index_2030.csv, line 1: header column 8 is "Codes", expected "Code"',
        ),
    ],
)
def test_a_bad_directory_fails_with_a_clear_message_and_stores_nothing(
    database_url: str, tmp_path: Path, files: dict[str, str], message: str
) -> None:
    code, out, err = himdesk_cli(
        database_url,
        "codesets",
        "load",
        str(write_release(tmp_path / "release", **files)),
        "--json",
    )
    assert (code, out) == (1, "")
    assert message in " ".join(err.split()) and "Traceback" not in err
    _code, listed, _err = himdesk_cli(database_url, "codesets", "list", "--json")
    assert json.loads(listed) == []


def test_a_missing_directory_is_named(database_url: str, tmp_path: Path) -> None:
    code, _out, err = himdesk_cli(database_url, "codesets", "load", str(tmp_path / "nowhere"))
    assert code == 1 and "nowhere: no such directory" in " ".join(err.split())
