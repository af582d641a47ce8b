"""`himdesk api-client add | list | keys | revoke`, in-process against each backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from himdesk.bootstrap import Himdesk
from tests.cli.test_commands import himdesk_cli
from tests.signing_keys import ec_key, rsa_key


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
    assert listed["auth_method"] == "client_secret"
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


def key_file(tmp_path: Path, document: object, name: str = "jwks.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return str(path)


def test_add_with_a_jwk_set_registers_a_client_without_a_secret(
    database_url: str, tmp_path: Path
) -> None:
    jwks = key_file(tmp_path, rsa_key().key_set(ec_key()))
    code, out, err = himdesk_cli(database_url, "api-client", "add", "State registry", "--scope",
                                 "system/*.read", "--jwks", jwks)  # fmt: skip
    assert code == 0, err
    assert out.startswith("client_id: hd-") and "secret" not in out
    assert "rsa-1, ec-1" in err
    code, out, err = himdesk_cli(database_url, "api-client", "list", "--json")
    (listed,) = json.loads(out)
    assert (listed["auth_method"], listed["key_ids"]) == ("private_key_jwt", ["rsa-1", "ec-1"])
    code, _out, err = himdesk_cli(database_url, "api-client", "list")
    assert code == 0 and "JWT" in err and "rsa-1" in err


@pytest.mark.parametrize(
    ("document", "expected"),
    [({"keys": [rsa_key().jwk(private=True)]}, "jwks: key 'rsa-1' holds private key material"),
     ({"keys": [{"kty": "oct", "kid": "shared", "k": "c2VjcmV0"}]},
      "jwks: key 'shared' holds private key material (k)"),
     ({"keys": [{**ec_key().jwk(), "alg": "ES512"}]}, "jwks: key 'ec-1' has alg 'ES512'")],
)  # fmt: skip
def test_a_jwk_set_with_private_or_unsupported_keys_is_refused_naming_the_key(
    database_url: str, tmp_path: Path, document: object, expected: str
) -> None:
    jwks = key_file(tmp_path, document)
    code, out, err = himdesk_cli(database_url, "api-client", "add", "Leaky", "--scope",
                                 "system/*.read", "--jwks", jwks)  # fmt: skip
    assert code == 1 and out == "" and expected in err and "Traceback" not in err
    _code, out, _err = himdesk_cli(database_url, "api-client", "list", "--json")
    assert json.loads(out) == []


def test_a_jwks_file_that_is_missing_or_not_json_fails_clearly(
    database_url: str, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"keys": [')
    for path, expected in [(broken, "is not JSON"), (tmp_path / "absent.json", "absent.json")]:
        code, _out, err = himdesk_cli(database_url, "api-client", "add", "HIE", "--scope",
                                      "system/*.read", "--jwks", str(path))  # fmt: skip
        assert code == 1 and expected in err and "Traceback" not in err


def test_keys_replaces_a_clients_key_set(database_url: str, tmp_path: Path) -> None:
    _code, out, _err = himdesk_cli(database_url, "api-client", "add", "HIE", "--scope",
                                   "system/*.read", "--json")  # fmt: skip
    client_id = json.loads(out)["client_id"]
    new_keys = key_file(tmp_path, ec_key("ec-2", "ES256").key_set())
    code, _out, err = himdesk_cli(database_url, "api-client", "keys", client_id, "--jwks", new_keys)
    assert code == 0, err
    _code, out, _err = himdesk_cli(database_url, "api-client", "list", "--json")
    assert json.loads(out)[0]["key_ids"] == ["ec-2"]
    code, _out, err = himdesk_cli(database_url, "api-client", "keys", client_id)
    assert code == 1 and "--jwks FILE" in err
    code, _out, err = himdesk_cli(database_url, "api-client", "keys", "hd-none", "--jwks", new_keys)
    assert code == 1 and "No active API client" in err
