"""A `Submission` as JSON and back, exactly: what a held import keeps (encrypted) for review.

Keeping the parsed submission rather than the received bytes means resolving a hold needs no
reader, and a reader changed since cannot make the reviewed import differ from the held one.
The codec follows the dataclasses' type hints, so a field added to `domain.incoming` is kept
without a change here.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from himdesk.domain.import_records import json_value
from himdesk.domain.incoming import SourceRef, Submission

FORMAT_VERSION = 1


def encode_submission(submission: Submission) -> str:
    return json.dumps(
        {"v": FORMAT_VERSION, "submission": json_value(submission)}, ensure_ascii=False
    )


def decode_submission(text: str) -> Submission:
    document = json.loads(text)
    if document.get("v") != FORMAT_VERSION:
        raise ValueError(f"held submission in codec version {document.get('v')}, expected 1")
    decoded: Submission = _build(Submission, document["submission"])
    return decoded


def _build(kind: Any, value: Any) -> Any:
    """`value` (decoded JSON) as the type `kind` names."""
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return _build_union(typing.get_args(kind), value)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], v) for v in value)
        return tuple(_build(a, v) for a, v in zip(args, value, strict=True))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        cls: Any = kind
        return cls(**{name: _build(hints[name], v) for name, v in value.items()})
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(value)
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is Decimal:
        return Decimal(value)
    return value


def _build_union(options: tuple[Any, ...], value: Any) -> Any:
    real = [o for o in options if o is not type(None)]
    if len(real) == 1:
        return _build(real[0], value)
    # IncomingChart.patient: an IncomingPatient, or a SourceRef (exactly system and value).
    if isinstance(value, dict) and set(value) == {"system", "value"} and SourceRef in real:
        return _build(SourceRef, value)
    dataclass_option = next(o for o in real if dataclasses.is_dataclass(o) and o is not SourceRef)
    return _build(dataclass_option, value)


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)
