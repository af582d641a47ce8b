"""The Index to Diseases and Injuries flattened to CSV (one row per index line, in document
order): RowID, Letter, Level, Term, See, SeeAlso, NonEssModif, Code.

The flattening is a third party's, from the official XML; its year is only in the file
name ("icd10cm_index_2025_flat.csv").
"""

from __future__ import annotations

import csv
import io
import re

from himdesk.codesets.index_lines import IndexLines, nonessential_modifiers
from himdesk.domain.coding.alphabetic_index import AlphabeticIndex, IndexKind
from himdesk.services.code_sets import CodeSetFileError

FLAT_INDEX_COLUMNS = ("RowID", "Letter", "Level", "Term", "See", "SeeAlso", "NonEssModif", "Code")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def is_flat_index(first_line: str) -> bool:
    return first_line.lstrip("\ufeff").strip().startswith("RowID,Letter,Level")


def read_flat_index(content: bytes, file: str) -> AlphabeticIndex:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CodeSetFileError(file, f"not UTF-8 text (byte {error.start})") from None
    rows = csv.reader(io.StringIO(text, newline=""))
    _check_header(next(rows, []), file)
    lines = IndexLines(IndexKind.DISEASES)
    for number, row in enumerate(rows, start=2):
        if not row:
            continue
        if len(row) != len(FLAT_INDEX_COLUMNS):
            raise CodeSetFileError(
                file, f"{len(row)} columns where {len(FLAT_INDEX_COLUMNS)} were expected", number
            )
        _, _, level, term, see, see_also, modifiers, code = row
        if not (level.strip().isascii() and level.strip().isdigit()):  # not "²"
            raise CodeSetFileError(file, f'column Level holds "{level}", not a number', number)
        lines.add(
            int(level), " ".join(term.split()),
            nonessential=nonessential_modifiers(modifiers), code=code.strip(),
            see=" ".join(see.split()), see_also=" ".join(see_also.split()),
        )  # fmt: skip
    return AlphabeticIndex(IndexKind.DISEASES, flat_index_year(file), lines.entries)


def flat_index_year(file: str) -> int:
    years = _YEAR.findall(file)
    if not years:
        raise CodeSetFileError(file, "no fiscal year in the file name (e.g. ..._2025_flat.csv)")
    return int(years[-1])


def _check_header(header: list[str], file: str) -> None:
    found = [name.lstrip("\ufeff").strip() for name in header]
    for position, expected in enumerate(FLAT_INDEX_COLUMNS, start=1):
        actual = found[position - 1] if position <= len(found) else ""
        if actual != expected:
            shown = f'"{actual}"' if actual else "nothing"
            raise CodeSetFileError(
                file, f'header column {position} is {shown}, expected "{expected}"', 1
            )
