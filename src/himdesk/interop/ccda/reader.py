"""Reading C-CDA R2.1 documents (HL7 CDA R2, US Realm) into submissions for import.

A C-CDA file holds one ClinicalDocument: it becomes one `Submission` with one chart (the
patient of recordTarget), one document (the narrative of every section, or the text of an
unstructured document) and the coded entries of the sections the record holds (problems,
medications, allergies, results, vital signs, encounters, procedures). Anything else is a
`Rejected` saying where and why; nothing else is ever raised.

The XML is parsed without loading DTDs, without the network and without expanding entities,
and a document declaring a DOCTYPE is refused: C-CDA documents have none, and entity
declarations are how "billion laughs" bombs work.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TypeVar

from lxml import etree

from himdesk.domain.incoming import (
    IncomingAllergy,
    IncomingChart,
    IncomingDiagnosis,
    IncomingDocument,
    IncomingEncounter,
    IncomingMedication,
    IncomingObservation,
    IncomingProcedure,
    Rejected,
    SourceFormat,
    SourceRef,
    Submission,
)
from himdesk.domain.records import DocumentStatus
from himdesk.interop.ccda.document import IncomingPart, ReceivedDocument
from himdesk.interop.ccda.header import (
    document_author,
    document_kind,
    read_encompassing_encounter,
    read_patient,
    signed_at,
    signed_by,
)
from himdesk.interop.ccda.narrative import section_text, unstructured_text
from himdesk.interop.ccda.sections import body_sections, read_sections
from himdesk.interop.ccda.values import (
    V3,
    BadValue,
    Element,
    child,
    path_of,
    ref_of,
    shortened,
    text_of,
    time_value,
)

ROOT = "document root"
_Part = TypeVar("_Part")
# A DOCTYPE in the prolog (after an optional BOM, declaration, comments): refused before parsing.
_PROLOG = rb"(?:\xef\xbb\xbf)?(?:\s|<\?[^>]*\?>|<!--(?:[^-]|-[^-])*-->)*"
_DOCTYPE = re.compile(_PROLOG + rb"<!DOCTYPE")
_FIRST_ELEMENT = re.compile(_PROLOG + rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_FRAGMENT = "expected ClinicalDocument (a fragment, not a document)"
_NO_NARRATIVE = "(The document as sent has no narrative text.)"
_NO_DOCTYPE = "declares a DOCTYPE; C-CDA documents have none (entities are not read)"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        load_dtd=False,
    )


def read_ccda(content: bytes, label: str) -> Iterator[Submission | Rejected]:
    """The one ClinicalDocument of `content` as a Submission, or the Rejected saying why not."""
    try:
        submission = _read(content, label)
    except Rejected as rejected:
        yield rejected
        return
    except BadValue as bad:
        yield Rejected(f"{path_of(bad.element)}/@value", bad.problem)
        return
    except Exception as error:  # the contract: any input gives a clean rejection
        yield Rejected("ClinicalDocument", f"could not be read ({type(error).__name__})")
        return
    yield submission


def parse_document(content: bytes) -> Element:
    """The ClinicalDocument element of `content`, parsed safely; Rejected when it is not one."""
    if not content.strip():
        raise Rejected(ROOT, "the file is empty; expected a C-CDA ClinicalDocument (XML)")
    if _DOCTYPE.match(content, 0, 65536):
        raise Rejected(ROOT, _NO_DOCTYPE)
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as error:
        message = (error.msg or "syntax error").splitlines()[0]
        first = _FIRST_ELEMENT.match(content, 0, 65536)
        name = first.group(1).decode("ascii") if first else "ClinicalDocument"
        if name != "ClinicalDocument":  # e.g. a snippet using a namespace prefix it lacks
            raise Rejected(ROOT, f"root element is <{name}>, {_FRAGMENT}; not well-formed XML "
                           f"on its own ({message})") from None  # fmt: skip
        where = f"line {error.lineno}" if error.lineno else ROOT
        raise Rejected(where, f"is not well-formed XML ({message})") from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype:
        raise Rejected(ROOT, _NO_DOCTYPE)
    name = etree.QName(root)
    if name.localname != "ClinicalDocument":
        raise Rejected(ROOT, f"root element is <{name.localname}>, {_FRAGMENT}")
    if name.namespace != V3:
        raise Rejected(ROOT, f"<ClinicalDocument> is not in the HL7 v3 namespace {V3}")
    return root


def _read(content: bytes, label: str) -> Submission:
    root = parse_document(content)
    ref = ref_of(child(root, "id"), "ClinicalDocument/id")
    if ref is None:
        raise Rejected("ClinicalDocument/id", "is missing; expected the document's identifier")
    authored_at = time_value(child(root, "effectiveTime"))
    if authored_at is None:
        raise Rejected("ClinicalDocument/effectiveTime", "is missing; expected when it was written")
    doc = ReceivedDocument(root, ref, authored_at)
    document_type, type_code, message_type = document_kind(child(root, "code"))
    patient = read_patient(doc)
    stay = read_encompassing_encounter(doc, document_type)
    title = text_of(child(root, "title"))
    document = IncomingDocument(
        source=ref,
        document_type=document_type,
        authored_at=authored_at,
        title=shortened(title or document_type.label, 200),
        text=_text(doc, stay.source if stay else None),
        encounter=stay.source if stay else None,
        author=document_author(doc),
        status=DocumentStatus.SIGNED,  # a document sent to another organisation is final
        signed_at=signed_at(doc),
        type_code=type_code,
        signed_by=signed_by(doc),
    )
    chart = _chart(doc, IncomingChart(patient=patient, documents=(document,)), stay)
    return Submission(
        format=SourceFormat.CCDA,
        label=label,
        fingerprint=hashlib.sha256(content).hexdigest(),
        charts=(chart,),
        clinicians=tuple(doc.clinicians.values()),
        not_held=tuple(doc.not_held.items()),
        message_type=message_type,
        control_id=shortened(ref.value, 100),
    )


def _text(doc: ReceivedDocument, stay: SourceRef | None) -> str:
    """The document's narrative, reading the entries of a structured body on the way."""
    if child(doc.root, "component/structuredBody") is not None:
        read_sections(doc, stay)
        text = "\n\n".join(section_text(s) for s in body_sections(doc.root))
        return text or _NO_NARRATIVE
    body = child(doc.root, "component/nonXMLBody")
    if body is None:
        raise Rejected(
            "ClinicalDocument/component", "is missing; expected a structuredBody or nonXMLBody"
        )
    text, not_held = unstructured_text(body)
    doc.count(not_held)
    return text or _NO_NARRATIVE


def _chart(
    doc: ReceivedDocument, patient_chart: IncomingChart, stay: IncomingEncounter | None
) -> IncomingChart:
    kept = _settled(doc.kept, stay.source if stay else None)
    return replace(
        patient_chart,
        encounters=((stay,) if stay else ()) + _of(kept, IncomingEncounter),
        observations=_of(kept, IncomingObservation),
        diagnoses=_of(kept, IncomingDiagnosis),
        procedures=_of(kept, IncomingProcedure),
        medications=_of(kept, IncomingMedication),
        allergies=_of(kept, IncomingAllergy),
    )


def _of(kept: list[IncomingPart], kind: type[_Part]) -> tuple[_Part, ...]:
    return tuple(p for p in kept if isinstance(p, kind))


def _settled(
    kept: list[tuple[IncomingPart, SourceRef]], stay: SourceRef | None
) -> list[IncomingPart]:
    """One part per identity: an entry restated (same id, same content) is kept once; different
    entries the sender gave the same id keep the identities derived from where they are.

    An encounter entry with the encompassing encounter's id is that encounter, already read
    from the header.
    """
    contents: dict[tuple[type, SourceRef], set[IncomingPart]] = {}
    for part, _ in kept:
        contents.setdefault((type(part), part.source), set()).add(part)
    settled: list[IncomingPart] = []
    seen: set[IncomingPart] = set()
    for part, derived in kept:
        if part in seen or (isinstance(part, IncomingEncounter) and part.source == stay):
            continue
        seen.add(part)
        shared = len(contents[(type(part), part.source)]) > 1
        settled.append(replace(part, source=derived) if shared else part)
    return settled
