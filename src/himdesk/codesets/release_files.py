"""Finding the official release files in a directory and telling what each one is, from its
content (the XML root element or the CSV header), not from its name alone."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from pathlib import Path

from himdesk.codesets.cm_index_flat import is_flat_index
from himdesk.codesets.cm_index_xml import INDEX_ROOT
from himdesk.codesets.cm_tabular import TABULAR_ROOT
from himdesk.codesets.pcs_definitions import PCS_DEFINITIONS_ROOT
from himdesk.codesets.pcs_tables import PCS_TABLES_ROOT
from himdesk.services.code_sets import CodeSetFileError, NoCodeSetFiles

_HEAD_BYTES = 4096
# Skip the XML declaration, comments and a doctype to reach the root element's name.
_ROOT = re.compile(rb"<(?![?!])([A-Za-z_][\w.\-]*)")


class FileKind(enum.StrEnum):
    TABULAR = "tabular"
    INDEX = "index"  # official XML: diseases, external causes, neoplasms or drugs
    FLAT_INDEX = "flat_index"  # the diseases index flattened to CSV
    PCS_TABLES = "pcs_tables"
    PCS_DEFINITIONS = "pcs_definitions"


_BY_ROOT = {
    TABULAR_ROOT: FileKind.TABULAR,
    INDEX_ROOT: FileKind.INDEX,
    PCS_TABLES_ROOT: FileKind.PCS_TABLES,
    PCS_DEFINITIONS_ROOT: FileKind.PCS_DEFINITIONS,
}


@dataclass(frozen=True)
class ReleaseFile:
    path: Path
    kind: FileKind


def release_files(directory: Path) -> tuple[list[ReleaseFile], list[str]]:
    """(release files, names of other files), both sorted by name."""
    if not directory.exists():
        raise CodeSetFileError(str(directory), "no such directory")
    if not directory.is_dir():
        raise CodeSetFileError(str(directory), "not a directory")
    found: list[ReleaseFile] = []
    ignored: list[str] = []
    for path in sorted(p for p in directory.iterdir() if p.is_file()):
        kind = file_kind(path)
        if kind is None:
            ignored.append(path.name)
        else:
            found.append(ReleaseFile(path, kind))
    if not found:
        raise NoCodeSetFiles(
            f"{directory}: no ICD-10-CM or ICD-10-PCS release file found (looked for the "
            "official tabular, index and PCS XML files and the flattened index CSV)"
        )
    return found, ignored


def file_kind(path: Path) -> FileKind | None:
    with path.open("rb") as stream:
        head = stream.read(_HEAD_BYTES)
    if path.suffix.lower() == ".csv" or not head.lstrip().startswith(b"<"):
        first_line = head.split(b"\n", 1)[0].decode("utf-8", errors="replace")
        return FileKind.FLAT_INDEX if is_flat_index(first_line) else None
    text = re.sub(rb"<!--.*?-->", b"", head, flags=re.DOTALL)
    root = _ROOT.search(text)
    return _BY_ROOT.get(root.group(1).decode()) if root else None
