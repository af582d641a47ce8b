"""CMS Table 5 relative weights: the bundled FY2026 table and tables of other years."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from himdesk.codesets.drg_weights import (
    DrgWeights,
    Table5Unreadable,
    bundled_table_5,
    parse_table_5,
    read_table_5,
    table_5_files,
)

HEADER_2026 = (
    "MS-DRG \tFY 2027 Final Post-Acute DRG\tFY 2027 Final Special Pay DRG\tMDC\tTYPE\t"
    "MS-DRG Title\tWeights - Before Cap\tWeights - 10% Cap Applied \tGeometric mean LOS\t"
    "Arithmetic mean LOS\r\n"
)


def a_table_5(title: str, rows: list[str], header: str = HEADER_2026) -> str:
    return f'"{title}"\t\t\t\t\t\t\t\t\t\r\n' + header + "".join(r + "\r\n" for r in rows)


FY2027 = a_table_5(
    "TABLE 5.\u2014LIST OF MEDICARE SEVERITY DIAGNOSIS-RELATED GROUPS (MS-DRGS)\r\n"
    "AND GEOMETRIC AND ARITHMETIC MEAN LENGTH OF STAY\u2014FY 2027 Final Rule",
    [
        "291\tYes\tNo\t05\tMED\tHEART FAILURE AND SHOCK WITH MCC\t1.3000\t1.3000\t3.8\t5.0",
        "293\tYes\tNo\t05\tMED\tHEART FAILURE AND SHOCK WITHOUT CC/MCC\t0.5000\t0.5100\t2.1\t2.5",
        "999\tNo\tNo\t \t**\tUNGROUPABLE\t.\t.\t.\t",
    ],
)


def test_the_bundled_table_is_the_fy2026_final_rule() -> None:
    table = bundled_table_5()
    assert (table.fiscal_year, table.rule) == (2026, "FY 2026 Final Rule")
    assert table.is_final_rule
    assert len(table.rows) > 700


def test_heart_failure_with_mcc_weighs_1_2838_in_fy2026() -> None:
    row = bundled_table_5().rows["291"]
    assert (row.weight, row.mdc, row.surgical) == (Decimal("1.2838"), "05", False)
    assert row.title == "HEART FAILURE AND SHOCK WITH MCC"


def test_the_weight_is_the_one_with_the_10_percent_cap_applied() -> None:
    # DRG 010 Pancreas transplant: 3.0699 before the cap, 7.1757 with it (what Medicare pays).
    assert bundled_table_5().rows["010"].weight == Decimal("7.1757")


def test_surgical_drgs_are_marked_and_pre_mdc_drgs_say_pre() -> None:
    rows = bundled_table_5().rows
    assert rows["322"].surgical and rows["322"].mdc == "05"
    assert rows["001"].mdc == "PRE"


def test_ungroupable_has_no_weight() -> None:
    rows = bundled_table_5().rows
    assert rows["998"].weight is None and rows["999"].weight is None


def test_a_table_of_another_year_reads_its_year_from_the_title() -> None:
    table = parse_table_5(FY2027, "fy2027.txt")
    assert (table.fiscal_year, table.rule) == (2027, "FY 2027 Final Rule")
    assert table.rows["293"].weight == Decimal("0.5100")


def test_tables_before_the_cap_have_one_weights_column() -> None:
    header = "MS-DRG\tPost-Acute DRG\tSpecial Pay DRG\tMDC\tTYPE\tMS-DRG Title\tWeights\tGMLOS\r\n"
    row = "291\tYes\tNo\t05\tMED\tHF\t1.3310\t3.9"
    text = a_table_5("TABLE 5 FY 2022 Final Rule", [row], header)
    assert parse_table_5(text, "fy2022.txt").rows["291"].weight == Decimal("1.3310")


def test_a_proposed_rule_table_says_so() -> None:
    table = parse_table_5(FY2027.replace("Final Rule", "Proposed Rule"), "p.txt")
    assert (table.rule, table.is_final_rule) == ("FY 2027 Proposed Rule", False)


def test_a_title_without_fiscal_year_is_refused_naming_the_file() -> None:
    with pytest.raises(Table5Unreadable, match=r"odd\.txt: the title names no fiscal year"):
        parse_table_5(FY2027.replace("FY 2027", "next year"), "odd.txt")


def test_a_header_without_weights_is_refused_naming_the_column() -> None:
    text = FY2027.replace("Weights - Before Cap", "A").replace("Weights - 10% Cap Applied", "B")
    with pytest.raises(Table5Unreadable, match="lacks the column.*weight"):
        parse_table_5(text, "t.txt")


def test_a_non_numeric_weight_is_refused_naming_the_drg() -> None:
    with pytest.raises(Table5Unreadable, match="DRG 293 has weight 'n/a'"):
        parse_table_5(FY2027.replace("0.5100", "n/a"), "t.txt")


def test_table_5_files_in_the_codeset_dir_add_their_year(tmp_path: Path) -> None:
    (tmp_path / "FY 2027 Final Rule Table 5.txt").write_bytes(FY2027.encode("cp1252"))
    (tmp_path / "table_50_something.txt").write_text("not a table 5")
    (tmp_path / "icd10cm_index_2025_flat.csv").write_text("not a table either")
    assert [read_table_5(p).fiscal_year for p in table_5_files(tmp_path)] == [2027]
    weights = DrgWeights.load(tmp_path)
    assert weights.fiscal_years == [2026, 2027]
    table = weights.table(2027)
    assert table is not None and table.rows["291"].weight == Decimal("1.3000")


def test_a_table_in_the_codeset_dir_wins_over_the_bundled_one_of_its_year(tmp_path: Path) -> None:
    corrected = FY2027.replace("FY 2027", "FY 2026")
    (tmp_path / "table5_fy2026_correction.txt").write_bytes(corrected.encode("cp1252"))
    table = DrgWeights.load(tmp_path).table(2026)
    assert table is not None and table.rows["293"].weight == Decimal("0.5100")


def test_no_year_but_fy2026_is_loaded_without_a_codeset_dir() -> None:
    weights = DrgWeights.load(None)
    assert weights.fiscal_years == [2026] and weights.table(2027) is None


def test_an_unreadable_table_5_file_is_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "Table 5 draft.txt").write_text("MS-DRG\tMDC\n291\t05\n")
    weights = DrgWeights.load(tmp_path)
    assert weights.fiscal_years == [2026]
    assert weights.problems == (
        f"Table 5 not read: {tmp_path / 'Table 5 draft.txt'}: the title names no fiscal year "
        "('FY 2027 ...').",
    )
