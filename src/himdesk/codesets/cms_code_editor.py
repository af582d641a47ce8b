"""PLACEHOLDER: replaced by the edits helper."""

from __future__ import annotations

from himdesk.domain.coding.claims import MedicareCodeEditor


def make_medicare_editor() -> MedicareCodeEditor:
    raise NotImplementedError
