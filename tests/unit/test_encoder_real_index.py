"""The encoder over the real FY2026 release (FY2025 index, tables): navigation on real index
entries, and the dev set's accuracy (bench/data/encoder_dev_set.csv, built from the index and
tabular: what a coder assigns for each phrasing)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from himdesk.domain.coding.alphabetic_index import IndexKind
from himdesk.domain.coding.code_set import DiagnosisCodeSet
from himdesk.domain.coding.codes import normalized_code
from himdesk.domain.coding.index_navigation import IndexNavigator
from himdesk.domain.coding.lookup import Encoder

DEV_SET = Path(__file__).resolve().parents[2] / "bench" / "data" / "encoder_dev_set.csv"
PHRASINGS = {"clinical", "lay", "abbreviation", "misspelling", "word_order"}


@pytest.fixture(scope="module")
def encoder(cm_code_set: DiagnosisCodeSet) -> Encoder:
    return Encoder.build(cm_code_set)


def test_real_see_references_land_on_the_lines_they_name(cm_code_set: DiagnosisCodeSet) -> None:
    navigator = IndexNavigator(cm_code_set.indexes)
    index = cm_code_set.indexes[IndexKind.DISEASES]

    def path(reference: str) -> str:
        target = navigator.follow(navigator.resolve(reference) or pytest.fail(reference))
        return index.path_text(target.position)

    assert path("Infarct, myocardium").startswith("Infarct, infarction, myocardium, myocardial")
    # "Fracture, femur, neck" names no "traumatic", and is itself a see to "upper end, neck"
    assert path("Fracture, femur, neck") == ("Fracture, traumatic, femur, femoral, upper end, neck")
    assert path("Diabetes, type 1") == "Diabetes, diabetic, type 1"


def test_a_real_see_reference_into_the_neoplasm_table_ends_in_its_column(
    cm_code_set: DiagnosisCodeSet,
) -> None:
    navigator = IndexNavigator(cm_code_set.indexes)
    target = navigator.resolve("Neoplasm, skin, malignant")
    assert target is not None and target.kind is IndexKind.NEOPLASMS
    assert target.column == "Malignant Primary"
    assert cm_code_set.indexes[IndexKind.NEOPLASMS].entries[target.position].term == "skin NOS"


def test_nstemi_shows_the_index_path_a_coder_writes(encoder: Encoder) -> None:
    best = encoder.lookup("NSTEMI")[0]
    assert best.code == "I21.4"
    assert best.path == "Infarct, infarction, myocardium, myocardial, non-ST elevation (NSTEMI)"
    assert best.title == "Non-ST elevation (NSTEMI) myocardial infarction"


def test_a_see_also_only_line_offers_its_target(encoder: Encoder) -> None:
    """'High, blood pressure' has no code of its own, only 'see also Hypertension'."""
    assert encoder.lookup("high blood pressure")[0].code == "I10"


def test_an_index_code_subdivided_since_the_index_year_is_completed_in_the_tabular(
    encoder: Encoder,
) -> None:
    """The FY2025 index gives G35; the FY2026 tabular divides it (G35.A-G35.D)."""
    hits = encoder.lookup("multiple sclerosis", limit=5)
    assert [hit.code for hit in hits[:2]] == ["G35.D", "G35-"]
    assert hits[1].note == "see tabular: more characters needed" and not hits[1].billable


def test_cancer_of_a_site_is_read_in_the_table_of_neoplasms(encoder: Encoder) -> None:
    hits = encoder.lookup("lung cancer", limit=5)
    assert hits[0].code == "C34.90"
    neoplasm = next(hit for hit in hits if hit.path.startswith("Neoplasm"))
    assert neoplasm.path.endswith("lung [Malignant Primary]")


def test_the_release_tabulars_nos_inclusion_term_outranks_the_older_index(
    encoder: Encoder,
) -> None:
    """FY2026 puts "Concussion NOS" under S06.0XA; the FY2025 index still says S06.0X9."""
    codes = [hit.code for hit in encoder.lookup("concussion", limit=5)]
    assert codes[0] == "S06.0XAA"
    assert "S06.0X9A" in codes  # the index's code stays a candidate
    assert encoder.lookup("gout")[0].code == "M10.9"  # "Gout NOS"


def test_a_nos_inclusion_term_is_matched_on_its_words_without_its_parentheses(
    encoder: Encoder,
) -> None:
    best = encoder.lookup("Hepatitis A")[0]  # "Hepatitis A (acute)(viral) NOS"
    assert best.code == "B15.9"


def test_a_nos_inclusion_term_under_an_other_subcategory_completes_to_its_unspecified_code(
    encoder: Encoder,
) -> None:
    """S82.89 "Other fractures of lower leg" includes "Fracture of ankle NOS"."""
    best = encoder.lookup("fracture of ankle")[0]
    assert best.code == "S82.899A"
    assert best.path.endswith("(inclusion term: Fracture of ankle NOS)")


def test_the_nos_default_is_only_for_the_unqualified_term(encoder: Encoder) -> None:
    assert encoder.lookup("concussion with loss of consciousness")[0].code != "S06.0XAA"
    # an external cause's "Drowning NOS" (W74) does not displace the injury
    assert encoder.lookup("drowning")[0].code == "T75.1XXA"


def test_the_dev_set_is_found_first_four_times_in_five_and_in_the_top_five_almost_always(
    encoder: Encoder,
) -> None:
    with DEV_SET.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) >= 150 and {row["phrasing"] for row in rows} == PHRASINGS
    first, top_five = Counter[str](), Counter[str]()
    for row in rows:
        found = [normalized_code(hit.code.rstrip("-")) for hit in encoder.lookup(row["text"], 5)]
        expected = normalized_code(row["expected_code"])
        first[row["phrasing"]] += found[:1] == [expected]
        top_five[row["phrasing"]] += expected in found
    assert sum(first.values()) >= 0.80 * len(rows), first
    assert sum(top_five.values()) >= 0.95 * len(rows), top_five
