"""HL7 v3 data types as C-CDA R2.1 uses them: TS, IVL_TS, PQ, CD and II.

See the CDA R2 data types (HL7 V3 Data Types R1, "Abstract Data Types" and the XML ITS) and
C-CDA R2.1 Vol. 1, 4.1 ("Conformance Conventions") for how documents fill them.

A value that is absent or carries a nullFlavor is simply missing (None); a value that is present
but cannot be a value of its type (a time stamp "abc") is an error the caller turns into a
rejection naming where it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from lxml import etree

from himdesk.domain.incoming import Rejected, SourceRef
from himdesk.domain.incoming import shortened as cut_to
from himdesk.interop.hl7_time import UnreadableTime, written_time

V3 = "urn:hl7-org:v3"
SDTC = "urn:hl7-org:sdtc"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
Element = etree._Element

# OIDs of the code systems C-CDA documents use, as the FHIR system URIs the record keeps, so a
# code read from a C-CDA document compares equal to the same code read from FHIR.
CODE_SYSTEMS = {
    "2.16.840.1.113883.6.1": "http://loinc.org",
    "2.16.840.1.113883.6.96": "http://snomed.info/sct",
    "2.16.840.1.113883.6.90": "http://hl7.org/fhir/sid/icd-10-cm",
    "2.16.840.1.113883.6.103": "http://hl7.org/fhir/sid/icd-9-cm",
    "2.16.840.1.113883.6.4": "http://www.cms.gov/Medicare/Coding/ICD10",
    "2.16.840.1.113883.6.88": "http://www.nlm.nih.gov/research/umls/rxnorm",
    "2.16.840.1.113883.6.12": "http://www.ama-assn.org/go/cpt",
    "2.16.840.1.113883.6.285": "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "2.16.840.1.113883.6.69": "http://hl7.org/fhir/sid/ndc",
    "2.16.840.1.113883.12.292": "http://hl7.org/fhir/sid/cvx",
    "2.16.840.1.113883.4.9": "http://fdasis.nlm.nih.gov",
    "2.16.840.1.113883.6.8": "http://unitsofmeasure.org",
}
SSN_ROOT = "2.16.840.1.113883.4.1"
NPI_ROOT = "2.16.840.1.113883.4.6"
_OID = re.compile(r"[0-2](\.(0|[1-9][0-9]*))+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
MAX_REF = 200  # source_links.source_system / source_id


class BadValue(ValueError):
    """A present value that is not a value of its data type: `problem` says what was expected."""

    def __init__(self, element: Element, problem: str) -> None:
        super().__init__(problem)
        self.element = element
        self.problem = problem


@lru_cache(maxsize=512)
def clark(path: str) -> str:
    """'recordTarget/patientRole' -> the same path with each step in the HL7 v3 namespace."""
    return "/".join(
        s if s in {".", ".."} or s.startswith("{") else f"{{{V3}}}{s}" for s in path.split("/")
    )


def path_of(element: Element) -> str:
    """Where an element is in its document, as a path a reader can follow in the file."""
    path = element.getroottree().getelementpath(element).replace(f"{{{V3}}}", "")
    return "ClinicalDocument" if path == "." else f"ClinicalDocument/{path}"


def text_of(element: Element | None) -> str:
    """An element's text content with whitespace collapsed ("" for no element)."""
    if element is None:
        return ""
    return " ".join("".join(t for t in element.itertext() if isinstance(t, str)).split())


def child(element: Element | None, path: str) -> Element | None:
    return None if element is None else element.find(clark(path))


def children(element: Element | None, path: str) -> list[Element]:
    return [] if element is None else element.findall(clark(path))


def is_element(node: object) -> bool:
    """lxml also yields comments, processing instructions and unexpanded entities as nodes."""
    return isinstance(getattr(node, "tag", None), str)


def local_name(element: Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def attr(element: Element | None, name: str) -> str:
    return "" if element is None else (element.get(name) or "").strip()


def template_roots(element: Element) -> set[str]:
    return {attr(t, "root") for t in children(element, "templateId")}


def shortened(value: str, limit: int) -> str:
    """Whitespace runs collapsed (the format wraps text freely), then cut as the record keeps
    display text (`domain.incoming.shortened`)."""
    return cut_to(" ".join(value.split()), limit)


# --- TS / IVL_TS --------------------------------------------------------------------------


def _written_time(element: Element, value: str) -> datetime:
    """The time a TS names, in its own offset (interop/hl7_time.py reads it as HL7 v2 does)."""
    try:
        return written_time(value)
    except UnreadableTime as unreadable:
        raise BadValue(element, str(unreadable)) from None


def time_value(element: Element | None) -> datetime | None:
    """A TS element's @value as a UTC time; None when absent or a nullFlavor.

    A time stamp without a zone offset is taken as UTC: the sender's local zone is unknown, and
    the record keeps UTC (the same convention as HL7 v2 TS without a zone).
    """
    value = attr(element, "value")
    if element is None or not value:
        return None
    return _written_time(element, value).astimezone(UTC)


def date_value(element: Element | None) -> date | None:
    """A TS element's calendar date as written (no zone shift: a birth date stays the same day)."""
    value = attr(element, "value")
    if element is None or not value:
        return None
    return _written_time(element, value).date()


# --- PQ -------------------------------------------------------------------------------------


def decimal_value(element: Element | None) -> Decimal | None:
    """A PQ/REAL @value as a finite decimal; None when absent, a nullFlavor or not a number."""
    value = attr(element, "value")
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    # Beyond any clinical quantity; also keeps "1E+999999" from being written out in full.
    if not number.is_finite():
        return None
    if number.is_zero():
        return Decimal(0)
    return number if -12 <= number.adjusted() <= 12 else None


def unit_of(element: Element | None) -> str:
    """A PQ @unit; the UCUM unit "1" (a pure number) is no unit to a reader."""
    unit = attr(element, "unit")
    return "" if unit == "1" else unit


# --- II / CD --------------------------------------------------------------------------------


def ref_of(element: Element | None, where: str) -> SourceRef | None:
    """An II as the sender's identity for a part: ("cda:<root>", extension or root)."""
    root = attr(element, "root")
    if element is None or not root or attr(element, "nullFlavor"):
        return None
    value = attr(element, "extension") or root
    if len(root) + 4 > MAX_REF or len(value) > MAX_REF:
        raise Rejected(where, f"identifier is longer than the record keeps ({MAX_REF} characters)")
    return SourceRef(f"cda:{root}", value)


def system_uri(root: str) -> str:
    """The FHIR URI of a code system or assigning authority: known OIDs by name, other OIDs as
    urn:oid:<oid>, UUIDs as urn:uuid:<uuid>, anything else as the sender wrote it."""
    if root in CODE_SYSTEMS:
        return CODE_SYSTEMS[root]
    if _OID.fullmatch(root):
        return f"urn:oid:{root}"
    if _UUID.fullmatch(root):
        return f"urn:uuid:{root.lower()}"
    return root


@dataclass(frozen=True)
class Coded:
    """A CD/CE: the code with its system, and the words a reader sees for it."""

    code: str
    system: str
    display: str
