"""Failures a service reports to its callers in words a user understands."""

from __future__ import annotations


class NotFound(LookupError):
    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"No {what} {key} was found.")
        self.what = what
        self.key = key


class Conflict(Exception):
    """The record changed since the user read it, or the change breaks a record rule."""
