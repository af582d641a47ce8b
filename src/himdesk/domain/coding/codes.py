"""How codes are written: stored without the dot ("I214"), shown with it ("I21.4")."""

from __future__ import annotations

import enum
import re
from datetime import date


class CodeSystem(enum.StrEnum):
    ICD10CM = "ICD-10-CM"
    ICD10PCS = "ICD-10-PCS"


_CM_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z]([0-9A-Z]{0,4})$")
_PCS_SHAPE = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")


def normalized_code(text: str) -> str:
    """'i21.4 ' -> 'I214': the form codes are stored and compared in."""
    return text.strip().upper().replace(".", "")


def dotted(code: str) -> str:
    """ICD-10-CM 'I214' -> 'I21.4'; a category ('I21') and a PCS code that starts with a
    digit are returned as they are. Callers know which system a code is from."""
    code = normalized_code(code)
    if len(code) <= 3 or _PCS_SHAPE.match(code) and code[0].isdigit():
        return code
    return f"{code[:3]}.{code[3:]}"


def looks_like_cm_code(text: str) -> bool:
    return bool(_CM_SHAPE.match(normalized_code(text)))


def looks_like_pcs_code(text: str) -> bool:
    code = normalized_code(text)
    return bool(_PCS_SHAPE.match(code)) and not _CM_SHAPE.match(code)


def fiscal_year_of(day: date) -> int:
    """U.S. federal fiscal year: FY2026 runs 2025-10-01 to 2026-09-30."""
    return day.year + 1 if day.month >= 10 else day.year


def fiscal_year_start(fiscal_year: int) -> date:
    return date(fiscal_year - 1, 10, 1)


def fiscal_year_end(fiscal_year: int) -> date:
    return date(fiscal_year, 9, 30)
