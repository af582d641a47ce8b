"""`himdesk code group`: one JSON document with the DRG, or one clear error line.

Grouping opens no database: the URL only satisfies the global option."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from himdesk.cli.code_group_command import ASSUMED_POA
from tests.cli.test_commands import himdesk_cli


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIMDESK_DEMO_MODE", "1")


@pytest.fixture
def unused_db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/never-opened.db"


def group(url: str, *args: str) -> tuple[int, str, str]:
    return himdesk_cli(url, "code", "group", *args)


def test_heart_failure_with_respiratory_failure_is_drg_291(unused_db: str) -> None:
    codes = ("--pdx", "I50.21", "--sdx", "J96.01", "--sdx", "E11.9")
    code, out, err = group(unused_db, *codes, "--age", "78", "--sex", "F",
                           "--discharged", "2026-05-01", "--json")  # fmt: skip
    assert code == 0, err
    drg = json.loads(out)
    assert {k: drg[k] for k in ("drg", "title", "weight", "mdc", "version", "fiscal_year")} == {
        "drg": "291", "title": "Heart Failure and Shock with MCC", "weight": 1.2838, "mdc": 5,
        "version": "v43.1", "fiscal_year": 2026}  # fmt: skip
    assert drg["mdc_title"] == "Diseases and Disorders of the Circulatory System"
    assert [(d["code"], d["role"], d["severity"]) for d in drg["drivers"]] == [
        ("I50.21", "principal", ""), ("J96.01", "secondary", "MCC")]  # fmt: skip
    assert drg["hints"] == [] and drg["notes"] == [ASSUMED_POA]


def test_codes_without_dots_group_the_same(unused_db: str) -> None:
    args = ("--age", "63", "--sex", "M", "--discharged", "2026-05-01", "--json")
    _, dotted, _ = group(unused_db, "--pdx", "I21.4", "--pcs", "027034Z", *args)
    _, bare, _ = group(unused_db, "--pdx", "i214", "--pcs", "027034z", *args)
    assert json.loads(dotted) == json.loads(bare)
    assert json.loads(dotted)["drg"] == "322"


def test_hints_say_what_would_change_the_drg(unused_db: str) -> None:
    code, out, err = group(unused_db, "--pdx", "I50.21", "--age", "70", "--discharged",
                           "2026-05-01", "--json")  # fmt: skip
    assert code == 0, err
    hints = json.loads(out)["hints"]
    assert [h.split(" the stay would group to ")[1][:3] for h in hints] == ["291", "292"]


def test_poa_n_on_a_hospital_acquired_fall_is_noted(unused_db: str) -> None:
    code, out, err = group(unused_db, "--pdx", "J18.9", "--sdx", "S72.001A", "--poa", "YN",
                           "--age", "81", "--discharged", "2026-05-01", "--json")  # fmt: skip
    assert code == 0, err
    drg = json.loads(out)
    assert drg["drg"] == "195"
    assert drg["notes"] == [
        "S72.001A is a hospital-acquired condition (Falls and Trauma) not present on "
        "admission: CMS does not count it, so the DRG is 195 instead of 193."
    ]


def test_without_a_discharge_date_the_latest_release_has_no_weight(unused_db: str) -> None:
    code, out, err = group(unused_db, "--pdx", "I50.21", "--age", "70", "--json")
    assert code == 0, err
    drg = json.loads(out)
    assert (drg["version"], drg["weight"]) == ("v44.0", None)
    assert any(n.startswith("FY2027 relative weights are not loaded") for n in drg["notes"])


def test_the_expired_disposition_changes_the_drg(unused_db: str) -> None:
    args = ("--pdx", "J18.9", "--sdx", "I46.9", "--age", "80", "--discharged", "2026-05-01")
    _, alive, _ = group(unused_db, *args, "--json")
    _, died, _ = group(unused_db, *args, "--disposition", "20", "--json")
    assert (json.loads(alive)["drg"], json.loads(died)["drg"]) == ("193", "195")


def test_without_json_the_drg_is_printed_for_people(unused_db: str) -> None:
    code, out, err = group(unused_db, "--pdx", "I50.21", "--sdx", "N17.9", "--age", "70",
                           "--discharged", "2026-05-01")  # fmt: skip
    assert code == 0, err
    assert out.startswith("DRG 292 Heart Failure and Shock with CC — weight 0.8490")
    assert "N17.9" in out and "291" in out


def test_without_an_age_a_medicare_beneficiary_is_assumed_and_said(unused_db: str) -> None:
    code, out, _ = group(unused_db, "--pdx", "I50.21", "--discharged", "2026-05-01", "--json")
    result = json.loads(out)
    assert (code, result["drg"]) == (0, "293")
    assert any("Age not given: grouped as 65" in note for note in result["notes"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--pdx", "I50", "--age", "70"), "I50 (principal diagnosis) is not a valid code"),
        (("--pdx", "I50.21", "--sdx", "J96.0X", "--age", "70"),
         "J96.0X (secondary diagnosis) is not a valid code"),
        (("--pdx", "I21.4", "--pcs", "0ZZZZZZ", "--age", "70"), "0ZZZZZZ (procedure)"),
        (("--pdx", "heart", "--age", "70"), "--pdx 'heart' is not an ICD-10-CM code"),
        (("--pdx", "I21.4", "--pcs", "12", "--age", "70"), "--pcs '12' is not an ICD-10-PCS"),
        (("--pdx", "I50.21", "--age", "200"), "Age 200 is outside 0-124"),
        (("--pdx", "I50.21", "--sdx", "N17.9", "--poa", "Y", "--age", "70"),
         "--poa 'Y': give 2 indicator(s)"),
        (("--pdx", "I50.21", "--sex", "X", "--age", "70"), "--sex 'X': use F, M or U"),
        (("--pdx", "I50.21", "--age", "70", "--discharged", "May 1"), "use YYYY-MM-DD"),
        (("--pdx", "I50.21", "--age", "70", "--disposition", "99"), "Discharge status 99"),
        (("--pdx", "I50.21", "--age", "70", "--disposition", "²"), "--disposition '²'"),
        (("--pdx", "I" * 100_000, "--age", "70"), "is not an ICD-10-CM code"),
    ],
)  # fmt: skip
def test_bad_input_is_one_clear_error_and_exit_1(
    unused_db: str, args: tuple[str, ...], message: str
) -> None:
    code, out, err = group(unused_db, *args, "--json")
    assert (code, out) == (1, "")
    assert message in err and "Traceback" not in err
    assert len(err) < 500  # a pasted page is not echoed back
