"""Parsing an official CDC/CMS XML release file safely, with errors that say where.

The files come from a directory an administrator points at: DTDs, entities and network
access are refused so that a crafted file cannot expand or reach out.
"""

from __future__ import annotations

import re

from lxml import etree

from himdesk.services.code_sets import CodeSetFileError

_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_SPACES = re.compile(r"\s+")


def parse_release_xml(content: bytes, file: str) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(content, parser)
    except etree.XMLSyntaxError as error:
        line = error.lineno if error.lineno else None
        raise CodeSetFileError(file, f"not well-formed XML: {error.msg}", line) from None


def release_year(root: etree._Element, file: str) -> int:
    """The year in <version>, else the last year in the file name."""
    version = (root.findtext("version") or "").strip()
    if version.isdigit() and len(version) == 4:
        return int(version)
    years = _YEAR_IN_NAME.findall(file)
    if years:
        return int(years[-1])
    raise CodeSetFileError(file, "no <version> year and no year in the file name")


def clean_text(text: str | None) -> str:
    """Whitespace as printed: runs (tabs, line breaks) become one space."""
    return _SPACES.sub(" ", text).strip() if text else ""


def element_text(element: etree._Element | None) -> str:
    return clean_text(all_text(element)) if element is not None else ""


def all_text(element: etree._Element) -> str:
    """The element's text with its children's, unformatted."""
    return "".join(str(part) for part in element.itertext())


def line_of(element: etree._Element) -> int | None:
    return element.sourceline if isinstance(element.sourceline, int) else None
