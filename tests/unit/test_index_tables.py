"""The neoplasm and drug tables searched by row: words of the whole path and modifiers,
each cell's code checked against the tabular (incomplete, 7th character, missing)."""

from __future__ import annotations

import pytest
from tests.unit.test_tabular_view import TABULAR

from himdesk.domain.coding.alphabetic_index import (
    AlphabeticIndex,
    IndexEntry,
    IndexKind,
    TableCell,
)
from himdesk.domain.coding.index_tables import IndexTable, UnreadableTableQuery

COLUMNS = ("Malignant Primary", "Malignant Secondary")
NEOPLASMS = AlphabeticIndex(
    IndexKind.NEOPLASMS,
    2025,
    (
        IndexEntry(IndexKind.NEOPLASMS, 0, 0, "Neoplasm, neoplastic", None,
                   cells=(TableCell("Malignant Primary", "I21.4"),)),
        IndexEntry(IndexKind.NEOPLASMS, 1, 1, "bronchogenic", 0, nonessential=("lung",),
                   cells=(TableCell("Malignant Primary", "S72.0-"),
                          TableCell("Malignant Secondary", "T51.3X1"))),
        IndexEntry(IndexKind.NEOPLASMS, 2, 1, "lung", 0,
                   cells=(TableCell("Malignant Primary", "Q99.9"),)),
        IndexEntry(IndexKind.NEOPLASMS, 3, 2, "lower lobe", 2, see_also="Neoplasm, bronchus"),
    ),
    COLUMNS,
)  # fmt: skip
TABLE = IndexTable(NEOPLASMS, TABULAR)


def test_rows_are_found_by_any_word_of_their_path_or_modifiers() -> None:
    view = TABLE.search("LUNG")
    assert [row.path for row in view.rows] == [
        ("Neoplasm, neoplastic", "bronchogenic"),
        ("Neoplasm, neoplastic", "lung"),
        ("Neoplasm, neoplastic", "lung", "lower lobe"),
    ]
    assert view.matched == 3 and view.columns == COLUMNS


def test_every_word_must_appear_somewhere_in_the_row() -> None:
    assert [row.position for row in TABLE.search("lobe lung").rows] == [3]
    assert TABLE.search("lobe heart").matched == 0


def test_cells_follow_the_columns_with_none_where_the_table_has_no_code() -> None:
    lower_lobe = TABLE.search("lower").rows[0]
    assert lower_lobe.cells == (None, None) and lower_lobe.see_also == "Neoplasm, bronchus"


def test_each_code_is_checked_against_the_tabular() -> None:
    bronchogenic = TABLE.search("bronchogenic").rows[0]
    incomplete, needs_seventh = bronchogenic.cells
    assert incomplete is not None and incomplete.target == "S720"
    assert incomplete.flag == "incomplete"
    assert needs_seventh is not None and needs_seventh.flag == "needs a 7th character"
    missing = TABLE.search("lung").rows[1].cells[0]
    assert missing is not None and missing.target is None and missing.flag == "not in the tabular"
    complete = TABLE.search("").rows[0].cells[0]
    assert complete is not None and complete.target == "I214" and complete.flag == ""


def test_only_the_first_rows_are_given_with_the_count_of_all() -> None:
    view = TABLE.search("", limit=2)
    assert len(view.rows) == 2 and view.matched == 4


def test_an_overlong_search_is_refused() -> None:
    with pytest.raises(UnreadableTableQuery, match="at most 200"):
        TABLE.search("lung " * 41)
