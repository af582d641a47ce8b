"""Reading release files that are wrong, odd or small: errors name the file, the line or the
column; files are told apart by content; a directory is read into one release per system."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.code_set_samples import (
    EXTERNAL_CAUSE_INDEX,
    FLAT_INDEX,
    PCS_TABLES,
    TABULAR,
    small_release,
    write_release,
)

from himdesk.codesets.cm_index_flat import read_flat_index
from himdesk.codesets.cm_index_xml import read_index_xml
from himdesk.codesets.cm_tabular import read_tabular
from himdesk.codesets.index_lines import nonessential_modifiers
from himdesk.codesets.pcs_tables import read_pcs_tables
from himdesk.codesets.release_files import FileKind, file_kind, release_files
from himdesk.codesets.release_reader import ReleaseDirectory
from himdesk.domain.coding.alphabetic_index import IndexKind
from himdesk.domain.coding.codes import CodeSystem
from himdesk.services.code_sets import CodeSetFileError, NoCodeSetFiles


@pytest.mark.parametrize(
    ("printed", "modifiers"),
    [
        ("(NSTEMI)", ("NSTEMI",)),
        ("(acute) (chronic)", ("acute", "chronic")),
        ('(agitation) ("daze") (fugue)', ("agitation", '"daze"', "fugue")),
        ("(with (or) without)  (  spaced  )", ("with (or) without", "spaced")),
        ("", ()),
    ],
)
def test_nonessential_modifiers_are_split_at_their_parentheses(
    printed: str, modifiers: tuple[str, ...]
) -> None:
    assert nonessential_modifiers(printed) == modifiers


def test_malformed_xml_is_refused_with_its_file_and_line() -> None:
    broken = TABULAR.replace("</diag>\n    </section>", "</diagnosis>\n    </section>", 1)
    with pytest.raises(CodeSetFileError) as refused:
        read_tabular(broken.encode(), "tabular.xml")
    assert refused.value.file == "tabular.xml"
    assert refused.value.line == 13
    assert str(refused.value).startswith("tabular.xml, line 13: not well-formed XML")


def test_a_document_of_another_kind_is_refused_by_its_root_element() -> None:
    with pytest.raises(CodeSetFileError, match=r"expected an <ICD10CM.tabular> document"):
        read_tabular(PCS_TABLES.encode(), "pcs.xml")


def test_an_entity_is_not_expanded() -> None:
    sneaky = TABULAR.replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ).replace("Essential (primary) hypertension", "&x;")
    tabular = read_tabular(sneaky.encode(), "tabular.xml")
    assert "root:" not in tabular.nodes["I10"].title


def test_a_flat_index_with_a_wrong_header_names_the_column() -> None:
    wrong = FLAT_INDEX.replace("NonEssModif", "Modifiers", 1)
    with pytest.raises(CodeSetFileError) as refused:
        read_flat_index(wrong.encode(), "index_2025_flat.csv")
    assert str(refused.value) == (
        'index_2025_flat.csv, line 1: header column 7 is "Modifiers", expected "NonEssModif"'
    )


@pytest.mark.parametrize("level", ["two", "²"])
def test_a_flat_index_row_with_a_bad_level_names_its_line(level: str) -> None:
    wrong = FLAT_INDEX.replace("5,I,2,non-ST", f"5,I,{level},non-ST")
    with pytest.raises(CodeSetFileError, match=rf"line 6: column Level holds \"{level}\""):
        read_flat_index(wrong.encode(), "index_2025_flat.csv")


def test_a_pcs_axis_position_in_digits_other_than_ascii_is_refused() -> None:
    broken = PCS_TABLES.replace('<axis pos="2" values="1">', '<axis pos="²" values="1">')
    with pytest.raises(CodeSetFileError, match='pos="²"'):
        read_pcs_tables(broken.encode(), "icd10pcs_tables_2026.xml")


def test_a_flat_index_reads_quoted_terms_and_modifiers() -> None:
    index = read_flat_index(FLAT_INDEX.encode(), "index_2025_flat.csv")
    assert index.fiscal_year == 2025 and index.kind is IndexKind.DISEASES
    assert [e.term for e in index.entries[1:3]] == ["Infarct, infarction", "cardiac"]
    assert index.entries[2].see == "Infarct, myocardium"
    assert index.entries[0].nonessential == ("arterial", "essential", "primary")
    assert [e.parent for e in index.entries] == [None, None, 1, 1, 3, 3]


def test_a_table_cell_of_an_unknown_column_is_refused_with_its_line() -> None:
    table = EXTERNAL_CAUSE_INDEX.replace("<code>X58</code>", '<cell col="9">T51.0X1</cell>')
    with pytest.raises(CodeSetFileError, match=r"line 9: a <cell col=\"9\"> with no such column"):
        read_index_xml(table.encode(), "drugs.xml")


def test_an_external_cause_index_is_known_by_its_title() -> None:
    index = read_index_xml(EXTERNAL_CAUSE_INDEX.encode(), "whatever.xml")
    assert (index.kind, index.fiscal_year, index.columns) == (IndexKind.EXTERNAL_CAUSES, 2030, ())


def test_a_pcs_table_must_name_its_first_three_characters() -> None:
    broken = PCS_TABLES.replace('<axis pos="2" values="1">', '<axis pos="9" values="1">')
    with pytest.raises(CodeSetFileError, match="must name characters 1-3"):
        read_pcs_tables(broken.encode(), "pcs.xml")


def test_release_files_are_told_apart_by_content_not_name(tmp_path: Path) -> None:
    write_release(tmp_path, a__dat=TABULAR, b__txt=FLAT_INDEX, c=PCS_TABLES, d__xml="<html/>")
    kinds = {path.name: file_kind(path) for path in tmp_path.iterdir()}
    assert kinds == {
        "a.dat": FileKind.TABULAR, "b.txt": FileKind.FLAT_INDEX,
        "c": FileKind.PCS_TABLES, "d.xml": None,
    }  # fmt: skip


def test_a_missing_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(CodeSetFileError, match="no such directory"):
        release_files(tmp_path / "nowhere")
    (tmp_path / "file.xml").write_text(TABULAR)
    with pytest.raises(CodeSetFileError, match="not a directory"):
        release_files(tmp_path / "file.xml")


def test_a_directory_without_release_files_says_what_was_looked_for(tmp_path: Path) -> None:
    write_release(tmp_path, readme__md="# nothing here")
    with pytest.raises(NoCodeSetFiles, match="no ICD-10-CM or ICD-10-PCS release file found"):
        release_files(tmp_path)


def test_two_tabulars_in_one_directory_are_refused(tmp_path: Path) -> None:
    write_release(tmp_path, one__xml=TABULAR, two__xml=TABULAR)
    with pytest.raises(
        CodeSetFileError, match=r"two.xml: a second tabular file \(besides one.xml\)"
    ):
        ReleaseDirectory(tmp_path)


def test_a_directory_is_read_into_one_release_per_system(tmp_path: Path) -> None:
    source = ReleaseDirectory(small_release(tmp_path))
    assert source.systems == (CodeSystem.ICD10CM, CodeSystem.ICD10PCS)
    assert source.ignored == ("notes.txt",)
    diagnoses = source.read_diagnoses()
    assert diagnoses.release.fiscal_year == 2031
    assert {s.part: s.fiscal_year for s in diagnoses.release.sources} == {
        "tabular": 2031, "index:diseases": 2030, "index:external_causes": 2030,
    }  # fmt: skip
    procedures = source.read_procedures()
    assert procedures.tables.is_valid("0210093") and procedures.release.fiscal_year == 2031


def test_the_digest_changes_with_the_files_and_only_then(tmp_path: Path) -> None:
    first = ReleaseDirectory(small_release(tmp_path)).digest(CodeSystem.ICD10CM)
    assert ReleaseDirectory(tmp_path).digest(CodeSystem.ICD10CM) == first
    write_release(tmp_path, index_2030_flat__csv=FLAT_INDEX + "7,I,2,other,,,,I21.9\n")
    assert ReleaseDirectory(tmp_path).digest(CodeSystem.ICD10CM) != first
    assert ReleaseDirectory(tmp_path).digest(CodeSystem.ICD10PCS) == ReleaseDirectory(
        small_release(tmp_path / "again")
    ).digest(CodeSystem.ICD10PCS)


def test_without_a_directory_the_packaged_tabular_is_the_release(tmp_path: Path) -> None:
    source = ReleaseDirectory(None)
    assert source.systems == (CodeSystem.ICD10CM,)
    # Without a tabular of its own, a directory gets the packaged one too.
    with_index = ReleaseDirectory(write_release(tmp_path, index_2025_flat__csv=FLAT_INDEX))
    assert with_index.digest(CodeSystem.ICD10CM) != source.digest(CodeSystem.ICD10CM)
    assert with_index.file_count == 2
