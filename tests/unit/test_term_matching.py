"""How the encoder reads words: one normalization for index and query, the curated table of
abbreviations and lay terms, spelling correction against the index vocabulary."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from himdesk.domain.coding.spelling import SpellingCorrector
from himdesk.domain.coding.term_matching import (
    ClinicalSynonyms,
    TermNormalizer,
    load_clinical_synonyms,
    stem,
    surface_words,
)


@pytest.fixture(scope="module")
def normalizer() -> TermNormalizer:
    return TermNormalizer(load_clinical_synonyms())


def test_word_forms_of_one_meaning_meet(normalizer: TermNormalizer) -> None:
    assert normalizer.words("Infarct, myocardium") == normalizer.words("myocardial infarction")
    assert normalizer.words("cardiac failure") == normalizer.words("Failure, heart")
    assert normalizer.words("renal calculi") == normalizer.words("kidney calculi")
    assert normalizer.words("haemorrhage") == normalizer.words("hemorrhage")
    assert normalizer.words("pressure ulcer of sacral region") >= normalizer.words("sacrum")


def test_connectors_and_default_markers_are_not_words_to_match(
    normalizer: TermNormalizer,
) -> None:
    assert normalizer.words("Pneumonia, specified NEC, due to the virus") == frozenset(
        {stem("pneumonia"), stem("specified"), stem("virus")}
    )
    assert surface_words("Non-ST elevation (NSTEMI)") == ["non", "st", "elevation", "nstemi"]


def test_abbreviations_and_lay_terms_are_read_in_index_wording(
    normalizer: TermNormalizer,
) -> None:
    readings = normalizer.readings(["acute", "nstemi"])
    assert readings[0] == (["acute", "nstemi"], False)
    assert (["acute", "non", "st", "elevation", "myocardial", "infarction"], True) in readings
    assert normalizer.readings(["heart", "attack"])[1] == (["myocardial", "infarction"], True)
    assert normalizer.readings(["pneumonia"]) == [(["pneumonia"], False)]


def test_a_phrase_with_several_readings_offers_each() -> None:
    synonyms = ClinicalSynonyms.parse("[expand]\ncp = chest pain | cerebral palsy\n")
    readings = TermNormalizer(synonyms).readings(["cp"])
    assert [words for words, _ in readings] == [["cp"], ["chest", "pain"], ["cerebral", "palsy"]]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("cp = chest pain\n", "line 1: expected 'term = term'"),
        ("[expand]\nno equals sign\n", "line 2: expected 'term = term'"),
        ("[same]\nheart attack = mi\n", "line 2: [same] maps one word"),
    ],
)
def test_a_malformed_synonym_table_names_its_line(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        ClinicalSynonyms.parse(text)


def test_the_shipped_table_parses_and_assumes_traumatic_fractures() -> None:
    synonyms = load_clinical_synonyms()
    assert ("chf",) in synonyms.expansions and synonyms.same["cardiac"] == "heart"
    assert "traumatic" in synonyms.assumed


def test_a_misspelling_is_corrected_to_the_closest_and_more_frequent_word() -> None:
    speller = SpellingCorrector(
        Counter({"pneumonia": 40, "migraine": 30, "migrans": 2, "infarction": 90, "infraction": 1})
    )
    assert speller.correct("pnuemonia") == "pneumonia"
    assert speller.correct("migrane") == "migraine"
    assert speller.correct("pneumonia") is None  # known
    assert speller.correct("xyzzyq") is None
    assert speller.likelier("infraction") == "infarction"
    assert speller.likelier("infarction") is None
