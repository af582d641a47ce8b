"""Rotating the field key on a live database, on every backend."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import update

from himdesk.bootstrap import Himdesk
from himdesk.config import Settings
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.services.charts import open_chart
from himdesk.services.field_keys import key_status, rotate_field_keys
from himdesk.services.ports import User
from himdesk.storage.crypto import FieldKeyError, key_bytes, key_id_of_key
from himdesk.storage.tables import patients
from tests.fakes import ChartBuilder, FakeClock

KEY_A = "rotation-test-key-a-only-for-tests"
KEY_B = "rotation-test-key-b-only-for-tests"
ID_A = key_id_of_key(key_bytes(KEY_A))
ID_B = key_id_of_key(key_bytes(KEY_B))
ADMIN = Actor(user_id=1, username="root", role=Role.ADMIN, client_address="cli")
MANAGER = Actor(user_id=2, username="mia", role=Role.HIM_MANAGER)
SSNS = [f"123-45-{n:04d}" for n in range(1, 8)]


class Interrupted(Exception):
    """Stands in for Ctrl-C or a crash between two batches."""


def _himdesk(url: str, clock: FakeClock, current: str, *retired: str) -> Himdesk:
    settings = Settings(
        database_url=url, demo_mode=True, field_key=current, field_keys_retired=",".join(retired)
    )
    return Himdesk(settings, clock=clock)


@pytest.fixture
def under_key_a(database_url: str, clock: FakeClock) -> list[int]:
    """Seven patients with an SSN and one without, all written while key A was current."""
    app = _himdesk(database_url, clock, KEY_A)
    with app.unit_of_work() as uow:
        build = ChartBuilder(uow)
        ids = [build.patient(mrn=f"M{n:07d}", ssn=ssn).id or 0 for n, ssn in enumerate(SSNS)]
        build.patient(mrn="M0000099", ssn="")
        uow.commit()
    app.close()
    return ids


@pytest.fixture
def b_with_a_retired(database_url: str, clock: FakeClock) -> Iterator[Himdesk]:
    app = _himdesk(database_url, clock, KEY_B, KEY_A)
    yield app
    app.close()


def _ssns(app: Himdesk, ids: list[int]) -> list[str]:
    with app.unit_of_work() as uow:
        return [uow.patients.get(i).ssn for i in ids]


def _by_key(app: Himdesk) -> dict[str, int]:
    with app.unit_of_work() as uow:
        return {c.key_id: c.values for c in key_status(uow, ADMIN).counts}


def test_values_under_key_a_stay_readable_once_b_is_current_and_new_ones_use_b(
    b_with_a_retired: Himdesk, under_key_a: list[int]
) -> None:
    assert _ssns(b_with_a_retired, under_key_a) == SSNS
    with b_with_a_retired.unit_of_work() as uow:
        ChartBuilder(uow).patient(mrn="M0000100", ssn="555-44-3333")
        uow.commit()
    assert _by_key(b_with_a_retired) == {ID_A: 7, ID_B: 1}


def test_rotation_moves_every_value_to_b_and_then_a_can_be_removed(
    b_with_a_retired: Himdesk, under_key_a: list[int], database_url: str, clock: FakeClock
) -> None:
    report = rotate_field_keys(b_with_a_retired.unit_of_work, ADMIN, batch_size=3)
    assert (report.key_id, report.rotated, report.batches) == (ID_B, 7, 3)
    with b_with_a_retired.unit_of_work() as uow:
        status = key_status(uow, ADMIN)
    assert (status.to_rotate, _by_key(b_with_a_retired)) == (0, {ID_B: 7})
    only_b = _himdesk(database_url, clock, KEY_B)
    assert _ssns(only_b, under_key_a) == SSNS
    only_b.close()


def test_a_second_rotation_finds_nothing_to_do(
    b_with_a_retired: Himdesk, under_key_a: list[int]
) -> None:
    rotate_field_keys(b_with_a_retired.unit_of_work, ADMIN)
    again = rotate_field_keys(b_with_a_retired.unit_of_work, ADMIN)
    assert (again.rotated, again.batches) == (0, 0)


def test_a_value_under_a_key_not_configured_fails_naming_the_key_id_not_the_value(
    under_key_a: list[int], database_url: str, clock: FakeClock
) -> None:
    only_b = _himdesk(database_url, clock, KEY_B)
    with only_b.unit_of_work() as uow, pytest.raises(FieldKeyError) as refused:
        open_chart(uow, MANAGER, under_key_a[0])
    assert f"key id {ID_A}" in str(refused.value) and "0001" not in str(refused.value)
    with pytest.raises(FieldKeyError, match=f"patients.ssn_encrypted of row {under_key_a[0]}"):
        rotate_field_keys(only_b.unit_of_work, ADMIN)
    with only_b.unit_of_work() as uow:
        assert key_status(uow, ADMIN).unreadable_key_ids == [ID_A]
    only_b.close()


def test_an_interrupted_rotation_keeps_its_committed_batches_and_resumes(
    b_with_a_retired: Himdesk, under_key_a: list[int]
) -> None:
    def stop_after_the_first_batch(_n: int) -> None:
        raise Interrupted()

    with pytest.raises(Interrupted):
        rotate_field_keys(b_with_a_retired.unit_of_work, ADMIN, 3, stop_after_the_first_batch)
    assert _by_key(b_with_a_retired) == {ID_A: 4, ID_B: 3}
    resumed = rotate_field_keys(b_with_a_retired.unit_of_work, ADMIN, batch_size=3)
    assert resumed.rotated == 4
    assert _by_key(b_with_a_retired) == {ID_B: 7}
    assert _ssns(b_with_a_retired, under_key_a) == SSNS


def test_values_from_before_key_ids_are_read_and_rotated(
    b_with_a_retired: Himdesk, under_key_a: list[int]
) -> None:
    nonce = os.urandom(12)
    legacy = (
        b"\x01" + nonce + AESGCM(key_bytes(KEY_A)).encrypt(nonce, b"999-88-7777", b"patient.ssn")
    )
    with b_with_a_retired.engine.begin() as c:
        c.execute(
            update(patients).where(patients.c.id == under_key_a[0]).values(ssn_encrypted=legacy)
        )
    assert _ssns(b_with_a_retired, under_key_a[:1]) == ["999-88-7777"]
    assert _by_key(b_with_a_retired) == {"legacy": 1, ID_A: 6}
    assert rotate_field_keys(b_with_a_retired.unit_of_work, ADMIN).rotated == 7
    assert _ssns(b_with_a_retired, under_key_a[:1]) == ["999-88-7777"]


def test_each_batch_is_audited_with_counts_and_key_ids_only(
    b_with_a_retired: Himdesk, under_key_a: list[int]
) -> None:
    rotate_field_keys(b_with_a_retired.unit_of_work, ADMIN, batch_size=5)
    with b_with_a_retired.unit_of_work() as uow:
        events = [e.entry for e in uow.audit.iterate() if e.entry.action.startswith("keys.rotate")]
    assert [(e.action, e.object_type, e.object_id, e.patient_id) for e in events] == [
        ("keys.rotate.batch", "patients.ssn_encrypted", f"5 to {ID_B}", None),
        ("keys.rotate.batch", "patients.ssn_encrypted", f"2 to {ID_B}", None),
        ("keys.rotate", "field-key", f"7 to {ID_B}", None),
    ]


def test_only_the_system_administrator_rotates_or_counts_keys(
    b_with_a_retired: Himdesk, under_key_a: list[int]
) -> None:
    with pytest.raises(PermissionDenied):
        rotate_field_keys(b_with_a_retired.unit_of_work, MANAGER)
    with b_with_a_retired.unit_of_work() as uow, pytest.raises(PermissionDenied):
        key_status(uow, MANAGER)
    assert _by_key(b_with_a_retired) == {ID_A: 7}


def test_authenticator_secrets_are_counted_and_rotated_with_the_ssns(
    database_url: str, clock: FakeClock, under_key_a: list[int]
) -> None:
    a_only = _himdesk(database_url, clock, KEY_A)
    with a_only.unit_of_work() as uow:
        user = uow.users.add(User(0, "hana", "Hana", Role.HIT, "not-a-real-hash"))
        uow.authenticators.enroll(user.id, "JBSWY3DPEHPK3PXP", clock())
        uow.commit()
    a_only.close()
    b_with_a = _himdesk(database_url, clock, KEY_B, KEY_A)
    with b_with_a.unit_of_work() as uow:
        counts = {(c.column, c.key_id): c.values for c in key_status(uow, ADMIN).counts}
    assert counts[("authenticators.secret_encrypted", ID_A)] == 1
    assert rotate_field_keys(b_with_a.unit_of_work, ADMIN).rotated == 8
    b_with_a.close()
    only_b = _himdesk(database_url, clock, KEY_B)
    with only_b.unit_of_work() as uow:
        factor = uow.authenticators.find(user.id)
    assert factor is not None and factor.secret == "JBSWY3DPEHPK3PXP"
    only_b.close()
