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
    "answer", "dx_code", "dx_poa", "px_code", "px_date", "px_operator",
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


# The code-set reference pages take their input in the address (GET): garbage, overlong text
# and impossible codes are refused with a message that says what is wrong, never a crash.
CODE_VIEW_INPUTS = {
    "/coding/codes/heart%20attack": (400, "is not an ICD-10-CM code"),
    "/coding/codes/" + "I" * 5000: (400, "is not an ICD-10-CM code"),
    "/coding/codes/%00%3Cscript%3E": (400, "is not an ICD-10-CM code"),
    "/coding/codes/Q99.99": (404, "Q99.99 is not in ICD-10-CM FY2026"),
    "/coding/codes/S72001Z": (404, "The 7th character Z is not defined for S72.001"),
    "/coding/codes/I21.4?year=99999": (400, "year"),
    "/coding/codes?code=" + "x" * 5000: (400, "code"),
    "/coding/neoplasms?q=" + "x" * 20_000: (400, "a site or substance needs at most 200"),
    "/coding/drugs?q=" + "x" * 5000: (400, "a site or substance needs at most 200"),
    "/coding/pcs?code=0DI": (400, "Character 3 of an ICD-10-PCS code cannot be"),
    "/coding/pcs?code=%00": (400, "Character 1 of an ICD-10-PCS code cannot be"),
    "/coding/pcs?code=" + "0" * 5000: (400, "code"),
    "/coding/pcs?code=ZZZZZZZ": (404, "No ICD-10-PCS FY2026 section is"),
    "/coding/pcs?code=0DT6X": (404, "table 0DT allows no approach"),
    "/coding/encoder?q=" + "x" * 5000: (400, "A lookup is at most 200 characters"),
    "/coding/encoder/results?q=": (400, "Type a diagnosis, a term or a code"),
    "/coding/encoder/results?q=%20%20": (400, "Type a diagnosis, a term or a code"),
    "/coding/encoder/results?q=" + "heart+" * 100: (400, "A lookup is at most 200 characters"),
    "/coding/encoder?q=NSTEMI&year=99999": (400, "year"),
}


@pytest.mark.parametrize("path", sorted(CODE_VIEW_INPUTS))
def test_bad_code_view_input_is_refused_with_a_specific_message(
    path: str, log_in: LogIn, coding_himdesk: Himdesk
) -> None:
    status, message = CODE_VIEW_INPUTS[path]
    response = log_in("coder").get(path)
    assert response.status_code == status, response.text[-400:]
    assert message in response.text and 'class="notice error"' in response.text
    assert "Traceback" not in response.text
