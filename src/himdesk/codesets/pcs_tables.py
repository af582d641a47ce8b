"""ICD-10-PCS tables from the official `ICD10PCS.tabular` XML.

A <pcsTable> names characters 1-3 in three <axis> (one <label code=".."> each; axis 3
carries the operation's <definition>), then its <pcsRow>s, each with axes 4-7 listing the
values allowed together. Identical values are shared between rows: there are some 34,000
labels but far fewer distinct ones.
"""

from __future__ import annotations

from lxml import etree

from himdesk.codesets.official_xml import element_text, line_of, parse_release_xml, release_year
from himdesk.domain.coding.pcs import PcsAxis, PcsRow, PcsTable, PcsTables, PcsValue
from himdesk.services.code_sets import CodeSetFileError

PCS_TABLES_ROOT = "ICD10PCS.tabular"


class _Values:
    """One PcsValue per distinct (character, label)."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], PcsValue] = {}

    def __call__(self, character: str, label: str) -> PcsValue:
        key = (character, label)
        value = self._known.get(key)
        if value is None:
            value = self._known[key] = PcsValue(character, label)
        return value


def read_pcs_tables(content: bytes, file: str) -> PcsTables:
    root = parse_release_xml(content, file)
    if root.tag != PCS_TABLES_ROOT:
        raise CodeSetFileError(
            file, f"expected an <{PCS_TABLES_ROOT}> document, found <{root.tag}>"
        )
    values = _Values()
    tables: dict[str, PcsTable] = {}
    for element in root.iterfind("pcsTable"):
        table = _read_table(element, values, file)
        if table.prefix in tables:
            # The official files split a few tables: the rows of both apply.
            earlier = tables[table.prefix]
            table = PcsTable(
                table.prefix, earlier.axes, earlier.operation_definition, earlier.rows + table.rows
            )
        tables[table.prefix] = table
    if not tables:
        raise CodeSetFileError(file, "no <pcsTable> found")
    return PcsTables(release_year(root, file), tables)


def _read_table(element: etree._Element, values: _Values, file: str) -> PcsTable:
    axes = tuple(_read_axis(axis, values, file) for axis in element.iterfind("axis"))
    if [axis.position for axis in axes] != [1, 2, 3] or any(len(a.values) != 1 for a in axes):
        raise CodeSetFileError(
            file, "a <pcsTable> must name characters 1-3 with one value each", line_of(element)
        )
    prefix = "".join(axis.values[0].character for axis in axes)
    rows = tuple(_read_row(row, values, file) for row in element.iterfind("pcsRow"))
    definition = element_text(element.find("axis[@pos='3']/definition"))
    return PcsTable(prefix, (axes[0], axes[1], axes[2]), definition, rows)


def _read_row(element: etree._Element, values: _Values, file: str) -> PcsRow:
    axes = tuple(_read_axis(axis, values, file) for axis in element.iterfind("axis"))
    if [axis.position for axis in axes] != [4, 5, 6, 7]:
        raise CodeSetFileError(file, "a <pcsRow> must have axes 4 to 7", line_of(element))
    return PcsRow((axes[0], axes[1], axes[2], axes[3]))


def _read_axis(element: etree._Element, values: _Values, file: str) -> PcsAxis:
    position = element.get("pos", "")
    if not (position.isascii() and position.isdigit()):  # not "²"
        raise CodeSetFileError(file, f'an <axis> with pos="{position}"', line_of(element))
    labels = tuple(
        values(label.get("code", "").strip(), element_text(label))
        for label in element.iterfind("label")
    )
    if not labels or any(not value.character for value in labels):
        raise CodeSetFileError(file, "an <axis> without coded <label>s", line_of(element))
    return PcsAxis(int(position), element_text(element.find("title")), labels)
