"""`himdesk import PATH...`: files and directories, a report, every rejection listed, exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from himdesk.bootstrap import Himdesk
from tests.cli.test_commands import himdesk_cli

ADT = (
    "MSH|^~\\&|ADT|GENERAL|HIMDESK|HIM|20261101083000||ADT^A04^ADT_A01|MSG0001|P|2.5.1\r"
    "EVN|A04|20261101083000\r"
    "PID|1||445566^^^GENERAL^MR||Haugen^Sigrid||19520611|F|||12 Pine St^^Salem^MA^01970\r"
    "PV1|1|O|CLINIC||||1234567893^Okafor^Ada||||||||||||V445566\r"
)


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIMDESK_DEMO_MODE", "1")


@pytest.fixture
def inbox(tmp_path: Path, shared_data: Path) -> Path:
    """A directory of two Synthea bundles, an HL7 message, notes and a broken bundle."""
    folder = tmp_path / "inbox"
    (folder / "fhir").mkdir(parents=True)
    for bundle in sorted((shared_data / "synthea_fhir_r4" / "bundles").glob("*.json"))[:2]:
        (folder / "fhir" / bundle.name).write_bytes(bundle.read_bytes())
    (folder / "adt.txt").write_text(ADT)
    (folder / "readme.txt").write_text("Scanned 2026-11-01; see the binder.")
    (folder / "broken.json").write_text('{"resourceType": "Bundle", "entry": [')
    return folder


def import_json(url: str, *paths: Path) -> tuple[int, dict[str, object], str]:
    code, out, err = himdesk_cli(url, "import", *map(str, paths), "--json")
    return code, json.loads(out), err


def test_a_directory_is_imported_and_every_rejection_listed(
    database_url: str, himdesk: Himdesk, inbox: Path
) -> None:
    code, report, _err = import_json(database_url, inbox)
    assert code == 1
    assert (report["files"], report["imported"], report["rejected"]) == (4, 3, 1)
    (rejection,) = report["rejections"]  # type: ignore[misc]
    assert rejection["label"].endswith("broken.json") and rejection["reason"]
    counts = report["counts"]
    assert counts["patients"] == 3 and counts["observations"] > 100  # type: ignore[index]
    assert report["not_held"]["Claim"] > 0  # type: ignore[index]
    with himdesk.unit_of_work() as uow:
        assert uow.import_reviews.count_open() == (0, 1)


def test_importing_the_same_files_again_changes_nothing(database_url: str, inbox: Path) -> None:
    (inbox / "broken.json").unlink()
    assert import_json(database_url, inbox)[0] == 0
    code, report, _err = import_json(database_url, inbox)
    assert code == 0 and (report["imported"], report["unchanged"]) == (0, 3)
    assert report["counts"] == {}


def test_the_human_report_lists_rejections_with_file_and_reason(
    database_url: str, inbox: Path
) -> None:
    code, out, err = himdesk_cli(database_url, "import", str(inbox / "broken.json"),
                                 str(inbox / "adt.txt"))  # fmt: skip
    assert code == 1
    assert "imported" in out and "rejected" in out
    assert "broken.json" in err and "rejected:" in err


def test_a_file_named_explicitly_is_tried_even_when_it_is_not_a_record(
    database_url: str, inbox: Path
) -> None:
    code, report, _err = import_json(database_url, inbox / "readme.txt")
    assert code == 1 and "not a FHIR R4 JSON, HL7 v2 or C-CDA file" in str(report["rejections"])


def test_a_missing_path_is_a_clear_error(database_url: str, tmp_path: Path) -> None:
    code, out, err = himdesk_cli(database_url, "import", str(tmp_path / "nowhere"))
    assert code == 1 and out == "" and "no such file or directory" in err


def test_the_json_report_lists_each_submission_with_its_patients_hold_or_rejection(
    database_url: str, inbox: Path
) -> None:
    (inbox / "adt.txt").write_bytes(ADT.encode() + ADT.replace("19520611", "").encode())
    code, report, _err = import_json(database_url, inbox)
    assert code == 1
    lines = {line["label"].rsplit("/", 1)[-1]: line for line in report["submissions"]}  # type: ignore[attr-defined]
    assert len(lines) == 5 and {line["status"] for line in lines.values()} == {
        "imported",
        "rejected",
    }
    admitted = lines["adt.txt message 1"]
    assert admitted["patients"] == ["M0000001"] and admitted["hold"] is None
    refused = lines["adt.txt message 2"]
    assert refused["patients"] == [] and isinstance(refused["rejection"], int)
    assert all(
        len(line["patients"]) == 1 for line in lines.values() if line["status"] == "imported"
    )


def test_the_human_report_ends_with_a_short_summary_of_submissions_and_charts(
    database_url: str, inbox: Path
) -> None:
    code, out, _err = himdesk_cli(database_url, "import", str(inbox / "adt.txt"))
    assert code == 0
    assert "1 bundle, message or document; 1 patient chart touched" in out
