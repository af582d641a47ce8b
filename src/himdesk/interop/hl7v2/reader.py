"""Reading HL7 v2 (ER7, "pipes and hats") input: one `Submission` or `Rejected` per message.

The input may be a file of many messages (segments ended by CR, LF or CRLF), MLLP-framed
bytes (0x0B … 0x1C 0x0D) or a batch file with FHS/BHS/BTS/FTS wrappers; the wrappers only
group messages and are skipped. A message starts at its MSH segment. Each message stands on
its own: its fingerprint is the SHA-256 of its own bytes, and one broken message rejects only
itself. The reader is pure and never raises: any input, however broken, gives `Rejected`.

Text is UTF-8 unless MSH-18 names ISO 8859-1. Segment structure per HL7 v2.5.1 chapter 2
(2.5 "Message construction rules"). Segments are split by `fields.SegmentView`, lazily: python-
hl7 built a full tree of every field (about 1.1 ms for a field-heavy ADT, against 0.03 ms to
split), most of which the record never reads.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from himdesk.domain.incoming import Rejected, Submission, text_within
from himdesk.interop.hl7v2.fields import Delimiters, SegmentView
from himdesk.interop.hl7v2.messages import ParsedMessage, check_accepted, submission_of

_LINE = re.compile(rb"[^\r\n]+")
_WRAPPERS = {b"FHS", b"FTS", b"BHS", b"BTS"}  # file and batch header/trailer segments
_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{2}")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BOM = b"\xef\xbb\xbf"
_STRAY = "text outside any message: every message must start with an MSH segment"


@dataclass(frozen=True)
class RawMessage:
    number: int
    content: bytes  # exactly the message's bytes, from MSH to its last segment
    lines: tuple[bytes, ...]


@dataclass(frozen=True)
class MessageHeader:
    """The MSH of a message as far as it can be read, even from a message that is rejected:
    what an acknowledgement needs to answer it."""

    delimiters: Delimiters
    fields: tuple[str, ...]  # raw MSH fields; fields[n] is MSH-n (MSH-1 is the separator)

    def raw(self, field: int) -> str:
        return self.fields[field] if field < len(self.fields) else ""

    @property
    def message_type(self) -> str:
        parts = self.raw(9).split(self.delimiters.component)
        return "^".join(p for p in parts[:2] if p)

    @property
    def control_id(self) -> str:
        return self.raw(10).split(self.delimiters.component)[0][:100]


def read_hl7(content: bytes, label: str) -> Iterator[Submission | Rejected]:
    try:
        pieces = split_messages(content)
    except Exception as err:  # never reached by design; a crash must not escape the reader
        yield Rejected("", f"could not be read (internal error: {type(err).__name__})")
        return
    if not pieces:
        yield Rejected("", "no HL7 message found: the input is empty")
        return
    many = sum(isinstance(p, RawMessage) for p in pieces) > 1
    for piece in pieces:
        if isinstance(piece, Rejected):
            yield piece
            continue
        unit = f"message {piece.number}" if many else ""
        try:
            yield _read_message(piece, f"{label} {unit}" if unit else label)
        except Rejected as rejected:
            yield _naming(rejected, piece, unit)
        except Exception as err:  # the same last resort, per message: name it, go on
            problem = f"could not be read (internal error: {type(err).__name__})"
            yield _naming(Rejected(f"message {piece.number}", problem), piece, unit)


def _naming(rejected: Rejected, raw: RawMessage, unit: str) -> Rejected:
    """The rejection of one message carries that message alone (not the file around it) and
    its type and control id as far as its MSH can be read, for the review queue."""
    header = message_header(raw.content)
    rejected.unit, rejected.payload = unit, raw.content
    if header is not None:
        rejected.message_type = rejected.message_type or header.message_type.upper()[:40]
        rejected.control_id = rejected.control_id or header.control_id
    return rejected


def messages_by_fingerprint(content: bytes) -> dict[str, bytes]:
    """Each message's exact bytes by its fingerprint: what a message refused after it was
    read (by the import) is kept as, instead of the whole file."""
    return {
        hashlib.sha256(piece.content).hexdigest(): piece.content
        for piece in split_messages(content)
        if isinstance(piece, RawMessage)
    }


def split_messages(content: bytes) -> list[RawMessage | Rejected]:
    """The messages of the input in order, and a rejection for any text outside a message."""
    content = content.replace(b"\x0b", b"").replace(b"\x1c", b"")  # MLLP framing bytes
    found: list[RawMessage | Rejected] = []
    current: list[tuple[int, int]] = []
    stray: tuple[Rejected, int] | None = None  # one rejection per run of lines outside messages

    def close() -> None:
        if current:
            start, end = current[0][0], current[-1][1]
            lines = tuple(content[s:e].strip() for s, e in current)
            found.append(RawMessage(len(found) + 1, content[start:end], lines))
            current.clear()

    for match in _LINE.finditer(content):
        start, end = match.span()
        if content.startswith(_BOM, start):  # a file saved "with signature": not HL7 text
            start += len(_BOM)
        tag = content[start:end].strip()[:3]
        if not tag:
            continue
        if tag in _WRAPPERS or tag == b"MSH":
            close()
            stray = None
        if tag == b"MSH" or (current and tag not in _WRAPPERS):
            current.append((start, end))
        elif tag not in _WRAPPERS:
            if stray is None:
                where = f"line {_line_number(content, start)}"
                stray = (Rejected(where, _STRAY, unit=where), start)
                found.append(stray[0])
            stray[0].payload = content[stray[1] : end]  # the run of stray lines, as received
    close()
    return found


def _line_number(content: bytes, offset: int) -> int:
    """As an editor counts lines: by LF, or by CR in a file that has no LF."""
    ending = b"\n" if b"\n" in content else b"\r"
    return content.count(ending, 0, offset) + 1


def message_header(content: bytes) -> MessageHeader | None:
    """The first MSH in the input, read leniently; None when there is none to read."""
    for match in _LINE.finditer(content.replace(b"\x0b", b"").replace(b"\x1c", b"")):
        line = match.group().strip().removeprefix(_BOM).decode("utf-8", errors="replace")
        if line.startswith("MSH") and len(line) >= 8:
            separator = line[3]
            try:
                delimiters = _delimiters(line, 0)
            except Rejected:
                delimiters = Delimiters(field=separator)
            fields = line.split(separator)
            return MessageHeader(delimiters, (fields[0], separator, *fields[1:]))
    return None


def _read_message(raw: RawMessage, label: str) -> Submission:
    where = f"message {raw.number}"
    for index, line in enumerate(raw.lines, start=1):
        if control := _CONTROL.search(line):
            raise Rejected(
                f"{where}, segment {index}",
                f"contains control character 0x{control.group()[0]:02X}; HL7 text allows none",
            )
    lines = [_decoded(line, raw) for line in raw.lines]
    delimiters = _delimiters(lines[0], raw.number)
    for index, text in enumerate(lines[1:], start=2):
        if not _SEGMENT_ID.fullmatch(text[:3]) or (len(text) > 3 and text[3] != delimiters.field):
            raise Rejected(
                f"{where}, segment {index}",
                "does not start with a segment id (three "
                "capital letters or digits) and the field separator",
            )
    return submission_of(_parsed(lines, raw, label, delimiters))


def _decoded(line: bytes, raw: RawMessage) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        header = message_header(raw.content)
        if header and "8859" in header.raw(18):
            return line.decode("latin-1")
        raise Rejected(
            f"message {raw.number}",
            "is not UTF-8 text; name its character set in MSH-18 (himdesk reads UTF-8 and 8859/1)",
        ) from None


def _delimiters(msh: str, number: int) -> Delimiters:
    where = f"message {number}"
    separator = msh[3] if len(msh) > 3 else ""
    if not separator or separator.isalnum() or separator.isspace():
        raise Rejected(f"{where}, MSH-1", "field separator must be a symbol such as |")
    end = msh.find(separator, 4)
    encoding = msh[4:end] if end != -1 else msh[4:]
    distinct = len(set(encoding + separator)) == len(encoding) + 1
    symbols = all(not c.isalnum() and not c.isspace() for c in encoding)
    if len(encoding) not in (4, 5) or not distinct or not symbols or end == -1:
        raise Rejected(
            f"{where}, MSH-2",
            "encoding characters must be four distinct symbols "
            "such as ^~\\& followed by the field separator",
        )
    return Delimiters(separator, encoding[0], encoding[1], encoding[2], encoding[3])


def _parsed(lines: list[str], raw: RawMessage, label: str, delimiters: Delimiters) -> ParsedMessage:
    seen: Counter[str] = Counter()
    views = []
    for line in lines:
        seen[line[:3]] += 1
        views.append(SegmentView(line, delimiters, raw.number, seen[line[:3]]))
    msh = views[0]
    message_type = "^".join(p for p in (msh.text(9, 1).upper(), msh.text(9, 2).upper()) if p)
    if not message_type:
        raise Rejected(msh.where(9), "message type is missing")
    check_accepted(message_type, raw.number)
    control_id = text_within(msh.text(10), 100, msh.where(10))
    if not control_id:
        raise Rejected(
            msh.where(10), "message control id is missing; the acknowledgement must name it"
        )
    facility = msh.text(4, 1) or msh.text(4, 2) or msh.text(3, 1) or msh.text(3, 2)
    if not facility:
        raise Rejected(
            msh.where(4), "sending facility is missing; himdesk names the sender's records by it"
        )
    return ParsedMessage(
        number=raw.number,
        label=label,
        fingerprint=hashlib.sha256(raw.content).hexdigest(),
        segments=tuple(views),
        facility=text_within(facility, 150, msh.where(4)),
        control_id=control_id,
        message_type=message_type,
        sent_at=msh.instant(7),
    )
