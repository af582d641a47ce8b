"""Reading the search box and ranking the patients it finds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from himdesk.domain.patient_search import (
    MIN_SCORE,
    SearchTerms,
    UnreadableSearch,
    age_on,
    name_orderings,
    name_score,
    parse_search,
)
from himdesk.domain.records import AdministrativeSex, Patient

# --- reading what was typed -------------------------------------------------------------------


def test_comma_means_family_name_first() -> None:
    terms = parse_search("Smith, Jon")

    assert terms.names == ("smith", "jon")
    assert terms.family_first
    assert name_orderings(terms) == [("smith", "jon")]


def test_without_a_comma_both_name_orders_are_tried_given_first_first() -> None:
    terms = parse_search("Jon Smith")

    assert not terms.family_first
    assert name_orderings(terms)[:2] == [("smith", "jon"), ("jon", "smith")]
    assert ("jonsmith", None) in name_orderings(terms)


def test_a_single_name_is_searched_as_a_family_name() -> None:
    assert name_orderings(parse_search("smith")) == [("smith", None)]


def test_a_middle_name_is_not_taken_for_the_family_name() -> None:
    assert name_orderings(parse_search("jon paul smith"))[0] == ("smith", "jon")
    assert name_orderings(parse_search("smith, jon paul")) == [("smith", "jon")]


def test_a_family_name_of_several_words_is_tried_joined() -> None:
    assert ("vanburen", "elizabeth") in name_orderings(parse_search("Elizabeth Van Buren"))
    assert name_orderings(parse_search("Van Buren, Elizabeth")) == [("vanburen", "elizabeth")]
    assert ("delacruz", None) in name_orderings(parse_search("Dela Cruz"))


def test_at_most_four_names_are_kept() -> None:
    assert parse_search("ann beth cara dora ella").names == ("ann", "beth", "cara", "dora")


def test_names_are_normalized_as_they_are_stored() -> None:
    assert parse_search("O'Brien-Núñez").names == ("obriennunez",)


def test_us_date_in_search_is_read_as_birth_date() -> None:
    terms = parse_search("smith 3/2/1950")

    assert terms.birth_on == date(1950, 3, 2)
    assert terms.names == ("smith",)
    assert terms.mrn is None


def test_iso_date_in_search_is_read_as_birth_date() -> None:
    terms = parse_search("smith, jon 1950-03-02")

    assert terms.birth_on == date(1950, 3, 2)
    assert terms.names == ("smith", "jon")
    assert terms.family_first


def test_a_date_alone_is_a_birth_date_search_not_an_mrn() -> None:
    terms = parse_search("03/02/1950")

    assert terms == SearchTerms(mrn=None, names=(), family_first=False, birth_on=date(1950, 3, 2))
    assert not terms.is_empty


@pytest.mark.parametrize("typed", ["02/30/1950", "1950-13-01", "smith 1950-02-29"])
def test_impossible_date_in_search_is_refused_clearly(typed: str) -> None:
    with pytest.raises(UnreadableSearch, match=r"'[0-9/-]+' is not a real date\."):
        parse_search(typed)


def test_the_refusal_quotes_the_date_as_typed() -> None:
    with pytest.raises(UnreadableSearch) as raised:
        parse_search("jones 02/30/1950")
    assert str(raised.value) == "'02/30/1950' is not a real date."


def test_a_lone_token_with_digits_is_an_mrn_in_capitals() -> None:
    terms = parse_search("  mrn0012345 ")

    assert terms.mrn == "MRN0012345"
    assert terms.names == ()


def test_a_name_with_a_birth_date_is_not_an_mrn() -> None:
    assert parse_search("smith 1950-03-02").mrn is None


@pytest.mark.parametrize("typed", ["", "   ", "--, ''"])
def test_a_search_with_nothing_usable_is_empty(typed: str) -> None:
    terms = parse_search(typed)
    assert terms.is_empty
    assert name_orderings(terms) == []


@given(st.text(max_size=300))
def test_any_typed_text_is_either_read_or_refused_as_unreadable(typed: str) -> None:
    try:
        terms = parse_search(typed)
    except UnreadableSearch:
        return
    assert len(terms.names) <= 4
    assert all(name and name.isascii() and name.isalpha() for name in terms.names)
    assert terms.mrn is None or not terms.names


# --- ranking ----------------------------------------------------------------------------------


def test_an_exact_name_scores_one() -> None:
    assert name_score("smith", "jon", "smith", "jon") == 1.0


def test_a_prefix_scores_just_below_an_exact_match() -> None:
    assert name_score("smi", None, "smith", "") == pytest.approx(0.97)


def test_a_single_letter_is_not_a_prefix_match_for_every_name() -> None:
    assert name_score("s", None, "smith", "") < MIN_SCORE


def test_a_one_letter_typo_still_scores_above_threshold() -> None:
    assert name_score("smtih", None, "smith", "") >= MIN_SCORE
    assert name_score("smith", "jon", "smith", "john") >= MIN_SCORE
    assert name_score("garica", "mara", "garcia", "maria") >= MIN_SCORE


def test_a_different_name_scores_below_threshold() -> None:
    assert name_score("jones", None, "smith", "") < MIN_SCORE
    assert name_score("jones", "john", "smith", "john") < MIN_SCORE


def test_the_family_name_weighs_more_than_the_given_name() -> None:
    family_right = name_score("smith", "jon", "smith", "mary")
    given_right = name_score("smith", "jon", "jones", "jon")
    assert family_right > given_right


def test_an_exact_match_ranks_above_a_typo() -> None:
    assert name_score("smith", "jon", "smith", "jon") > name_score("smith", "jon", "smyth", "jon")


_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=15)


@given(_names, st.none() | _names, _names, _names)
def test_a_score_is_always_between_zero_and_one(
    family: str, given_name: str | None, family_norm: str, given_norm: str
) -> None:
    assert 0.0 <= name_score(family, given_name, family_norm, given_norm) <= 1.0


@given(_names, _names)
def test_a_patients_own_name_always_scores_one(family: str, given_name: str) -> None:
    assert name_score(family, given_name, family, given_name) == 1.0


# --- age --------------------------------------------------------------------------------------


def test_age_counts_birthdays() -> None:
    born = date(1950, 3, 2)
    assert age_on(born, date(2020, 3, 1)) == 69
    assert age_on(born, date(2020, 3, 2)) == 70


def test_age_accepts_a_utc_time() -> None:
    assert age_on(date(1950, 3, 2), datetime(2020, 3, 2, 0, 0, tzinfo=UTC)) == 70
    assert age_on(date(1950, 3, 2), datetime(2020, 3, 1, 23, 59, tzinfo=UTC)) == 69


def test_a_leap_day_baby_turns_a_year_older_on_the_first_of_march() -> None:
    born = date(2000, 2, 29)
    assert age_on(born, date(2001, 2, 28)) == 0
    assert age_on(born, date(2001, 3, 1)) == 1
    assert age_on(born, date(2004, 2, 29)) == 4


def test_a_newborn_is_zero_on_the_day_of_birth() -> None:
    assert age_on(date(2026, 3, 2), date(2026, 3, 2)) == 0


@given(st.dates(max_value=date(9000, 1, 1)), st.integers(min_value=0, max_value=120))
def test_age_is_the_number_of_birthdays_passed(born: date, years: int) -> None:
    assume(not (born.month == 2 and born.day == 29))
    birthday = born.replace(year=born.year + years)
    assert age_on(born, birthday) == years
    if years:
        assert age_on(born, birthday - timedelta(days=1)) == years - 1


@given(st.dates(), st.dates())
def test_search_age_and_patient_age_agree(born: date, day: date) -> None:
    patient = Patient("MAIN", "MRN1", "Smith", "Jon", born, AdministrativeSex.UNKNOWN)
    assert patient.age_on(day) == age_on(born, day)
