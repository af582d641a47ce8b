"""Shapes of the identifiers that arrive in addresses and forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path

from himdesk.domain.record_search import LARGEST_RECORD_ID

# Ids are database integers: anything else is refused as a clear 400, before any query.
LARGEST_ID = LARGEST_RECORD_ID  # 32 bits: PostgreSQL's INTEGER
RecordId = Annotated[int, Path(ge=1, le=LARGEST_ID)]
FormRecordId = Annotated[int, Form(ge=1, le=LARGEST_ID)]
