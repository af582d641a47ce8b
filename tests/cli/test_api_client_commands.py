"""`himdesk api-client add | list | revoke`, in-process against each backend."""

from __future__ import annotations

import json

import pytest

from himdesk.bootstrap import Himdesk
from tests.cli.test_commands import himdesk_cli


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIMDESK_DEMO_MODE", "1")


def test_add_prints_the_id_and_secret_once_and_list_never_shows_it(
    database_url: str, himdesk: Himdesk
) -> None:
    code, out, err = himdesk_cli(database_url, "api-client", "add", "County HIE", "--scope",
                                 "system/Patient.read", "--scope", "system/Observation.rs",
                                 "--json")  # fmt: skip
    assert code == 0, err
    added = json.loads(out)
    assert added["scopes"] == ["system/Patient.read", "system/Observation.read"]
    assert added["client_id"].startswith("hd-") and len(added["secret"]) >= 40
    code, out, err = himdesk_cli(database_url, "api-client", "list", "--json")
    assert code == 0, err
    (listed,) = json.loads(out)
    assert listed["client_id"] == added["client_id"] and "secret" not in listed
    assert added["secret"] not in out


def test_add_without_json_prints_id_and_secret_on_stdout(database_url: str) -> None:
    code, out, err = himdesk_cli(database_url, "api-client", "add", "HIE", "--scope",
                                 "system/*.read")  # fmt: skip
    assert code == 0, err
    assert out.startswith("client_id: hd-") and "secret:" in out


def test_a_bad_scope_fails_clearly(database_url: str) -> None:
    code, out, err = himdesk_cli(database_url, "api-client", "add", "HIE", "--scope",
                                 "patient/*.write")  # fmt: skip
    assert code == 1 and out == ""
    assert "scope" in err and "system/<Type>.read" in err and "Traceback" not in err


def test_revoke_deactivates_and_an_unknown_client_fails(database_url: str) -> None:
    _code, out, _err = himdesk_cli(database_url, "api-client", "add", "HIE", "--scope",
                                   "system/*.read", "--json")  # fmt: skip
    client_id = json.loads(out)["client_id"]
    code, _out, err = himdesk_cli(database_url, "api-client", "revoke", client_id)
    assert code == 0, err
    _code, out, _err = himdesk_cli(database_url, "api-client", "list", "--json")
    assert json.loads(out)[0]["active"] is False
    code, _out, err = himdesk_cli(database_url, "api-client", "revoke", client_id)
    assert code == 1 and "No active API client" in err


def test_demo_load_registers_the_demo_api_client_and_prints_it(
    database_url: str, himdesk: Himdesk
) -> None:
    code, out, err = himdesk_cli(database_url, "demo", "load", "--patients", "3")
    assert code == 0, err
    assert "demo-api-client / api-client-demo-secret" in out
    code, out, _err = himdesk_cli(database_url, "demo", "load", "--patients", "3", "--if-empty")
    assert code == 0 and "demo-api-client" in out
    with himdesk.unit_of_work() as uow:
        (client,) = uow.api_clients.list_all()
    assert (client.client_id, [str(s) for s in client.scopes]) == (
        "demo-api-client", ["system/*.read"])  # fmt: skip
