"""The official release files read into code sets: real entries of the shared FY2025 indexes
and tables, the FY2026 tabular from the simple-icd-10-cm wheel and the FY2026 PCS files.

The files are read once per session (`tests/coding_fixtures.py`) and reach these tests
through the stored encoding, so they check the codec too.
"""

from __future__ import annotations

import pytest

from himdesk.codesets.code_set_codec import decode_code_set, encode_parts
from himdesk.domain.coding.alphabetic_index import AlphabeticIndex, IndexEntry, IndexKind
from himdesk.domain.coding.code_set import DiagnosisCodeSet, ProcedureCodeSet
from himdesk.domain.coding.tabular import NoteKind, TabularLevel
from himdesk.services.code_sets import in_tabular, index_codes_absent


def _line(index: AlphabeticIndex, *path: str) -> IndexEntry:
    """The index line at a path of terms, main term first."""
    found = [e for e in index.entries if index.path(e.position) == list(path)]
    assert found, f"no index line {' > '.join(path)}"
    return found[0]


@pytest.fixture(scope="module")
def diseases(cm_code_set: DiagnosisCodeSet) -> AlphabeticIndex:
    return cm_code_set.indexes[IndexKind.DISEASES]


def test_the_nstemi_line_has_its_code_and_its_nonessential_modifier(
    diseases: AlphabeticIndex,
) -> None:
    line = _line(diseases, "Infarct, infarction", "myocardium, myocardial", "non-ST elevation")
    assert (line.code, line.nonessential, line.level) == ("I21.4", ("NSTEMI",), 2)
    assert diseases.path_text(line.position) == (
        "Infarct, infarction, myocardium, myocardial, non-ST elevation (NSTEMI)"
    )


def test_infarct_cardiac_sends_the_coder_to_infarct_myocardium(diseases: AlphabeticIndex) -> None:
    line = _line(diseases, "Infarct, infarction", "cardiac")
    assert (line.see, line.code) == ("Infarct, myocardium", "")


def test_several_nonessential_modifiers_are_kept_one_by_one(diseases: AlphabeticIndex) -> None:
    line = _line(diseases, "Infarct, infarction", "myocardium, myocardial")
    assert line.nonessential == ("acute", "with stated duration of 4 weeks or less")
    assert line.code == "I21.9"


def test_every_index_line_points_to_the_nearest_line_above_at_a_lower_level(
    cm_code_set: DiagnosisCodeSet,
) -> None:
    for index in cm_code_set.indexes.values():
        open_lines: list[IndexEntry] = []
        for position, entry in enumerate(index.entries):
            assert entry.position == position
            while open_lines and open_lines[-1].level >= entry.level:
                open_lines.pop()
            assert entry.parent == (open_lines[-1].position if open_lines else None)
            open_lines.append(entry)


def test_a_neoplasm_row_gives_one_code_per_behaviour_column(cm_code_set: DiagnosisCodeSet) -> None:
    neoplasms = cm_code_set.indexes[IndexKind.NEOPLASMS]
    assert neoplasms.columns == (
        "Malignant Primary", "Malignant Secondary", "Ca in situ", "Benign",
        "Uncertain Behavior", "Unspecified Behavior",
    )  # fmt: skip
    row = _line(neoplasms, "Neoplasm, neoplastic", "abdomen, abdominal")
    assert {cell.column: cell.code for cell in row.cells} == {
        "Malignant Primary": "C76.2", "Malignant Secondary": "C79.8-", "Ca in situ": "D09.8",
        "Benign": "D36.7", "Uncertain Behavior": "D48.7", "Unspecified Behavior": "D49.89",
    }  # fmt: skip


def test_a_neoplasm_column_without_a_code_is_left_out(cm_code_set: DiagnosisCodeSet) -> None:
    neoplasms = cm_code_set.indexes[IndexKind.NEOPLASMS]
    row = _line(neoplasms, "Neoplasm, neoplastic", "abdomen, abdominal", "wall",
                "connective tissue")  # fmt: skip
    assert "Ca in situ" not in {cell.column for cell in row.cells}
    assert {cell.column: cell.code for cell in row.cells}["Benign"] == "D21.4"


def test_a_drug_row_lists_its_poisoning_codes_and_leaves_out_the_dashes(
    cm_code_set: DiagnosisCodeSet,
) -> None:
    drugs = cm_code_set.indexes[IndexKind.DRUGS]
    assert drugs.columns[0] == "Poisoning Accidental (unintentional)"
    row = _line(drugs, "1-propanol")
    assert [(cell.column, cell.code) for cell in row.cells] == [
        ("Poisoning Accidental (unintentional)", "T51.3X1"),
        ("Poisoning Intentional self-harm", "T51.3X2"),
        ("Poisoning Assault", "T51.3X3"),
        ("Poisoning Undetermined", "T51.3X4"),
    ]


def test_a_drug_name_keeps_its_nonessential_words_apart(cm_code_set: DiagnosisCodeSet) -> None:
    row = _line(cm_code_set.indexes[IndexKind.DRUGS], "2,4-D")
    assert row.nonessential == ("dichlorophen-oxyacetic acid",)


def test_an_external_cause_term_keeps_the_words_after_its_modifiers(
    cm_code_set: DiagnosisCodeSet,
) -> None:
    causes = cm_code_set.indexes[IndexKind.EXTERNAL_CAUSES]
    line = causes.entries[0]
    assert (line.term, line.code) == ("Abandonment NEC", "X58")
    assert line.nonessential == (
        "causing exposure to weather conditions", "with intent to injure or kill",
    )  # fmt: skip


def test_an_external_cause_see_subcategory_becomes_an_incomplete_code(
    cm_code_set: DiagnosisCodeSet,
) -> None:
    causes = cm_code_set.indexes[IndexKind.EXTERNAL_CAUSES]
    lightning = [e for e in causes.entries if e.term == "lightning" and e.level == 1]
    assert any(e.code == "T75.0-" for e in lightning)


def test_the_i21_category_carries_its_excludes2_notes(cm_code_set: DiagnosisCodeSet) -> None:
    i21 = cm_code_set.tabular.find("I21")
    assert i21 is not None and i21.level is TabularLevel.CATEGORY
    assert "old myocardial infarction (I25.2)" in i21.notes[NoteKind.EXCLUDES2]
    assert i21.parent == "I20-I25" and "I214" in i21.children
    assert ("I21", "old myocardial infarction (I25.2)") in cm_code_set.tabular.notes_for(
        "I214", NoteKind.EXCLUDES2
    )


def test_hip_fracture_codes_inherit_the_s72_seventh_character_rule(
    cm_code_set: DiagnosisCodeSet,
) -> None:
    rule = cm_code_set.tabular.seventh_rule("S72001")
    assert rule is not None and rule.defined_at == "S72"
    assert ("A", "initial encounter for closed fracture") in rule.characters
    assert rule.note.startswith("The appropriate 7th character is to be added")
    assert cm_code_set.tabular.is_billable("S72.001A")
    assert not cm_code_set.tabular.is_billable("S72.001")


def test_a_category_without_subdivisions_is_a_code(cm_code_set: DiagnosisCodeSet) -> None:
    i10 = cm_code_set.tabular.find("I10")
    assert i10 is not None and i10.level is TabularLevel.CODE and i10.children == ()
    assert cm_code_set.tabular.is_billable("I10")


def test_a_block_of_one_category_keeps_apart_from_the_category(
    cm_code_set: DiagnosisCodeSet,
) -> None:
    block, category = cm_code_set.tabular.nodes["B10-B10"], cm_code_set.tabular.nodes["B10"]
    assert block.level is TabularLevel.SECTION and category.parent == "B10-B10"
    assert cm_code_set.tabular.nodes["1"].level is TabularLevel.CHAPTER


def test_the_icd10cm_release_is_the_tabular_year_and_each_file_keeps_its_own(
    cm_code_set: DiagnosisCodeSet,
) -> None:
    release = cm_code_set.release
    years = {source.part: source.fiscal_year for source in release.sources}
    assert release.fiscal_year == 2026
    assert years == {
        "tabular": 2026, "index:diseases": 2025, "index:external_causes": 2025,
        "index:neoplasms": 2025, "index:drugs": 2025,
    }  # fmt: skip
    assert cm_code_set.indexes[IndexKind.DISEASES].fiscal_year == 2025


def test_index_codes_the_fy2026_tabular_no_longer_has_as_codes_are_found(
    cm_code_set: DiagnosisCodeSet,
) -> None:
    absent = index_codes_absent(cm_code_set)
    assert absent and len(absent) == len(set(absent))
    assert all(not in_tabular(cm_code_set.tabular, code) for code in absent)
    assert in_tabular(cm_code_set.tabular, "I21.4") and in_tabular(cm_code_set.tabular, "S72.0-")
    assert in_tabular(cm_code_set.tabular, "T51.3X1")  # a code waiting for its 7th character


def test_pcs_table_021_allows_a_coronary_bypass_with_vein(pcs_code_set: ProcedureCodeSet) -> None:
    table = pcs_code_set.tables.tables["021"]
    assert [axis.values[0].label for axis in table.axes] == [
        "Medical and Surgical", "Heart and Great Vessels", "Bypass",
    ]  # fmt: skip
    assert table.operation_definition.startswith("Altering the route of passage")
    assert pcs_code_set.tables.is_valid("0210093")
    assert not pcs_code_set.tables.is_valid("021009Z")
    assert pcs_code_set.release.fiscal_year == 2026


def test_pcs_definitions_are_kept_per_section_and_axis(pcs_code_set: ProcedureCodeSet) -> None:
    bypass = next(
        d for d in pcs_code_set.tables.definitions
        if (d.section, d.position, d.title) == ("0", 3, "Bypass")
    )  # fmt: skip
    assert bypass.definition.startswith("Altering the route of passage")
    assert bypass.includes == ("Coronary artery bypass, colostomy formation",)
    sides = [d for d in pcs_code_set.tables.definitions if d.title.startswith("1st Toe")]
    assert {d.title for d in sides} == {"1st Toe, Left", "1st Toe, Right"}
    assert all(d.includes == ("Hallux",) for d in sides)


@pytest.mark.parametrize("system", ["cm", "pcs"])
def test_a_code_set_decodes_to_what_was_encoded(
    system: str, cm_code_set: DiagnosisCodeSet, pcs_code_set: ProcedureCodeSet
) -> None:
    code_set = cm_code_set if system == "cm" else pcs_code_set
    parts = dict(encode_parts(code_set))
    assert decode_code_set(code_set.release, parts) == code_set
