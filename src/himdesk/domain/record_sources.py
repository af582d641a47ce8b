"""Where a part of the record came from: the hospital itself, or another system by import.

Every part an import writes keeps a source link naming the sender's system the way the
readers spell it: `urn:fhir` (FHIR R4), `hl7v2:<sending facility>` (HL7 v2, MSH-4 or the
assigning authority) and `cda:<root OID>` (C-CDA, the OID of the entry's id). A part without
a link was recorded here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import NamedTuple

FHIR_SYSTEM = "urn:fhir"
HL7V2_PREFIX = "hl7v2:"
CDA_PREFIX = "cda:"


class ReceivedPart(NamedTuple):
    """One part of a chart that an import wrote, and the system it came from. (A tuple:
    a chart received from elsewhere has hundreds, read on every opening.)"""

    kind: str  # an import_records.PartKind value: "encounter", "observation" ...
    entity_id: int
    source_system: str


def sender_name(source_system: str) -> str:
    """The sender as an HIM technician reads it: "FHIR R4", "HL7 v2 CDPH", "C-CDA".

    A C-CDA system is the OID of an entry's id, which says nothing to a reader (and varies
    within one document), so only the format is named.
    """
    if source_system == FHIR_SYSTEM:
        return "FHIR R4"
    if source_system.startswith(HL7V2_PREFIX):
        return f"HL7 v2 {source_system.removeprefix(HL7V2_PREFIX).strip()}".strip()
    if source_system.startswith(CDA_PREFIX):
        return "C-CDA"
    return source_system


def senders_by_part(parts: Iterable[ReceivedPart]) -> Mapping[tuple[str, int], tuple[str, ...]]:
    """(kind, id) -> the source systems of that part, each once, in the order found."""
    found: dict[tuple[str, int], dict[str, None]] = {}
    for part in parts:
        found.setdefault((part.kind, part.entity_id), {})[part.source_system] = None
    return {key: tuple(systems) for key, systems in found.items()}


def received_label(source_systems: Collection[str]) -> str:
    """The senders as the chart names them ("FHIR R4", "HL7 v2 CDPH, C-CDA"); "" for a part
    recorded here."""
    return ", ".join(dict.fromkeys(sender_name(s) for s in source_systems))


def analysed_here(source_systems: Collection[str]) -> bool:
    """Completeness analysis covers the hospital's own encounters and those its own ADT feed
    (HL7 v2) sends; an encounter received from another organisation (FHIR, C-CDA) is filed
    as it came, not analysed against this hospital's bylaws."""
    return not source_systems or any(s.startswith(HL7V2_PREFIX) for s in source_systems)
