"""Who the patient is: names, identifiers (MRN, SSN, phone) and demographics corrections."""

from __future__ import annotations

import re
import string
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from himdesk.domain.demographics import (
    MAX_NAME,
    MAX_REASON,
    DemographicsForm,
    InvalidInput,
    apply_demographics,
)
from himdesk.domain.identifiers import (
    is_valid_mrn,
    mask_ssn,
    normalize_phone,
    normalize_ssn,
)
from himdesk.domain.names import normalize_name, sound_key
from himdesk.domain.records import Address, AdministrativeSex, Patient

TODAY = date(2026, 3, 2)

# --- names ------------------------------------------------------------------------------------


def test_normalized_name_keeps_only_lowercase_letters() -> None:
    assert normalize_name("O'Brien-Smith") == "obriensmith"


def test_accented_letters_fold_to_their_plain_letter() -> None:
    assert normalize_name("José Núñez") == "josenunez"


def test_a_name_without_letters_normalizes_to_nothing() -> None:
    assert normalize_name("  -- 42 ") == ""


def test_names_that_sound_alike_share_a_sound_key() -> None:
    assert sound_key("Jon") == sound_key("John")


def test_names_that_sound_different_have_different_sound_keys() -> None:
    assert sound_key("Smith") != sound_key("Jones")


def test_sound_key_ignores_punctuation_and_case() -> None:
    assert sound_key("o'brien") == sound_key("OBRIEN")


def test_a_name_without_letters_has_no_sound_key() -> None:
    assert sound_key("123") == ""


@given(st.text())
def test_normalized_name_is_always_lowercase_ascii_letters(name: str) -> None:
    assert re.fullmatch(r"[a-z]*", normalize_name(name))


@given(st.text())
def test_normalizing_a_name_twice_changes_nothing(name: str) -> None:
    once = normalize_name(name)
    assert normalize_name(once) == once


@given(st.text(alphabet=string.ascii_letters + " -'.,"))
def test_ascii_names_normalize_the_same_in_any_case(name: str) -> None:
    assert normalize_name(name.upper()) == normalize_name(name.lower())


@given(st.text(alphabet=string.ascii_letters, min_size=1))
def test_ascii_letters_are_never_dropped(name: str) -> None:
    assert normalize_name(name) == name.lower()


# --- identifiers ------------------------------------------------------------------------------


def test_ssn_is_masked_to_last_four() -> None:
    assert mask_ssn("123-45-6789") == "***-**-6789"


def test_a_missing_ssn_masks_to_nothing() -> None:
    assert mask_ssn("") == ""


@pytest.mark.parametrize("typed", ["123456789", "123-45-6789", " 123-45-6789 "])
def test_ssn_with_or_without_dashes_is_stored_dashed(typed: str) -> None:
    assert normalize_ssn(typed) == "123-45-6789"


@pytest.mark.parametrize("area", ["000", "666", "900", "987", "999"])
def test_never_issued_ssn_areas_are_refused(area: str) -> None:
    assert normalize_ssn(f"{area}-45-6789") is None


def test_ssn_group_00_is_refused() -> None:
    assert normalize_ssn("123-00-6789") is None


def test_ssn_serial_0000_is_refused() -> None:
    assert normalize_ssn("123-45-0000") is None


@pytest.mark.parametrize(
    "typed", ["", "12345678", "1234567890", "123 45 6789", "abc-de-fghi", "123-45-6789x"]
)
def test_text_that_is_not_ssn_shaped_is_refused(typed: str) -> None:
    assert normalize_ssn(typed) is None


@pytest.mark.parametrize(
    "typed",
    [
        "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19",  # full-width 123456789
        "\u0669\u0660\u0660\u0661\u0662\u0663\u0664\u0665\u0666",  # Arabic-Indic 900123456
    ],
)
def test_ssn_written_in_non_ascii_digits_is_refused(typed: str) -> None:
    assert normalize_ssn(typed) is None


@given(
    st.integers(min_value=1, max_value=899).filter(lambda a: a != 666),
    st.integers(min_value=1, max_value=99),
    st.integers(min_value=1, max_value=9999),
)
def test_every_issuable_ssn_normalizes_and_masks_to_its_last_four(
    area: int, group: int, serial: int
) -> None:
    normalized = normalize_ssn(f"{area:03d}{group:02d}{serial:04d}")
    assert normalized == f"{area:03d}-{group:02d}-{serial:04d}"
    assert mask_ssn(normalized) == f"***-**-{serial:04d}"


@pytest.mark.parametrize("mrn", ["MRN0012345", "a-1", "X" * 20])
def test_mrn_of_letters_digits_and_dashes_is_valid(mrn: str) -> None:
    assert is_valid_mrn(mrn)


@pytest.mark.parametrize("mrn", ["", "X" * 21, "MRN 001", "MRN#1", "MRN1\n", "\uff2d1"])
def test_malformed_mrn_is_invalid(mrn: str) -> None:
    assert not is_valid_mrn(mrn)


@pytest.mark.parametrize(
    "typed", ["6175550123", "(617) 555-0123", "617.555.0123", "+1 617 555 0123"]
)
def test_us_phone_is_formatted_whatever_the_punctuation(typed: str) -> None:
    assert normalize_phone(typed) == "(617) 555-0123"


@pytest.mark.parametrize("typed", ["555-0123", "26175550123", "617555012345", "\uff16175550123"])
def test_phone_that_is_not_ten_us_digits_is_refused(typed: str) -> None:
    assert normalize_phone(typed) is None


# --- demographics corrections -----------------------------------------------------------------


def _patient() -> Patient:
    return Patient(
        facility="MAIN",
        mrn="MRN0001",
        family_name="Smith",
        given_name="Jon",
        birth_on=date(1950, 3, 2),
        sex=AdministrativeSex.MALE,
        ssn="123-45-6789",
        id=41,
        version=3,
    )


def _form(**changes: str) -> DemographicsForm:
    form = DemographicsForm(
        family_name="Smith",
        given_name="John",
        middle_name="",
        birth_on="1950-03-02",
        sex="M",
        address_line="1 Main St",
        city="Boston",
        state="MA",
        postal_code="02118",
        phone="617 555 0123",
        ssn="***-**-6789",
        reason="Registration typo in given name",
    )
    return replace(form, **changes)


def _errors(form: DemographicsForm) -> dict[str, str]:
    with pytest.raises(InvalidInput) as raised:
        apply_demographics(_patient(), form, TODAY)
    return raised.value.errors


def test_a_valid_correction_returns_the_corrected_patient() -> None:
    corrected = apply_demographics(
        _patient(),
        _form(given_name="  John   Paul ", sex="f", state="ma", phone="6175550123"),
        TODAY,
    )

    assert corrected.given_name == "John Paul"
    assert corrected.sex is AdministrativeSex.FEMALE
    assert corrected.address == Address("1 Main St", "Boston", "MA", "02118")
    assert corrected.phone == "(617) 555-0123"


def test_a_correction_keeps_who_the_patient_is_and_leaves_the_original_alone() -> None:
    original = _patient()

    corrected = apply_demographics(original, _form(family_name="Smyth"), TODAY)

    assert (corrected.id, corrected.mrn, corrected.facility) == (41, "MRN0001", "MAIN")
    assert corrected.family_name == "Smyth"
    assert original.family_name == "Smith"


def test_the_masked_ssn_sent_back_keeps_the_ssn_on_file() -> None:
    corrected = apply_demographics(_patient(), _form(ssn="***-**-6789"), TODAY)
    assert corrected.ssn == "123-45-6789"


def test_a_newly_typed_ssn_is_stored_dashed() -> None:
    corrected = apply_demographics(_patient(), _form(ssn="234567890"), TODAY)
    assert corrected.ssn == "234-56-7890"


def test_a_blank_ssn_means_none_on_file() -> None:
    assert apply_demographics(_patient(), _form(ssn=" "), TODAY).ssn == ""


def test_demographics_errors_name_every_bad_field_at_once() -> None:
    bad = _form(
        family_name=" ",
        given_name="X" * (MAX_NAME + 1),
        middle_name="42",
        birth_on="03/02/1950",
        sex="Z",
        address_line="A" * 121,
        city="C" * (MAX_NAME + 1),
        state="ZZ",
        postal_code="1234",
        phone="555-0123",
        ssn="666-12-3456",
        reason="",
    )

    assert set(_errors(bad)) == {
        "family_name",
        "given_name",
        "middle_name",
        "birth_on",
        "sex",
        "address_line",
        "city",
        "state",
        "postal_code",
        "phone",
        "ssn",
        "reason",
    }


def test_invalid_input_message_lists_each_field() -> None:
    with pytest.raises(InvalidInput, match=r"sex: .*; reason: "):
        apply_demographics(_patient(), _form(sex="Q", reason=""), TODAY)


def test_future_birth_date_is_refused() -> None:
    assert "future" in _errors(_form(birth_on="2026-03-03"))["birth_on"]


def test_a_birth_date_of_today_is_accepted() -> None:
    corrected = apply_demographics(_patient(), _form(birth_on="2026-03-02"), TODAY)
    assert corrected.birth_on == TODAY


def test_a_birth_date_more_than_125_years_ago_is_refused() -> None:
    assert "125" in _errors(_form(birth_on="1900-01-01"))["birth_on"]


@pytest.mark.parametrize("typed", ["03/02/1950", "1950-02-30", "yesterday", ""])
def test_a_birth_date_that_is_not_a_real_iso_date_is_refused(typed: str) -> None:
    assert "YYYY-MM-DD" in _errors(_form(birth_on=typed))["birth_on"]


def test_oversize_name_is_refused() -> None:
    message = _errors(_form(family_name="X" * (MAX_NAME + 1)))["family_name"]
    assert str(MAX_NAME + 1) in message


def test_a_name_of_exactly_the_maximum_length_is_accepted() -> None:
    corrected = apply_demographics(_patient(), _form(family_name="X" * MAX_NAME), TODAY)
    assert len(corrected.family_name) == MAX_NAME


def test_a_name_without_letters_is_refused() -> None:
    assert "letters" in _errors(_form(given_name="--"))["given_name"]


def test_family_and_given_names_are_required_but_middle_is_not() -> None:
    errors = _errors(_form(family_name="", given_name="   ", middle_name=""))
    assert set(errors) == {"family_name", "given_name"}


def test_reason_is_required_for_a_correction() -> None:
    assert "reason" in _errors(_form(reason="   "))


def test_an_overlong_reason_is_refused() -> None:
    assert "reason" in _errors(_form(reason="r" * (MAX_REASON + 1)))


def test_an_unknown_sex_code_is_refused() -> None:
    assert "sex" in _errors(_form(sex="X"))


@pytest.mark.parametrize("state", ["PR", "dc", ""])
def test_us_states_territories_and_blank_are_accepted(state: str) -> None:
    assert apply_demographics(_patient(), _form(state=state), TODAY).address.state == state.upper()


@pytest.mark.parametrize("postal", ["02118", "02118-1234", ""])
def test_zip_and_zip_plus_four_are_accepted(postal: str) -> None:
    corrected = apply_demographics(_patient(), _form(postal_code=postal), TODAY)
    assert corrected.address.postal_code == postal


@pytest.mark.parametrize("postal", ["0211", "021181234", "02118abcde", "02118 1234", "\u0660" * 5])
def test_malformed_zip_codes_are_refused(postal: str) -> None:
    assert "postal_code" in _errors(_form(postal_code=postal))


def test_an_invalid_phone_is_refused() -> None:
    assert "phone" in _errors(_form(phone="555-0123"))


def test_a_blank_phone_is_accepted_as_none_on_file() -> None:
    assert apply_demographics(_patient(), _form(phone=""), TODAY).phone == ""
