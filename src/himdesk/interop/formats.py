"""Which exchange format a file is, and its submissions read by that format's reader.

The format is told from the bytes first (an HL7 v2 message starts with its MSH segment, FHIR
JSON with a brace, a C-CDA document is XML with a ClinicalDocument root), and from the file
name only when the bytes do not say. Readers are imported when first needed.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import PurePath
from typing import Any

from himdesk.domain.incoming import Rejected, SourceFormat, Submission

READERS = {
    SourceFormat.FHIR: ("himdesk.interop.fhir.inbound", "read_fhir"),
    SourceFormat.HL7V2: ("himdesk.interop.hl7v2.reader", "read_hl7"),
    SourceFormat.CCDA: ("himdesk.interop.ccda.reader", "read_ccda"),
}
# Formats whose files hold many units (HL7 v2: many messages): each unit's bytes by its
# fingerprint. In FHIR and C-CDA the file is the unit.
UNIT_SPLITTERS = {SourceFormat.HL7V2: ("himdesk.interop.hl7v2.reader", "messages_by_fingerprint")}
BY_SUFFIX = {
    ".json": SourceFormat.FHIR,
    ".ndjson": SourceFormat.FHIR,
    ".hl7": SourceFormat.HL7V2,
    ".xml": SourceFormat.CCDA,
    ".ccda": SourceFormat.CCDA,
    ".cda": SourceFormat.CCDA,
}
IMPORTABLE_SUFFIXES = frozenset({*BY_SUFFIX, ".txt"})  # .txt only when it holds HL7 v2
# MLLP framing (VT), a byte-order mark and white space may come before the first segment.
_LEADING = b"\x0b\xef\xbb\xbf \t\r\n"
_HL7_START = re.compile(rb"(MSH|FHS|BHS)[|]")
_CDA_ROOT = re.compile(rb"<(\w+:)?ClinicalDocument[\s>]")

Reader = Callable[[bytes, str], Iterator[Submission | Rejected]]


def detect_format(content: bytes, name: str = "") -> SourceFormat | None:
    """The format of a file's bytes, or None when it is none of the three."""
    head = content[:4096].lstrip(_LEADING)
    if _HL7_START.match(head):
        return SourceFormat.HL7V2
    if head[:1] in (b"{", b"["):
        return SourceFormat.FHIR
    if head[:1] == b"<":
        return SourceFormat.CCDA if _CDA_ROOT.search(content[:65536]) else None
    suffix = PurePath(name).suffix.lower()
    return BY_SUFFIX.get(suffix) if head else None


def is_importable_name(name: str) -> bool:
    return PurePath(name).suffix.lower() in IMPORTABLE_SUFFIXES


def read_submissions(
    content: bytes, label: str, source_format: SourceFormat | None = None
) -> Iterator[Submission | Rejected]:
    """Each submission in the file, or a rejection naming what could not be read."""
    source_format = source_format or detect_format(content, label)
    if source_format is None:
        yield Rejected(label, "is not a FHIR R4 JSON, HL7 v2 or C-CDA file (nothing was read)")
        return
    reader = _reader(source_format)
    if reader is None:
        yield Rejected(label, f"cannot be read: the {source_format.value} reader is not installed")
        return
    try:
        yield from reader(content, label)
    except Rejected as rejected:  # the contract is to yield, but a raised one means the same
        yield rejected
    except Exception as err:  # a reader's defect must not stop the other files
        yield Rejected(label, f"could not be read ({type(err).__name__} in the "
                       f"{source_format.value} reader)")  # fmt: skip


def unit_contents(content: bytes, source_format: SourceFormat) -> Mapping[str, bytes]:
    """The exact bytes of each bundle, message or document of a file, by fingerprint; empty
    when the file is the one unit (or cannot be split)."""
    if source_format not in UNIT_SPLITTERS:
        return {}
    splitter: Callable[[bytes], Mapping[str, bytes]] | None = _loaded(
        *UNIT_SPLITTERS[source_format]
    )
    return splitter(content) if splitter else {}


def _reader(source_format: SourceFormat) -> Reader | None:
    reader: Reader | None = _loaded(*READERS[source_format])
    return reader


def _loaded(module_name: str, function: str) -> Any:
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, function, None)
