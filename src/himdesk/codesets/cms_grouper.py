"""PLACEHOLDER: replaced by the grouping helper."""

from __future__ import annotations

from himdesk.domain.coding.claims import DrgGrouper


def make_grouper() -> DrgGrouper:
    raise NotImplementedError
