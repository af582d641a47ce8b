"""Bad input to every form: a clear refusal, never a crash, and nothing written.

The forms are enumerated from the route table (via the access matrix), so a new form is
covered as soon as it exists.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Action, Role, is_permitted
from himdesk.storage.tables import metadata
from tests.web.conftest import LogIn, csrf_of
from tests.web.test_access_matrix import API_TOKEN, PUBLIC, ROUTE_PERMISSIONS, SIGNED_IN

# Forms without fields of their own: there is no bad input to give them.
NO_FIELDS = {
    "POST /logout",
    "POST /patients/{patient_id}/documents/{document_id}/sign",
    "POST /encounters/{encounter_id}/analysis/run",
    "POST /encounters/{encounter_id}/analysis/complete",
    "POST /queries/escalate",
}
# Written by every request (trail, sessions, review flags), not by the forms themselves.
LOGS = {"audit_events", "audit_checkpoints", "web_sessions", "access_flags"}
FIELDS = (
    "version", "family_name", "given_name", "middle_name", "birth_on", "sex", "address_line",
    "city", "state", "postal_code", "phone", "ssn", "reason", "text", "disposition", "note",
    "category", "target", "target_id", "requested_change", "received_on", "ground",
    "explanation", "disagreement", "rebuttal", "decision",
    "question", "indicators", "format", "options", "addressee_id", "deficiency_id", "option",
    "answer",
)  # fmt: skip
FORMS = sorted(
    key for key, needed in ROUTE_PERMISSIONS.items()
    if key.startswith("POST ") and needed not in (PUBLIC, SIGNED_IN, API_TOKEN)
    and key not in NO_FIELDS
)  # fmt: skip
PAYLOADS = {
    "empty": {},
    "oversize": dict.fromkeys(FIELDS, "x" * 300_000),
    "wrong-shapes": dict.fromkeys(FIELDS, "\x00<script>alert(1)</script>") | {"version": "-1"},
}


def _role_for(needed: Action) -> Role:
    preferred = (Role.HIM_MANAGER, Role.PRIVACY_OFFICER, Role.CLINICIAN, Role.HIT)
    return next(role for role in preferred if is_permitted(role, needed))


def _version(table: str) -> Any:
    return metadata.tables[table].c.version


def _state(himdesk: Himdesk) -> dict[str, int]:
    with himdesk.engine.connect() as c:
        return {
            t.name: int(c.execute(select(func.count()).select_from(t)).scalar_one())
            for t in metadata.sorted_tables if t.name not in LOGS
        } | {
            f"{name} versions": int(c.execute(select(func.sum(_version(name)))).scalar_one())
            for name in ("patients", "documents")
        }  # fmt: skip


def test_the_forms_are_found() -> None:
    assert "POST /patients/{patient_id}/demographics" in FORMS and len(FORMS) >= 10


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
@pytest.mark.parametrize("form", FORMS)
def test_bad_input_is_refused_clearly_and_writes_nothing(
    form: str, payload: str, log_in: LogIn, targets: dict[str, str], himdesk: Himdesk
) -> None:
    client: TestClient = log_in(_role_for(Action(ROUTE_PERMISSIONS[form])).value)
    token = csrf_of(client.get("/").text)
    path = re.sub(r"\{(\w+)\}", lambda m: targets[m.group(1)], form.split(" ", 1)[1])
    before = _state(himdesk)
    response = client.post(path, data={"csrf_token": token, **PAYLOADS[payload]})
    assert 400 <= response.status_code < 500, (response.status_code, response.text[-400:])
    assert "Traceback" not in response.text
    assert 'class="notice error"' in response.text or 'class="field-error"' in response.text
    assert _state(himdesk) == before
