"""Restricted records, break-the-glass and access-review flags, on every backend."""

from __future__ import annotations

from datetime import date

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.domain.access_review import FlagRule
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.restrictions import Decision
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.services.access_control import ReasonRequired, request_access
from himdesk.services.access_review import (
    close_flag,
    events_as_csv,
    open_flags,
    patient_access_report,
    user_access_report,
)
from himdesk.services.charts import open_chart, read_document
from himdesk.services.errors import Conflict
from himdesk.services.patients import search_patients
from tests.fakes import T0, ChartBuilder, FakeClock

HIT = Actor(user_id=11, username="hana", role=Role.HIT, display_name="Hana Nguyen")
CODER = Actor(user_id=12, username="cora", role=Role.CODER, display_name="Cora Diaz")
PRIVACY = Actor(user_id=13, username="pia", role=Role.PRIVACY_OFFICER, display_name="Pia Low")
ANALYST = Actor(user_id=14, username="ana", role=Role.ANALYST)
REASON = "Release of information request #4471 from the patient"


@pytest.fixture
def hospital(himdesk: Himdesk) -> dict[str, int]:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        outsider = build.clinician(family="Stranger", npi="1000000002")
        vip = build.patient(mrn="M0000100", family="Kensington", given="Ava")
        vip_stay = build.inpatient_stay(vip, doctor, account="A100")
        build.document(vip, vip_stay, doctor)
        plain = build.patient(mrn="M0000200", family="Nguyen", given="Bao", born=date(1980, 1, 2))
        stay = build.inpatient_stay(plain, doctor, account="A200")
        note = build.document(
            plain,
            stay,
            doctor,
            text="Psychiatry consult.",
            sensitivity=SensitiveCategory.BEHAVIORAL_HEALTH,
        )
        assert vip.id and plain.id and note.id and outsider.id and doctor.id
        uow.access.add_restriction(vip.id, SensitiveCategory.VIP, "Public figure", "pia", T0)
        uow.commit()
    return {
        "vip": vip.id,
        "plain": plain.id,
        "note": note.id,
        "doctor": doctor.id,
        "outsider": outsider.id,
    }


def _open(himdesk: Himdesk, actor: Actor, patient_id: int) -> None:
    with himdesk.unit_of_work() as uow:
        open_chart(uow, actor, patient_id)


def _flags(himdesk: Himdesk) -> list[tuple[str, FlagRule]]:
    with himdesk.unit_of_work() as uow:
        return [(f.flag.username, f.flag.rule) for f in open_flags(uow, PRIVACY)]


def test_a_vip_chart_needs_the_glass_broken_by_a_technician(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    with pytest.raises(ReasonRequired) as needed:
        _open(himdesk, HIT, hospital["vip"])
    assert needed.value.decision is Decision.BREAK_GLASS
    with himdesk.unit_of_work() as uow:
        request_access(uow, HIT, hospital["vip"], REASON)
    _open(himdesk, HIT, hospital["vip"])
    assert ("hana", FlagRule.BREAK_GLASS) in _flags(himdesk)
    assert ("hana", FlagRule.VIP_OR_EMPLOYEE) in _flags(himdesk)


def test_the_privacy_officer_states_a_reason_instead_of_breaking_the_glass(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    with pytest.raises(ReasonRequired) as needed:
        _open(himdesk, PRIVACY, hospital["vip"])
    assert needed.value.decision is Decision.STATE_REASON
    with himdesk.unit_of_work() as uow:
        request_access(uow, PRIVACY, hospital["vip"], REASON)
    _open(himdesk, PRIVACY, hospital["vip"])
    assert ("pia", FlagRule.BREAK_GLASS) not in _flags(himdesk)


def test_a_short_reason_is_refused_and_grants_nothing(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(InvalidInput, match="reason"):
        request_access(uow, HIT, hospital["vip"], "need it")
    with pytest.raises(ReasonRequired):
        _open(himdesk, HIT, hospital["vip"])


def test_emergency_access_ends_after_an_hour(
    himdesk: Himdesk, hospital: dict[str, int], clock: FakeClock
) -> None:
    with himdesk.unit_of_work() as uow:
        request_access(uow, HIT, hospital["vip"], REASON)
    clock.advance(minutes=59)
    _open(himdesk, HIT, hospital["vip"])
    clock.advance(minutes=2)
    with pytest.raises(ReasonRequired):
        _open(himdesk, HIT, hospital["vip"])


def test_an_analyst_cannot_break_the_glass(himdesk: Himdesk, hospital: dict[str, int]) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        request_access(uow, ANALYST, hospital["vip"], REASON)


def test_a_clinician_sees_their_own_patients_and_must_break_the_glass_for_others(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    attending = Actor(21, "osler", Role.CLINICIAN, clinician_id=hospital["doctor"])
    stranger = Actor(22, "stranger", Role.CLINICIAN, clinician_id=hospital["outsider"])
    _open(himdesk, attending, hospital["plain"])
    with pytest.raises(ReasonRequired) as needed:
        _open(himdesk, stranger, hospital["plain"])
    assert needed.value.decision is Decision.BREAK_GLASS


def test_a_behavioral_health_note_stays_closed_in_an_open_chart_until_a_reason_is_given(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        chart = open_chart(uow, CODER, hospital["plain"])
    assert not chart.restricted_documents_unlocked
    with himdesk.unit_of_work() as uow, pytest.raises(ReasonRequired):
        read_document(uow, CODER, hospital["plain"], hospital["note"])
    with himdesk.unit_of_work() as uow:
        request_access(uow, CODER, hospital["plain"], REASON)
    with himdesk.unit_of_work() as uow:
        assert (
            "Psychiatry"
            in read_document(uow, CODER, hospital["plain"], hospital["note"]).document.text
        )


def test_vip_charts_are_hidden_from_name_search_but_reachable_by_exact_mrn(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        assert search_patients(uow, HIT, "Kensington") == []
        by_mrn = search_patients(uow, HIT, "M0000100")
        seen_by_privacy = search_patients(uow, PRIVACY, "Kensington")
    assert [(m.mrn, m.restricted, m.family_name) for m in by_mrn] == [("M0000100", True, "")]
    assert [m.family_name for m in seen_by_privacy] == ["Kensington"]


def test_opening_a_chart_that_shares_your_last_name_is_flagged(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    _open(himdesk, HIT, hospital["plain"])
    assert _flags(himdesk) == [("hana", FlagRule.SAME_LAST_NAME)]


def test_many_charts_in_a_short_time_are_flagged(himdesk: Himdesk, clock: FakeClock) -> None:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        ids = [
            build.patient(mrn=f"M9{n:06d}", family=f"Person{chr(65 + n % 26)}").id
            for n in range(30)
        ]
        uow.commit()
    for patient_id in ids:
        assert patient_id is not None
        _open(himdesk, CODER, patient_id)
        clock.advance(seconds=10)
    assert _flags(himdesk) == [("cora", FlagRule.MANY_CHARTS)]


def test_a_flag_is_closed_with_a_disposition_once(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    _open(himdesk, HIT, hospital["plain"])
    with himdesk.unit_of_work() as uow:
        flag = open_flags(uow, PRIVACY)[0].flag
    assert flag.id is not None
    with himdesk.unit_of_work() as uow, pytest.raises(InvalidInput, match="note"):
        close_flag(uow, PRIVACY, flag.id, "sanction_referred", "")
    with himdesk.unit_of_work() as uow, pytest.raises(InvalidInput, match="disposition"):
        close_flag(uow, PRIVACY, flag.id, "whatever", "")
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        close_flag(uow, CODER, flag.id, "appropriate", "")
    with himdesk.unit_of_work() as uow:
        close_flag(uow, PRIVACY, flag.id, "appropriate", "Her own family? No: unrelated.")
    assert _flags(himdesk) == []
    with himdesk.unit_of_work() as uow, pytest.raises(Conflict, match="already closed"):
        close_flag(uow, PRIVACY, flag.id, "appropriate", "")


def test_access_reports_list_every_access_by_patient_and_by_user(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    from himdesk.services.ports import User

    with himdesk.unit_of_work() as uow:
        uow.users.add(User(0, "cora", "Cora Diaz", Role.CODER, "x"))
        uow.commit()
    _open(himdesk, CODER, hospital["plain"])
    with himdesk.unit_of_work() as uow:
        by_patient = events_as_csv(patient_access_report(uow, PRIVACY, hospital["plain"]))
    with himdesk.unit_of_work() as uow:
        by_user = events_as_csv(user_access_report(uow, PRIVACY, "cora"))
    assert by_patient.splitlines()[0].startswith("sequence,occurred_at,username")
    assert ",cora,coder,chart.read,success," in by_patient
    assert ",cora,coder,chart.read,success," in by_user
    assert "Nguyen" not in by_patient + by_user


def test_the_demographics_history_and_correction_form_of_a_vip_need_a_reason_too(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    from himdesk.services.charts import demographics_history
    from himdesk.services.patients import start_correction

    with himdesk.unit_of_work() as uow, pytest.raises(ReasonRequired):
        demographics_history(uow, CODER, hospital["vip"])
    with himdesk.unit_of_work() as uow, pytest.raises(ReasonRequired):
        start_correction(uow, HIT, hospital["vip"])


def test_signing_a_labelled_document_needs_a_reason_first(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    from himdesk.services.documents import sign_document

    stranger = Actor(22, "stranger", Role.CLINICIAN, clinician_id=hospital["outsider"])
    with himdesk.unit_of_work() as uow, pytest.raises(ReasonRequired):
        sign_document(uow, stranger, hospital["plain"], hospital["note"])


def test_reading_a_document_straight_from_its_address_is_reviewed_like_a_chart(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        request_access(uow, HIT, hospital["plain"], REASON)
    with himdesk.unit_of_work() as uow:
        read_document(uow, HIT, hospital["plain"], hospital["note"])
    assert ("hana", FlagRule.SAME_LAST_NAME) in _flags(himdesk)
