"""The loaded code sets and what is built from them, once per process.

Building the encoder's search structures takes about a second, so they are built on first
use and kept; loading a new release (`reload`) drops them. A release loaded by another
process (`himdesk codesets load` beside a running server) is noticed through `stamp`,
checked at most every `recheck_seconds`. Thread-safe: the web app serves requests from a
thread pool.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from himdesk.domain.coding.claims import DrgGrouper, MedicareCodeEditor
from himdesk.domain.coding.code_set import CodeSetLibrary

if TYPE_CHECKING:
    from himdesk.domain.coding.lookup import Encoder


class CodeSetsNotLoaded(Exception):
    """No ICD-10-CM release is loaded: `himdesk codesets load DIR` first."""


class CodeReference:
    def __init__(
        self,
        load_library: Callable[[], CodeSetLibrary],
        *,
        grouper: Callable[[], DrgGrouper] | None = None,
        medicare_editor: Callable[[], MedicareCodeEditor] | None = None,
        stamp: Callable[[], object] | None = None,
        recheck_seconds: float = 30.0,
    ) -> None:
        self._load_library = load_library
        self._stamp = stamp
        self._recheck_seconds = recheck_seconds
        self._loaded_stamp: object = None
        self._checked_at = 0.0
        self._make_grouper = grouper
        self._make_editor = medicare_editor
        self._lock = threading.RLock()
        self._library: CodeSetLibrary | None = None
        self._encoders: dict[int, Encoder] = {}
        self._grouper: DrgGrouper | None = None
        self._editor: MedicareCodeEditor | None = None

    @property
    def library(self) -> CodeSetLibrary:
        with self._lock:
            if self._library is not None and self._stale():
                self.reload()
            if self._library is None:
                self._loaded_stamp = self._stamp() if self._stamp is not None else None
                self._checked_at = time.monotonic()
                self._library = self._load_library()
            return self._library

    def _stale(self) -> bool:
        if self._stamp is None or time.monotonic() - self._checked_at < self._recheck_seconds:
            return False
        self._checked_at = time.monotonic()
        return self._stamp() != self._loaded_stamp

    def reload(self) -> None:
        with self._lock:
            self._library = None
            self._encoders.clear()

    def encoder(self, fiscal_year: int | None = None) -> Encoder:
        """The encoder over one ICD-10-CM release (the latest loaded when no year is given)."""
        from himdesk.domain.coding.lookup import Encoder

        with self._lock:
            library = self.library
            if fiscal_year is None:
                latest = library.latest_diagnoses
                if latest is None:
                    raise CodeSetsNotLoaded("No ICD-10-CM code set is loaded.")
                fiscal_year = latest.release.fiscal_year
            if fiscal_year not in self._encoders:
                code_set = next(
                    (s for s in library.diagnoses if s.release.fiscal_year == fiscal_year), None
                )
                if code_set is None:
                    raise CodeSetsNotLoaded(f"ICD-10-CM FY{fiscal_year} is not loaded.")
                self._encoders[fiscal_year] = Encoder.build(code_set)
            return self._encoders[fiscal_year]

    @property
    def grouper(self) -> DrgGrouper:
        with self._lock:
            if self._grouper is None:
                if self._make_grouper is None:
                    raise RuntimeError("No MS-DRG grouper is configured.")
                self._grouper = self._make_grouper()
            return self._grouper

    @property
    def medicare_editor(self) -> MedicareCodeEditor | None:
        with self._lock:
            if self._editor is None and self._make_editor is not None:
                self._editor = self._make_editor()
            return self._editor
