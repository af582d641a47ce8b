"""FHIR R4 DocumentReference and DiagnosticReport (presented form) into incoming documents.

DocumentReference: https://hl7.org/fhir/R4/documentreference.html
DiagnosticReport: https://hl7.org/fhir/R4/diagnosticreport.html
Attachment: https://hl7.org/fhir/R4/datatypes.html#Attachment

Only text reaches the record: text/plain as sent, HTML as its plain text, other text types as
sent. A document with no attached text (a PDF, a link elsewhere) is counted as not held.
"""

from __future__ import annotations

import base64
import binascii
import codecs
from datetime import datetime
from html.parser import HTMLParser

from himdesk.domain.incoming import IncomingDocument, shortened
from himdesk.domain.records import DocumentStatus, DocumentType
from himdesk.interop.fhir.fhir_values import (
    LOINC,
    Coded,
    Json,
    Located,
    codes_of,
    concept_of,
    moment_of,
    object_of,
    objects_of,
    period_start_of,
    text_of,
    within,
)
from himdesk.interop.fhir.inbound_qualifiers import attestation_of, sensitivity_of
from himdesk.interop.fhir.inbound_references import Reading
from himdesk.interop.fhir.vocabulary import HIMDESK_DOCUMENT_TYPE

WITHOUT_TEXT = "DocumentReference without attached text"
REPORT_RESULTS = "DiagnosticReport (results imported as observations)"

# LOINC document types the record has a type for; others file as clinical notes, code kept.
_DOCUMENT_TYPES = {
    "18842-5": DocumentType.DISCHARGE_SUMMARY,
    "34117-2": DocumentType.HISTORY_AND_PHYSICAL,
    "11492-6": DocumentType.HISTORY_AND_PHYSICAL,
    "11506-3": DocumentType.PROGRESS_NOTE,
    "11488-4": DocumentType.CONSULTATION,
    "11504-8": DocumentType.OPERATIVE_REPORT,
    "11526-1": DocumentType.PATHOLOGY_REPORT,
    "18748-4": DocumentType.RADIOLOGY_REPORT,
    "34111-5": DocumentType.ED_NOTE,
    "34878-9": DocumentType.ED_NOTE,
}
# Diagnostic service sections (v2 table 0074) and LOINC report categories.
_RADIOLOGY = {"RAD", "CT", "NMR", "NMS", "RUS", "VUS", "OUS", "CUS", "XRC", "LP29684-5"}
_PATHOLOGY = {"SP", "PAT", "CP", "LP7839-6"}
_SIGNED = {"final", "amended", "corrected", "appended"}
# https://hl7.org/fhir/R4/valueset-composition-status.html; no docStatus: a current document.
_STATUSES = {
    "preliminary": DocumentStatus.DRAFT,
    "final": DocumentStatus.SIGNED,
    "amended": DocumentStatus.AMENDED,
}
_KINDS = {kind.value for kind in DocumentType}
_HTML = {"text/html", "application/xhtml+xml"}
_BLOCKS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"}


def map_document_reference(at: Located, reading: Reading) -> IncomingDocument | None:
    """A document with attached text; typed by its LOINC document type."""
    document = at.resource
    if text_of(document, "status", at) == "superseded":
        reading.not_held["DocumentReference superseded"] += 1
        return None
    attachments = [
        (object_of(content, "attachment", at, f"content[{i}]"), f"content[{i}].attachment")
        for i, content in enumerate(objects_of(document, "content", at))
    ]
    text = _best_text([(a, p) for a, p in attachments if a is not None], at, reading)
    if not text:
        reading.not_held[WITHOUT_TEXT] += 1
        return None
    coded = concept_of(document, "type", at, (LOINC,))
    context = object_of(document, "context", at) or {}
    authored_at = (
        moment_of(document, "date", at)
        or period_start_of(context, "period", at, "context")
        or _created(attachments, at)
    )
    if authored_at is None:
        at.reject("date", "is missing, and neither context.period nor the attachment says when")
    encounters = objects_of(context, "encounter", at, "context")
    signed = attestation_of(at, reading)
    return IncomingDocument(
        source=at.source,
        document_type=_himdesk_kind(document, at) or _document_type(coded, set()),
        authored_at=authored_at,
        title=_title(text_of(document, "description", at), coded),
        text=text,
        encounter=reading.encounter_in(encounters[0], at, "context.encounter[0]")
        if encounters
        else None,
        author=reading.first_in(objects_of(document, "author", at), at, "author"),
        status=_STATUSES.get(text_of(document, "docStatus", at), DocumentStatus.SIGNED),
        signed_at=signed.signed_at,
        type_code=_type_code(coded, at, "type"),
        signed_by=signed.signed_by,
        requires_cosignature=signed.requires_cosignature,
        cosigned_by=signed.cosigned_by,
        cosigned_at=signed.cosigned_at,
        sensitivity=sensitivity_of(at),
    )


def _himdesk_kind(document: Json, at: Located) -> DocumentType | None:
    """The document kind himdesk's own export names beside the LOINC type (lossless return)."""
    concept = object_of(document, "type", at)
    codings = objects_of(concept, "coding", at, "type") if concept else []
    for index, coding in enumerate(codings):
        if coding.get("system") == HIMDESK_DOCUMENT_TYPE:
            code = text_of(coding, "code", at, f"type.coding[{index}]")
            if code in _KINDS:
                return DocumentType(code)
    return None


def map_diagnostic_report(at: Located, reading: Reading) -> IncomingDocument | None:
    """A report's presented form as a document; a report of results alone is counted.

    The results a report lists are their own Observation entries and are filed as such.
    """
    report = at.resource
    forms = objects_of(report, "presentedForm", at)
    text = _best_text([(form, f"presentedForm[{i}]") for i, form in enumerate(forms)], at, reading)
    if not text:
        reading.not_held[REPORT_RESULTS] += 1
        return None
    coded = concept_of(report, "code", at, (LOINC,))
    sections: set[str] = set()
    for index, category in enumerate(objects_of(report, "category", at)):
        sections |= codes_of(category, at, f"category[{index}]")
    authored_at = (
        moment_of(report, "issued", at)
        or moment_of(report, "effectiveDateTime", at)
        or period_start_of(report, "effectivePeriod", at)
    )
    if authored_at is None:
        at.reject("issued", "is missing, and no effective[x] says when the report was made")
    status = text_of(report, "status", at)
    return IncomingDocument(
        source=at.source,
        document_type=_document_type(coded, sections),
        authored_at=authored_at,
        title=_title("", coded),
        text=text,
        encounter=reading.encounter_of(at),
        author=reading.first_in(
            objects_of(report, "resultsInterpreter", at), at, "resultsInterpreter"
        )
        or reading.first_in(objects_of(report, "performer", at), at, "performer"),
        status=DocumentStatus.SIGNED if status in _SIGNED else DocumentStatus.DRAFT,
        type_code=_type_code(coded, at, "code"),
        sensitivity=sensitivity_of(at),
    )


def _document_type(coded: Coded, sections: set[str]) -> DocumentType:
    if coded.system == LOINC and coded.code in _DOCUMENT_TYPES:
        return _DOCUMENT_TYPES[coded.code]
    if sections & _PATHOLOGY:
        return DocumentType.PATHOLOGY_REPORT
    if sections & _RADIOLOGY:
        return DocumentType.RADIOLOGY_REPORT
    return DocumentType.CLINICAL_NOTE


def _type_code(coded: Coded, at: Located, key: str) -> str:
    return within(coded.code, 20, at, f"{key}.coding.code") if coded.system == LOINC else ""


def _title(description: str, coded: Coded) -> str:
    return shortened(description or coded.text or _document_type(coded, set()).label, 200)


def _created(attachments: list[tuple[Json | None, str]], at: Located) -> datetime | None:
    for attachment, path in attachments:
        if attachment is not None and (created := moment_of(attachment, "creation", at, path)):
            return created
    return None


def _best_text(attachments: list[tuple[Json, str]], at: Located, reading: Reading) -> str:
    """The text of the most readable attachment: plain text, then HTML, then other text."""
    ranked: list[tuple[int, int, Json, str, str]] = []
    for order, (attachment, path) in enumerate(attachments):
        payload = _payload(attachment, at, path, reading)
        if payload is None:
            continue
        media, charset = _media_type(text_of(payload, "contentType", at, path))
        if media == "text/plain" or media in _HTML or media.startswith("text/"):
            rank = 0 if media == "text/plain" else 1 if media in _HTML else 2
            ranked.append((rank, order, payload, path, charset))
    if not ranked:
        return ""
    _rank, _order, payload, path, charset = min(ranked, key=lambda r: (r[0], r[1]))
    text = _decoded(payload, at, path, charset)
    media, _charset = _media_type(text_of(payload, "contentType", at, path))
    return (_html_text(text) if media in _HTML else text).strip()


def _payload(attachment: Json, at: Located, path: str, reading: Reading) -> Json | None:
    """The attachment itself when it carries data, else the Binary its url names, if held."""
    if text_of(attachment, "data", at, path):
        return attachment
    url = text_of(attachment, "url", at, path)
    if not url:
        return None
    binary = reading.held(url, "Binary")
    if binary is None or not text_of(binary, "data", at, f"{path}.url -> Binary"):
        return None
    if not text_of(binary, "contentType", at, f"{path}.url -> Binary"):
        return {**binary, "contentType": text_of(attachment, "contentType", at, path)}
    return binary


def _media_type(content_type: str) -> tuple[str, str]:
    media, _, parameters = content_type.partition(";")
    charset = "utf-8"
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    return media.strip().lower(), charset


def _decoded(payload: Json, at: Located, path: str, charset: str) -> str:
    data = "".join(text_of(payload, "data", at, path).split())
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        at.reject(f"{path}.data", "expected base64-encoded content")
    try:
        codecs.lookup(charset)
    except LookupError:
        at.reject(f"{path}.contentType", f"names an unknown character set {charset!r}")
    try:
        text = raw.decode(charset)
    except UnicodeDecodeError:
        at.reject(f"{path}.data", f"is not {charset} text")
    if "\x00" in text:
        at.reject(f"{path}.data", "contains a NUL character, which text does not")
    return text


class _PlainText(HTMLParser):
    """Collects an HTML document's text, one line per block, leaving scripts and styles out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        """Skip `<![if …]>`-style sections: the standard parser fails on unknown keywords."""
        end = self.rawdata.find(">", i)
        return -1 if end < 0 else end + 1


def _html_text(html: str) -> str:
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)
