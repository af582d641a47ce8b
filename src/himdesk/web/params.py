"""Shapes of the identifiers that arrive in addresses and forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path

# Ids are database integers: anything else is refused as a clear 400, before any query.
LARGEST_ID = 2**63 - 1
RecordId = Annotated[int, Path(ge=1, le=LARGEST_ID)]
FormRecordId = Annotated[int, Form(ge=1, le=LARGEST_ID)]
