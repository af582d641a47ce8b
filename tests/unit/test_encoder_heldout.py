"""The encoder on text it was not built with: the held-out set (bench/data/
encoder_heldout_set.csv, 320 terms as physicians write them, written before the encoder was
measured on it) keeps its accuracy, and the general rules behind it hold on other terms:
references read on below their target, subdivisions chosen by the words of the index path,
the tabular's defaults, denials, the Table of Drugs, an assumed initial encounter."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from himdesk.domain.coding.alphabetic_index import IndexEntry, IndexKind, TableCell
from himdesk.domain.coding.code_set import DiagnosisCodeSet
from himdesk.domain.coding.codes import normalized_code
from himdesk.domain.coding.drug_table import drug_column
from himdesk.domain.coding.index_navigation import IndexNavigator, note_owners
from himdesk.domain.coding.lookup import Encoder
from himdesk.domain.coding.spelling import SpellingCorrector
from himdesk.domain.coding.term_matching import (
    ClinicalSynonyms,
    TermNormalizer,
    affirmed,
    decided,
)

HELD_OUT = Path(__file__).resolve().parents[2] / "bench" / "data" / "encoder_heldout_set.csv"
PHRASINGS = {"clinical", "lay", "abbreviation", "misspelling", "word_order"}


@pytest.fixture(scope="module")
def encoder(cm_code_set: DiagnosisCodeSet) -> Encoder:
    return Encoder.build(cm_code_set)


def best(encoder: Encoder, text: str) -> str:
    return encoder.lookup(text, 5)[0].code


def test_the_held_out_set_stays_near_its_measured_accuracy(encoder: Encoder) -> None:
    """Measured after the general fixes: 98.8% first, 99.4% in the top five (before them:
    84.1% and 90.0%). The floor leaves a few terms of margin, no more."""
    with HELD_OUT.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) >= 150 and {row["phrasing"] for row in rows} == PHRASINGS
    first, top_five = Counter[str](), Counter[str]()
    for row in rows:
        found = [normalized_code(hit.code.rstrip("-")) for hit in encoder.lookup(row["text"], 5)]
        expected = normalized_code(row["expected_code"])
        first[row["phrasing"]] += found[:1] == [expected]
        top_five[row["phrasing"]] += expected in found
    assert sum(first.values()) >= 0.95 * len(rows), first
    assert sum(top_five.values()) >= 0.97 * len(rows), top_five


def test_a_see_also_target_is_read_on_by_the_querys_other_words(encoder: Encoder) -> None:
    """Adenocarcinoma, see also Neoplasm, malignant, by site: the site is the pancreas."""
    hit = encoder.lookup("adenocarcinoma of the pancreas")[0]
    assert hit.code == "C25.9"
    assert hit.path == "Neoplasm, neoplastic, pancreas [Malignant Primary]"


def test_the_index_path_chooses_among_subdivisions_the_query_leaves_tied(
    encoder: Encoder,
) -> None:
    """Cellulitis, thigh, see lower limb (L03.11-): "left" fits the left axilla and the left
    lower limb alike; the path says lower limb."""
    assert best(encoder, "cellulitis of left thigh") == "L03.116"


def test_a_title_that_denies_what_the_query_says_is_not_chosen(encoder: Encoder) -> None:
    assert best(encoder, "hypertensive heart disease with heart failure") == "I11.0"
    assert best(encoder, "hypertensive heart disease without heart failure") == "I11.9"


def test_not_specified_as_recurrent_is_the_default_line(encoder: Encoder) -> None:
    assert best(encoder, "clostridium difficile enterocolitis") == "A04.72"
    assert best(encoder, "recurrent clostridium difficile enterocolitis") == "A04.71"


def test_a_substance_is_read_in_the_table_of_drugs_by_the_column_the_query_names(
    encoder: Encoder,
) -> None:
    hit = encoder.lookup("adverse effect of digoxin")[0]
    assert (hit.code, hit.path) == ("T46.0X5A", "Digoxin [Adverse effect]")
    assert best(encoder, "warfarin underdosing") == "T45.516A"
    # no intent documented: accidental (Guidelines I.C.19.e.5.b)
    assert best(encoder, "aspirin overdose") == "T39.011A"


def test_a_type_letter_is_not_read_as_an_article(encoder: Encoder) -> None:
    assert best(encoder, "hepatitis A") == "B15.9"


def test_a_note_line_of_a_flattened_index_does_not_hide_the_lines_after_it(
    cm_code_set: DiagnosisCodeSet,
) -> None:
    """The flat index files "Failure, heart, systolic" under the note on heart failure
    stages; the reference still lands on it."""
    navigator = IndexNavigator(cm_code_set.indexes)
    target = navigator.resolve("Failure, heart, systolic")
    assert target is not None and target.complete
    assert navigator.path_text(target).startswith("Failure, failed, heart, systolic")


def test_a_behavior_in_a_reference_into_the_neoplasm_table_is_a_column(
    cm_code_set: DiagnosisCodeSet,
) -> None:
    target = IndexNavigator(cm_code_set.indexes).resolve("Neoplasm, malignant, by site")
    assert target is not None and target.column == "Malignant Primary"
    assert cm_code_set.indexes[IndexKind.NEOPLASMS].entries[target.position].parent is None


def test_note_lines_hand_their_sub_terms_to_the_line_before_them() -> None:
    entries = [
        IndexEntry(IndexKind.DISEASES, 0, 0, "Failure", None),
        IndexEntry(IndexKind.DISEASES, 1, 1, "heart", 0, code="I50.9"),
        IndexEntry(IndexKind.DISEASES, 2, 1, "Note: stages A to D", 0),
        IndexEntry(IndexKind.DISEASES, 3, 2, "systolic", 2, code="I50.20"),
    ]
    assert note_owners(entries) == {2: 1}


def test_words_run_together_are_split_into_index_words() -> None:
    speller = SpellingCorrector({"pre": 30, "eclampsia": 12, "pneumonia": 400})
    assert speller.split("preeclampsia") == ["pre", "eclampsia"]
    assert speller.split("pneumonia") is None


def test_denied_words_meet_only_denials() -> None:
    normalizer = TermNormalizer(ClinicalSynonyms())
    said = normalizer.words("Hypertensive heart disease without heart failure")
    assert {"heart", "~heart", "~failure"} <= said and "failure" not in said
    assert affirmed("Laceration without foreign body of scalp") == (
        "Laceration of scalp",
        "foreign body",
    )
    assert decided("Acute respiratory failure, unspecified whether with hypoxia") == (
        "Acute respiratory failure, "
    )


def test_the_drug_column_defaults_to_accidental_poisoning() -> None:
    normalizer = TermNormalizer(ClinicalSynonyms())
    cells = (
        TableCell("Poisoning Accidental (unintentional)", "T39.011"),
        TableCell("Poisoning Intentional self-harm", "T39.012"),
        TableCell("Adverse effect", "T39.015"),
    )
    chosen = drug_column(cells, normalizer.words("aspirin"), normalizer.words)
    assert chosen is not None and chosen.code == "T39.011"
    chosen = drug_column(cells, normalizer.words("intentional overdose"), normalizer.words)
    assert chosen is not None and chosen.code == "T39.012"
