"""The ICD-10-CM Alphabetic Index in the official `ICD10CM.index` XML schema: the Index to
Diseases and Injuries, the External Cause Index, the Table of Neoplasms and the Table of
Drugs and Chemicals all share it.

A line is a <mainTerm> (level 0) or a <term level="N">; its <title> carries the term with
non-essential modifiers in <nemod>; it may have a <code>, <see>, <seeAlso>, a tabular
reference (<seecat> "see category", <subcat> "see subcategory": the code to complete from
the tabular, kept with a trailing "-") or, in the tables, one <cell col="N"> per column
named in <indexHeading>.
"""

from __future__ import annotations

from lxml import etree

from himdesk.codesets.index_lines import IndexLines, nonessential_modifiers
from himdesk.codesets.official_xml import (
    all_text,
    clean_text,
    element_text,
    line_of,
    parse_release_xml,
    release_year,
)
from himdesk.domain.coding.alphabetic_index import AlphabeticIndex, IndexKind, TableCell
from himdesk.services.code_sets import CodeSetFileError

INDEX_ROOT = "ICD10CM.index"
_NO_CODE = {"", "-", "--", "—"}
_LINES = {"mainTerm", "term"}


def read_index_xml(content: bytes, file: str) -> AlphabeticIndex:
    root = parse_release_xml(content, file)
    if root.tag != INDEX_ROOT:
        raise CodeSetFileError(file, f"expected an <{INDEX_ROOT}> document, found <{root.tag}>")
    headings = _headings(root)
    kind = index_kind(root)
    lines = IndexLines(kind)
    for letter in root.iterfind("letter"):
        for main_term in letter.iterfind("mainTerm"):
            _read_line(main_term, 0, headings, lines, file)
    columns = tuple(headings[col] for col in sorted(headings) if col != 1)
    return AlphabeticIndex(kind, release_year(root, file), lines.entries, columns)


def index_kind(root: etree._Element) -> IndexKind:
    """Which of the four indexes a document is, from its first column heading or title."""
    first = clean_text(root.findtext("indexHeading/head")).lower()
    if first.startswith("neoplasm"):
        return IndexKind.NEOPLASMS
    if first.startswith(("substance", "drug")):
        return IndexKind.DRUGS
    if "external cause" in clean_text(root.findtext("title")).lower():
        return IndexKind.EXTERNAL_CAUSES
    return IndexKind.DISEASES


def _headings(root: etree._Element) -> dict[int, str]:
    headings: dict[int, str] = {}
    for head in root.iterfind("indexHeading/head"):
        col = head.get("col", "")
        if col.isascii() and col.isdigit():  # not "²"
            headings[int(col)] = element_text(head)
    return headings


def _read_line(
    element: etree._Element, level: int, headings: dict[int, str], lines: IndexLines, file: str
) -> None:
    title = element.find("title")
    if title is None:
        raise CodeSetFileError(file, "an index line without a <title>", line_of(element))
    term, nonessential = _title(title)
    lines.add(
        level,
        term,
        nonessential=nonessential,
        code=_code(element),
        see=element_text(element.find("see")),
        see_also=element_text(element.find("seeAlso")),
        cells=_cells(element, headings, file),
    )
    for child in element.iterfind("term"):
        _read_line(child, _level(child, level + 1, file), headings, lines, file)


def _title(title: etree._Element) -> tuple[str, tuple[str, ...]]:
    """The term without its <nemod> text (text after a <nemod> is part of the term, as in
    "Abandonment (...) NEC"), and the modifiers one by one."""
    parts = [title.text or ""]
    modifiers: list[str] = []
    for child in title:
        if child.tag == "nemod":
            modifiers.extend(nonessential_modifiers(all_text(child)))
        else:
            parts.append(all_text(child))
        parts.append(child.tail or "")
    return clean_text(" ".join(parts)), tuple(modifiers)


def _code(element: etree._Element) -> str:
    code = clean_text(element.findtext("code"))
    if code:
        return code
    for tag in ("subcat", "seecat"):
        reference = clean_text(element.findtext(tag))
        if reference:
            return reference if reference.endswith("-") else reference + "-"
    return ""


def _cells(element: etree._Element, headings: dict[int, str], file: str) -> list[TableCell]:
    cells: list[TableCell] = []
    for cell in element.iterfind("cell"):
        code = clean_text(cell.text)
        if code in _NO_CODE:
            continue
        col = cell.get("col", "")
        if not (col.isascii() and col.isdigit()) or int(col) not in headings:
            raise CodeSetFileError(
                file, f'a <cell col="{col}"> with no such column in <indexHeading>',
                line_of(cell),
            )  # fmt: skip
        cells.append(TableCell(headings[int(col)], code))
    return cells


def _level(element: etree._Element, expected: int, file: str) -> int:
    level = element.get("level", "")
    if not (level.isascii() and level.isdigit()):  # not "²"
        raise CodeSetFileError(file, f'a <term> with level="{level}"', line_of(element))
    return int(level) if int(level) > 0 else expected
