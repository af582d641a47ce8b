"""ICD-10-PCS definitions from the official `ICD10PCS.definitions` XML: per <section
code=".."> and <axis pos="..">, <terms> with one or more <title>s (a body part and its
sides share one entry), a <definition>, an <explanation> and <includes> lines."""

from __future__ import annotations

from lxml import etree

from himdesk.codesets.official_xml import element_text, line_of, parse_release_xml, release_year
from himdesk.domain.coding.pcs import PcsDefinition
from himdesk.services.code_sets import CodeSetFileError

PCS_DEFINITIONS_ROOT = "ICD10PCS.definitions"


def read_pcs_definitions(content: bytes, file: str) -> tuple[int, tuple[PcsDefinition, ...]]:
    """(fiscal year, definitions in document order)."""
    root = parse_release_xml(content, file)
    if root.tag != PCS_DEFINITIONS_ROOT:
        raise CodeSetFileError(
            file, f"expected an <{PCS_DEFINITIONS_ROOT}> document, found <{root.tag}>"
        )
    definitions: list[PcsDefinition] = []
    for section in root.iterfind("section"):
        code = section.get("code", "").strip()
        if not code:
            raise CodeSetFileError(file, 'a <section> without a "code"', line_of(section))
        for axis in section.iterfind("axis"):
            definitions.extend(_read_axis(code, axis, file))
    return release_year(root, file), tuple(definitions)


def _read_axis(section: str, axis: etree._Element, file: str) -> list[PcsDefinition]:
    position = axis.get("pos", "")
    if not (position.isascii() and position.isdigit()):  # not "²"
        raise CodeSetFileError(file, f'an <axis> with pos="{position}"', line_of(axis))
    found: list[PcsDefinition] = []
    for terms in axis.iterfind("terms"):
        definition = element_text(terms.find("definition"))
        explanation = element_text(terms.find("explanation"))
        includes = tuple(element_text(line) for line in terms.iterfind("includes"))
        found.extend(
            PcsDefinition(section, int(position), element_text(title), definition,
                          explanation, includes)
            for title in terms.iterfind("title")
        )  # fmt: skip
    return found
