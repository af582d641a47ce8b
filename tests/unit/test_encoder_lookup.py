"""The encoder on a small hand-written release: index navigation (see, see-also,
non-essential modifiers, defaults), completion in the tabular, flags, and how queries are
read (abbreviations, lay words, misspellings, word order, codes)."""

from __future__ import annotations

import pytest
from tests.unit.encoder_code_sets import small_code_set

from himdesk.domain.coding.alphabetic_index import IndexKind
from himdesk.domain.coding.index_navigation import IndexNavigator, split_qualifiers
from himdesk.domain.coding.lookup import Encoder, LookupHit


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder.build(small_code_set())


def codes(hits: list[LookupHit]) -> list[str]:
    return [hit.code for hit in hits]


def test_an_unqualified_term_lands_on_the_index_default(encoder: Encoder) -> None:
    best = encoder.lookup("heart failure")[0]
    assert (best.code, best.path) == ("I50.9", "Failure, failed, heart (acute) (sudden)")
    assert best.title == "Heart failure, unspecified" and best.valid and best.billable


def test_a_qualifier_in_the_query_goes_one_line_deeper(encoder: Encoder) -> None:
    best = encoder.lookup("non-ST elevation myocardial infarction")[0]
    assert best.code == "I21.4"
    assert best.path == "Infarct, infarction, myocardium, myocardial, non-ST elevation (NSTEMI)"


def test_non_essential_modifiers_match_but_are_never_required(encoder: Encoder) -> None:
    assert encoder.lookup("acute myocardial infarction")[0].code == "I21.9"
    assert encoder.lookup("myocardial infarction")[0].code == "I21.9"
    assert encoder.lookup("decompensated congestive heart failure")[0].code == "I50.9"


def test_a_see_reference_is_followed_to_the_line_it_names(encoder: Encoder) -> None:
    best = encoder.lookup("heart attack")[0]
    assert best.code == "I21.9"
    assert best.path.startswith("Infarct, infarction, myocardium, myocardial")
    assert "see from Attack, attacks, heart" in best.note


def test_see_chains_are_followed_and_leave_the_code_to_complete(encoder: Encoder) -> None:
    hits = encoder.lookup("fracture of hip")
    assert codes(hits)[:3] == ["S72.009A", "S72.009", "S72.00-"]
    assert hits[0].path == "Fracture, traumatic, femur, femoral, upper end, neck"
    assert hits[1].note.startswith("7th character required (A initial encounter")
    assert not hits[1].billable and hits[2].note.startswith("see tabular: more characters")


def test_an_unstated_encounter_is_assumed_initial_and_said_so(encoder: Encoder) -> None:
    """The query names no 7th character: A (initial encounter) is offered, billable, with a
    note; the code without it follows, flagged."""
    best, bare = encoder.lookup("fracture of left femoral neck")[:2]
    assert (best.code, best.billable) == ("S72.002A", True)
    assert best.note.startswith("7th character A assumed (initial encounter for closed fracture)")
    assert (bare.code, bare.billable) == ("S72.002", False)


def test_the_query_words_choose_the_subdivision_and_the_seventh_character(
    encoder: Encoder,
) -> None:
    best = encoder.lookup("fracture of left femoral neck, initial encounter")[0]
    assert (best.code, best.billable) == ("S72.002A", True)
    assert best.note == "see from Fracture, traumatic, femur, femoral, neck"


def test_a_see_also_target_is_offered_beside_the_line_itself(encoder: Encoder) -> None:
    found = codes(encoder.lookup("clot heart", limit=5))
    assert "I21.9" in found  # see also Infarct, myocardium


def test_a_nec_line_is_not_the_default_of_its_main_term(encoder: Encoder) -> None:
    assert encoder.lookup("pneumonia")[0].code == "J18.9"
    assert encoder.lookup("aspiration pneumonia")[0].code == "J69.0"


def test_an_assumed_qualifier_makes_a_main_term_the_default(encoder: Encoder) -> None:
    """'Fracture, traumatic' is where a fracture not documented as pathological goes."""
    assert encoder.lookup("hip fracture")[0].code == "S72.009A"
    assert encoder.lookup("pathological fracture of hip")[0].code == "M84.459"


def test_a_code_the_tabular_lacks_is_flagged_and_ranked_after_valid_ones(
    encoder: Encoder,
) -> None:
    hits = encoder.lookup("subsequent non-ST elevation myocardial infarction", limit=5)
    flagged = next(hit for hit in hits if hit.code == "I22.2")
    assert not flagged.valid and not flagged.billable
    assert flagged.note.startswith("not in the FY2026 tabular")
    assert hits.index(flagged) == len(hits) - 1 and all(hit.valid for hit in hits[:-1])


def test_abbreviations_lay_words_misspellings_and_word_order_are_read(encoder: Encoder) -> None:
    assert encoder.lookup("NSTEMI")[0].code == "I21.4"
    assert encoder.lookup("CHF")[0].code == "I50.9"
    assert encoder.lookup("pnuemonia")[0].code == "J18.9"
    assert encoder.lookup("failure, heart, congestive")[0].code == "I50.9"
    assert encoder.lookup("broken hip")[0].code == "S72.009A"


def test_a_code_query_returns_the_code_with_or_without_its_dot(encoder: Encoder) -> None:
    assert codes(encoder.lookup("I21.4")) == ["I21.4"]
    assert codes(encoder.lookup("i214")) == ["I21.4"]
    hits = encoder.lookup("I50.2")
    assert codes(hits)[:2] == ["I50.20", "I50.2-"] and "I50.21" in codes(hits)


def test_a_dotted_code_the_tabular_lacks_is_flagged_not_searched(encoder: Encoder) -> None:
    [hit] = encoder.lookup("Q99.99")
    assert (hit.code, hit.valid) == ("Q99.99", False)


def test_a_tabular_title_or_inclusion_term_finds_its_code(encoder: Encoder) -> None:
    assert encoder.lookup("intracardiac thrombosis")[0].code == "I51.3"
    hit = encoder.lookup("non-Q wave myocardial infarction")[0]
    assert hit.code == "I21.4" and "inclusion term" in hit.path


def test_each_code_appears_once_with_its_best_path(encoder: Encoder) -> None:
    found = codes(encoder.lookup("heart failure", limit=20))
    assert len(found) == len(set(found))


def test_nothing_to_search_gives_no_hits(encoder: Encoder) -> None:
    assert encoder.lookup("   ") == []
    assert encoder.lookup("zzzqqq") == []
    assert encoder.lookup("heart failure", limit=0) == []


def test_a_see_reference_resolves_through_forms_connectors_and_trailing_qualifiers() -> None:
    code_set = small_code_set()
    navigator = IndexNavigator(code_set.indexes)
    entries = code_set.indexes[IndexKind.DISEASES].entries

    def term(reference: str) -> str:
        target = navigator.resolve(reference)
        assert target is not None, reference
        return entries[target.position].term

    assert term("Infarct, myocardium") == "myocardium, myocardial"
    assert term("infarction, myocardial, non-ST elevation") == "non-ST elevation"
    assert term("Fracture, femur, upper end, neck") == "neck"
    assert term("Failure, heart, by type") == "heart"
    assert navigator.resolve("condition") is None
    assert navigator.resolve("Table of Drugs and Chemicals, by drug") is None
    assert navigator.resolve("Nowhere, at all") is None


def test_an_index_line_joins_forms_of_one_word_but_keeps_qualifiers_apart() -> None:
    assert split_qualifiers("Infarct, infarction") == (["Infarct", "infarction"], [])
    assert split_qualifiers("Fracture, pathological") == (["Fracture"], ["pathological"])
    assert split_qualifiers("Abdomen, abdominal") == (["Abdomen", "abdominal"], [])
