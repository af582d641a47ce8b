"""`himdesk chart analyze` prints the deficiencies as one JSON document."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_commands import himdesk_cli


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIMDESK_DEMO_MODE", "1")


def test_chart_analyze_lists_deficiencies_with_encounter_kind_and_assignee(
    database_url: str,
) -> None:
    code, _out, err = himdesk_cli(database_url, "demo", "load", "--patients", "60", "--json")
    assert code == 0, err
    code, out, err = himdesk_cli(database_url, "chart", "analyze", "--json")
    assert code == 0, err
    findings = json.loads(out)
    assert findings, "the demo hospital plants deficiencies"
    first = findings[0]
    assert {"encounter", "kind", "severity", "message", "assignee"} <= set(first)
    code, out, err = himdesk_cli(database_url, "chart", "analyze", "--encounter",
                                 str(first["encounter"]), "--json")  # fmt: skip
    assert code == 0, err
    assert {f["encounter"] for f in json.loads(out)} == {first["encounter"]}


def test_an_unknown_encounter_is_a_clear_error(database_url: str) -> None:
    code, out, err = himdesk_cli(database_url, "chart", "analyze", "--encounter", "424242")
    assert code == 1 and out == ""
    assert "No discharged encounter 424242 was found." in err
