"""The ICD-10-CM Tabular List from the official `ICD10CM.tabular` XML.

<chapter> (name, desc) holds <section id="I20-I25"> blocks, which hold <diag> categories,
which nest <diag> subcategories and codes. Notes are kept per kind as printed; a
<sevenChrDef> (with its <sevenChrNote>) becomes the node's 7th-character rule. When the
release directory has no tabular, the FY2026 one in the `simple-icd-10-cm` wheel is used.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import MappingProxyType

from lxml import etree

from himdesk.codesets.official_xml import (
    clean_text,
    element_text,
    line_of,
    parse_release_xml,
    release_year,
)
from himdesk.domain.coding.codes import normalized_code
from himdesk.domain.coding.tabular import (
    NoteKind,
    SeventhCharacterRule,
    Tabular,
    TabularLevel,
    TabularNode,
)
from himdesk.services.code_sets import CodeSetFileError

TABULAR_ROOT = "ICD10CM.tabular"
WHEEL_TABULAR = "icd10c-tabular-April-1-2026.xml"
_NOTE_TAGS = {kind.value: kind for kind in NoteKind}
_NO_NOTES: MappingProxyType[NoteKind, tuple[str, ...]] = MappingProxyType({})


def wheel_tabular() -> tuple[str, bytes]:
    """The tabular XML shipped in the `simple-icd-10-cm` wheel: (file name, content).

    Found through the package's import spec, without importing it: its import parses the
    whole tabular into its own structures (about 2 s and 150 MB).
    """
    spec = importlib.util.find_spec("simple_icd_10_cm")
    if spec is None or not spec.submodule_search_locations:
        raise CodeSetFileError(WHEEL_TABULAR, "the simple-icd-10-cm package is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / WHEEL_TABULAR
    if not path.is_file():
        raise CodeSetFileError(WHEEL_TABULAR, f"not found in the simple-icd-10-cm package ({path})")
    return WHEEL_TABULAR, path.read_bytes()


def read_tabular(content: bytes, file: str) -> Tabular:
    root = parse_release_xml(content, file)
    if root.tag != TABULAR_ROOT:
        raise CodeSetFileError(file, f"expected an <{TABULAR_ROOT}> document, found <{root.tag}>")
    nodes: dict[str, TabularNode] = {}
    for chapter in root.iterfind("chapter"):
        _read_chapter(chapter, nodes, file)
    if not nodes:
        raise CodeSetFileError(file, "no <chapter> found")
    return Tabular(release_year(root, file), nodes)


def _read_chapter(chapter: etree._Element, nodes: dict[str, TabularNode], file: str) -> None:
    key = clean_text(chapter.findtext("name"))
    if not key:
        raise CodeSetFileError(file, "a <chapter> without a <name>", line_of(chapter))
    sections = []
    for section in chapter.iterfind("section"):
        section_key = _block_key(section.get("id", ""))
        if not section_key:
            raise CodeSetFileError(file, 'a <section> without an "id"', line_of(section))
        sections.append(section_key)
        diags = [_read_diag(d, section_key, nodes, file) for d in section.iterfind("diag")]
        _add(nodes, section, section_key, TabularLevel.SECTION, key, diags, file)
    _add(nodes, chapter, key, TabularLevel.CHAPTER, None, sections, file)


def _block_key(section_id: str) -> str:
    """A block of one category ("B10") is keyed "B10-B10": the category keeps its own key."""
    section_id = section_id.strip().upper()
    return section_id if "-" in section_id or not section_id else f"{section_id}-{section_id}"


def _read_diag(diag: etree._Element, parent: str, nodes: dict[str, TabularNode], file: str) -> str:
    key = normalized_code(diag.findtext("name") or "")
    if not key:
        raise CodeSetFileError(file, "a <diag> without a <name>", line_of(diag))
    children = [_read_diag(child, key, nodes, file) for child in diag.iterfind("diag")]
    if not children:
        level = TabularLevel.CODE
    else:
        level = TabularLevel.CATEGORY if len(key) == 3 else TabularLevel.SUBCATEGORY
    _add(nodes, diag, key, level, parent, children, file)
    return key


def _add(
    nodes: dict[str, TabularNode],
    element: etree._Element,
    key: str,
    level: TabularLevel,
    parent: str | None,
    children: list[str],
    file: str,
) -> None:
    if key in nodes:
        raise CodeSetFileError(file, f"{key} appears twice", line_of(element))
    nodes[key] = TabularNode(
        key, level, clean_text(element.findtext("desc")), parent, tuple(children),
        _notes(element), _seventh(element, key),
    )  # fmt: skip


def _notes(element: etree._Element) -> MappingProxyType[NoteKind, tuple[str, ...]]:
    notes: dict[NoteKind, tuple[str, ...]] = {}
    for child in element:
        kind = _NOTE_TAGS.get(child.tag) if isinstance(child.tag, str) else None
        if kind is not None:
            texts = tuple(element_text(note) for note in child.iterfind("note"))
            notes[kind] = notes.get(kind, ()) + texts
    return MappingProxyType(notes) if notes else _NO_NOTES


def _seventh(element: etree._Element, key: str) -> SeventhCharacterRule | None:
    definition = element.find("sevenChrDef")
    if definition is None:
        return None
    note = " ".join(element_text(n) for n in element.iterfind("sevenChrNote/note"))
    characters = tuple(
        (extension.get("char", "").strip(), element_text(extension))
        for extension in definition.iterfind("extension")
    )
    return SeventhCharacterRule(key, note, characters)
