"""Rules for the identifiers on a patient: MRN, SSN, phone."""

from __future__ import annotations

import re

# ASCII digits only: `\d` would also accept e.g. Arabic-Indic or full-width digits.
_SSN = re.compile(r"([0-9]{3})-?([0-9]{2})-?([0-9]{4})")
_MRN = re.compile(r"[A-Za-z0-9-]{1,20}")
_PHONE_DIGITS = re.compile(r"[^0-9]")


def is_valid_mrn(mrn: str) -> bool:
    return bool(_MRN.fullmatch(mrn))


def normalize_ssn(ssn: str) -> str | None:
    """'123456789' or '123-45-6789' -> '123-45-6789'; None when not an SSN shape.

    Area 000, 666 and 9xx, group 00 and serial 0000 are never issued (SSA rules).
    """
    match = _SSN.fullmatch(ssn.strip())
    if not match:
        return None
    area, group, serial = match.groups()
    if area in {"000", "666"} or area.startswith("9") or group == "00" or serial == "0000":
        return None
    return f"{area}-{group}-{serial}"


def mask_ssn(ssn: str) -> str:
    return f"***-**-{ssn[-4:]}" if len(ssn) >= 4 else ""


def normalize_phone(phone: str) -> str | None:
    digits = _PHONE_DIGITS.sub("", phone)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return None
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
