"""The human-readable narrative of a C-CDA document as plain text for the record's viewer.

CDA R2 section narrative blocks (CDA R2 4.3.5 "Section.text") hold paragraphs, lists, tables and
inline content. The record keeps documents as plain text whose sections start with an
upper-case heading and a colon ("ALLERGIES:"), which is how the rest of himdesk finds sections,
so each section becomes its heading followed by its lines: lists as "- " lines, table rows as
"Header: value; Header: value" lines (or "a | b" without a header row).
"""

from __future__ import annotations

import base64
import binascii
import re

from himdesk.domain.incoming import Rejected
from himdesk.interop.ccda.values import Element, attr, child, children, is_element, local_name

_NOT_IN_HEADING = re.compile(r"[^A-Z0-9 /&,()'-]+")
_EDGES = re.compile(r"^[^A-Z]+|[^A-Z)]+$")
_BODY_TEXT = "ClinicalDocument/component/nonXMLBody/text"
_SKIPPED = {"renderMultiMedia", "col", "colgroup", "footnoteRef"}


class _Lines:
    """Lines being written: inline text gathers until a block boundary ends the line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._pieces: list[str] = []

    def text(self, value: str | None) -> None:
        if value:
            self._pieces.append(value)

    def end(self) -> None:
        line = " ".join("".join(self._pieces).split())
        self._pieces.clear()
        if line:
            self.lines.append(line)

    def add(self, line: str) -> None:
        self.end()
        if line.strip():
            self.lines.append(line)


def _walk(element: Element, out: _Lines) -> None:
    out.text(element.text)
    for node in element:
        if is_element(node):
            _node(node, out)
        out.text(node.tail)


def _node(node: Element, out: _Lines) -> None:
    name = local_name(node)
    if name in _SKIPPED:
        return
    if name == "br":
        out.end()
    elif name == "list":
        out.end()
        _list(node, out)
    elif name == "table":
        out.end()
        _table(node, out)
    elif name in {"paragraph", "caption", "item", "tr", "tbody", "thead", "tfoot"}:
        out.end()
        _walk(node, out)
        out.end()
    else:  # content, linkHtml, sub, sup, footnote and anything unknown: inline
        _walk(node, out)


def block_lines(element: Element) -> list[str]:
    out = _Lines()
    _walk(element, out)
    out.end()
    return out.lines


def inline_text(element: Element) -> str:
    """One element's text on one line (what a narrative reference points at)."""
    return "; ".join(block_lines(element))


def _list(node: Element, out: _Lines) -> None:
    ordered = attr(node, "listType") == "ordered"
    for number, item in enumerate(children(node, "item"), start=1):
        lines = block_lines(item) or [""]
        marker = f"{number}. " if ordered else "- "
        out.add(marker + lines[0])
        for line in lines[1:]:
            out.add(" " * len(marker) + line)


def _rows(table: Element) -> list[Element]:
    rows = children(table, "tr")
    for part in ("thead", "tbody", "tfoot"):
        for group in children(table, part):
            rows.extend(children(group, "tr"))
    return rows


def _cells(row: Element) -> list[Element]:
    return [c for c in row if is_element(c) and local_name(c) in {"th", "td"}]


def _table(table: Element, out: _Lines) -> None:
    caption = child(table, "caption")
    if caption is not None:
        out.add(inline_text(caption))
    header: list[str] = []
    for row in _rows(table):
        cells = _cells(row)
        values = [inline_text(c) for c in cells]
        if not header and cells and all(local_name(c) == "th" for c in cells):
            header = [v.rstrip(":").strip() for v in values]
            continue
        out.add(_row_line(header, values))


def _row_line(header: list[str], values: list[str]) -> str:
    if not header:
        return " | ".join(v for v in values if v)
    pairs = []
    for index, value in enumerate(values):
        if not value:
            continue
        name = header[index] if index < len(header) else ""
        pairs.append(f"{name}: {value}" if name else value)
    return "; ".join(pairs)


def heading(title: str) -> str:
    """A section title as the record's heading form: upper case, ending in a colon."""
    words = " ".join(_NOT_IN_HEADING.sub(" ", title.upper()).split())
    return f"{_EDGES.sub('', words) or 'SECTION'}:"


def section_text(section: Element) -> str:
    """A section (and the sections inside it) as headed plain text."""
    parts = [heading(section_title(section))]
    text = child(section, "text")
    if text is not None:
        parts.extend(block_lines(text))
    nested = [section_text(s) for s in children(section, "component/section")]
    return "\n\n".join(["\n".join(parts), *nested])


def _title(section: Element) -> str:
    title = child(section, "title")
    return "" if title is None else inline_text(title)


def section_title(section: Element) -> str:
    """The section's title as written, or its code's display name."""
    return _title(section) or attr(child(section, "code"), "displayName")


def unstructured_text(body: Element) -> tuple[str, str]:
    """A nonXMLBody's text, and what the record could not hold of it ("" when nothing).

    Plain text (inline or base64) is kept; a PDF, RTF or image, or a reference to a file kept
    elsewhere, is not: the document is kept with a note saying so (C-CDA R2.1, 1.1.10
    "Unstructured Document").
    """
    text = child(body, "text")
    media = attr(text, "mediaType") or "text/plain"
    if text is None or child(text, "reference") is not None:
        note = "(The document's content is kept by the sender and was not sent.)"
        return note, "Unstructured document content kept by the sender"
    if media != "text/plain":
        note = f"(The document's content is {media}, which the record does not hold.)"
        return note, f"Attached {media} content"
    content = "".join(t for t in text.itertext() if isinstance(t, str))
    if attr(text, "representation") == "B64":
        try:
            raw = base64.b64decode("".join(content.split()), validate=True)
        except (binascii.Error, ValueError):
            raise Rejected(_BODY_TEXT, "is marked base64 (B64) but is not valid base64") from None
        content = raw.decode("utf-8", errors="replace")
    return content.strip(), ""
