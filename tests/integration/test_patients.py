"""Patient search and demographics corrections through the services, on every backend."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.domain.demographics import DemographicsForm, InvalidInput
from himdesk.domain.patient_search import UnreadableSearch
from himdesk.services.charts import demographics_history
from himdesk.services.errors import Conflict
from himdesk.services.patients import correct_demographics, search_patients
from tests.fakes import ChartBuilder

HIT = Actor(user_id=3, username="hana", role=Role.HIT)
CODER = Actor(user_id=4, username="cora", role=Role.CODER)

PEOPLE = [
    ("M0000101", "Thompson", "Margaret", date(1948, 2, 11)),
    ("M0000102", "Thomson", "Marcus", date(1990, 7, 30)),
    ("M0000103", "O'Brien", "Sean", date(1975, 12, 1)),
    ("M0000104", "Garcia", "Lucia", date(1948, 2, 11)),
    ("M0000105", "Nguyen", "Linh", date(1961, 4, 9)),
    ("M0000106", "Van Buren", "Elizabeth", date(1932, 1, 10)),
]


@pytest.fixture
def population(himdesk: Himdesk) -> dict[str, int]:
    ids = {}
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        for mrn, family, given, born in PEOPLE:
            ids[mrn] = build.patient(mrn=mrn, family=family, given=given, born=born).id
        uow.commit()
    return ids


def _search(himdesk: Himdesk, text: str) -> list[str]:
    with himdesk.unit_of_work() as uow:
        return [m.mrn for m in search_patients(uow, HIT, text)]


def test_search_by_mrn_finds_exactly_that_patient(himdesk: Himdesk, population: dict) -> None:
    assert _search(himdesk, "m0000103") == ["M0000103"]


def test_search_tolerates_a_typo_in_the_family_name(himdesk: Himdesk, population: dict) -> None:
    assert _search(himdesk, "Tompson, Margaret")[0] == "M0000101"


def test_search_finds_names_typed_given_name_first(himdesk: Himdesk, population: dict) -> None:
    assert _search(himdesk, "sean obrien") == ["M0000103"]


def test_a_family_name_of_two_words_is_found_in_any_order(
    himdesk: Himdesk, population: dict
) -> None:
    assert _search(himdesk, "Elizabeth Van Buren") == ["M0000106"]
    assert _search(himdesk, "van buren, elizabeth") == ["M0000106"]
    assert _search(himdesk, "Vanburen 1932-01-10") == ["M0000106"]


def test_search_by_birth_date_alone_lists_everyone_born_that_day(
    himdesk: Himdesk, population: dict
) -> None:
    assert sorted(_search(himdesk, "02/11/1948")) == ["M0000101", "M0000104"]


def test_search_by_name_and_birth_date_narrows_to_one(himdesk: Himdesk, population: dict) -> None:
    assert _search(himdesk, "thomson 1990-07-30") == ["M0000102"]


def test_a_name_nobody_has_finds_nothing(himdesk: Himdesk, population: dict) -> None:
    assert _search(himdesk, "Wojciechowski") == []


def test_an_impossible_date_is_refused_with_a_clear_reason(
    himdesk: Himdesk, population: dict
) -> None:
    with pytest.raises(UnreadableSearch, match="02/30/1950"):
        _search(himdesk, "smith 02/30/1950")


def test_search_text_is_not_written_to_the_audit_trail(himdesk: Himdesk, population: dict) -> None:
    _search(himdesk, "Thompson")
    with himdesk.unit_of_work() as uow:
        events = list(uow.audit.iterate())
    assert events[-1].entry.action == "patient.search"
    assert "thompson" not in repr(events[-1]).lower()


def _form(**changes: str) -> DemographicsForm:
    base = DemographicsForm(
        family_name="Nguyen",
        given_name="Linh",
        middle_name="Thi",
        birth_on="1961-04-09",
        sex="F",
        address_line="12 Elm St",
        city="Springfield",
        state="MA",
        postal_code="01103",
        phone="(555) 010-0199",
        ssn="***-**-6789",
        reason="Registration typo",
    )
    return replace(base, **changes)


def test_a_correction_becomes_version_two_and_version_one_stays_readable(
    himdesk: Himdesk, population: dict
) -> None:
    pid = population["M0000105"]
    with himdesk.unit_of_work() as uow:
        corrected = correct_demographics(uow, HIT, pid, _form(given_name="Lin"), expected_version=1)
    assert (corrected.given_name, corrected.version, corrected.ssn) == ("Lin", 2, "123-45-6789")
    with himdesk.unit_of_work() as uow:
        history = demographics_history(uow, CODER, pid).versions
    assert [(v.version, v.snapshot["given_name"], v.changed_by) for v in history] == [
        (1, "Linh", "registration"),
        (2, "Lin", "hana"),
    ]
    assert history[1].reason == "Registration typo"
    assert all(v.snapshot["ssn"] == "***-**-6789" for v in history)


def test_bad_fields_are_all_named_and_nothing_is_written(
    himdesk: Himdesk, population: dict
) -> None:
    pid = population["M0000105"]
    bad = _form(family_name="", birth_on="2999-01-01", state="ZZ", ssn="000-12-3456", reason="")
    with himdesk.unit_of_work() as uow, pytest.raises(InvalidInput) as caught:
        correct_demographics(uow, HIT, pid, bad, expected_version=1)
    assert set(caught.value.errors) == {"family_name", "birth_on", "state", "ssn", "reason"}
    with himdesk.unit_of_work() as uow:
        assert uow.patients.get(pid).version == 1
        assert uow.versions.list_for("patient", pid) == []


def test_a_stale_form_is_refused_instead_of_overwriting_a_newer_version(
    himdesk: Himdesk, population: dict
) -> None:
    pid = population["M0000105"]
    with himdesk.unit_of_work() as uow:
        correct_demographics(uow, HIT, pid, _form(given_name="Lin"), expected_version=1)
    with himdesk.unit_of_work() as uow, pytest.raises(Conflict, match="Someone else changed"):
        correct_demographics(uow, HIT, pid, _form(city="Boston"), expected_version=1)


def test_a_coder_may_not_correct_demographics(himdesk: Himdesk, population: dict) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        correct_demographics(uow, CODER, population["M0000105"], _form(), expected_version=1)


def test_the_ssn_is_stored_encrypted_not_in_clear(himdesk: Himdesk, population: dict) -> None:
    with himdesk.engine.connect() as connection:
        raw = connection.exec_driver_sql(
            "SELECT ssn_encrypted FROM patients WHERE mrn = 'M0000105'"
        ).scalar_one()
    assert b"6789" not in bytes(raw) and b"123-45" not in bytes(raw)


def test_a_coders_view_of_the_history_leaves_out_street_zip_and_phone(
    himdesk: Himdesk, population: dict
) -> None:
    pid = population["M0000105"]
    with himdesk.unit_of_work() as uow:
        correct_demographics(uow, HIT, pid, _form(city="Boston"), expected_version=1)
    with himdesk.unit_of_work() as uow:
        history = demographics_history(uow, CODER, pid).versions
    assert {v.snapshot["address_line"] for v in history} == {""}
    assert [v.snapshot["address_city"] for v in history] == ["Springfield", "Boston"]
