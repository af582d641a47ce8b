"""HL7 v2 original-mode acknowledgements (v2.5.1 2.9.2, 2.15.8 MSA, 2.15.5 ERR).

AA: the message was applied (or recognised as already applied, or held for a patient-match
review — accepted either way, the sender must not resend). AR: the message itself is wrong
and resending it unchanged will not help. AE: himdesk could not apply a valid-looking
message (e.g. it refers to a patient nobody sent); it waits in the review queue.

The acknowledgement answers with the sender's own separators and swaps the sending and
receiving application/facility, as the standard asks.
"""

from __future__ import annotations

import enum
import re
from datetime import UTC, datetime

from himdesk.domain.incoming import Rejected
from himdesk.interop.hl7v2.fields import Delimiters
from himdesk.interop.hl7v2.reader import MessageHeader

START_BLOCK, END_BLOCK = b"\x0b", b"\x1c\x0d"  # MLLP (HL7 v2 transport, release 2)
_LOCATION = re.compile(r"(?P<segment>[A-Z][A-Z0-9]{2})-(?P<field>\d+)$")
_LOCATION_REPEAT = re.compile(r"(?P<segment>[A-Z][A-Z0-9]{2}) (?P<sequence>\d+), ")


class AckCode(enum.StrEnum):
    ACCEPT = "AA"
    ERROR = "AE"
    REJECT = "AR"


# HL7 table 0357, message error condition codes.
_UNSUPPORTED_TYPE, _REQUIRED_MISSING, _DATA_TYPE, _INTERNAL = "200", "101", "102", "207"
_CODE_TEXT = {
    "200": "Unsupported message type",
    "101": "Required field missing",
    "102": "Data type error",
    "207": "Application internal error",
}


def acknowledgement(
    header: MessageHeader | None,
    code: AckCode,
    *,
    control_id: str,
    at: datetime,
    problem: Rejected | None = None,
) -> bytes:
    """The ACK message (segments ended by CR), UTF-8."""
    d = header.delimiters if header else Delimiters()
    raw = header.raw if header else (lambda field: "")
    trigger = raw(9).split(d.component)[1] if d.component in raw(9) else ""
    msh = [
        "MSH",  # MSH-1 is the field separator itself, written between "MSH" and MSH-2
        f"{d.component}{d.repetition}{d.escape}{d.subcomponent}",
        raw(5) or "himdesk",
        raw(6),
        raw(3),
        raw(4),
        at.astimezone(UTC).strftime("%Y%m%d%H%M%S+0000"),
        "",
        d.component.join(("ACK", trigger, "ACK")) if trigger else "ACK",
        control_id,
        raw(11) or "P",
        raw(12) or "2.5.1",
    ]
    segments = ["MSH" + d.field + d.field.join(msh[1:])]
    text = _text(code, problem)
    segments.append(
        d.field.join(["MSA", code.value, header.control_id if header else "", d.escape_text(text)])
    )
    if code is not AckCode.ACCEPT:
        segments.append(_error(d, code, problem, text))
    return ("\r".join(segments) + "\r").encode("utf-8")


def framed(message: bytes) -> bytes:
    return START_BLOCK + message + END_BLOCK


def _text(code: AckCode, problem: Rejected | None) -> str:
    if problem is not None:
        return str(problem)[:500]
    return "accepted" if code is AckCode.ACCEPT else "not accepted"


def _error(d: Delimiters, code: AckCode, problem: Rejected | None, text: str) -> str:
    """ERR-2 where (segment^sequence^field), ERR-3 what (table 0357), ERR-4 severity E,
    ERR-8 the reason for the people at the sending end."""
    location = ""
    condition = _INTERNAL if code is AckCode.ERROR else _DATA_TYPE
    if problem is not None:
        if match := _LOCATION.search(problem.where):
            repeat = _LOCATION_REPEAT.search(problem.where)
            sequence = repeat.group("sequence") if repeat else "1"
            location = d.component.join((match.group("segment"), sequence, match.group("field")))
        if code is AckCode.REJECT and "not accepted" in problem.problem:
            condition = _UNSUPPORTED_TYPE
        elif code is AckCode.REJECT and "missing" in problem.problem:
            condition = _REQUIRED_MISSING
    what = d.component.join((condition, _CODE_TEXT[condition], "HL70357"))
    return d.field.join(["ERR", "", location, what, "E", "", "", "", d.escape_text(text)])
