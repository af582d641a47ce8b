"""Which ICD-10-CM codes are exempt from present-on-admission (POA) reporting.

Source: the CMS list of POA exempt codes for FY2025 (POAexemptCodesFY25.txt, 38,154 codes,
the list behind Appendix I of the ICD-10-CM Official Guidelines), condensed here to the
category and code prefixes it covers. Newer codes under a listed prefix (FY2026 additions)
are taken as exempt with their category.

Three kinds of entries:
- prefixes exempt whatever the code's 7th character (B90, I25.2, O80, Q chapter, Z79 ...);
- 7th characters meaning a subsequent encounter or a sequela, exempt in the chapters where
  the list has them throughout (M80, M84, M97, injuries S00-T88, external causes V00-Y38),
  read from the code's 7th-character rule so "D", "G", "K", "P", "S" ... need no list;
- external-cause categories whose initial encounters are exempt. Only the categories
  checked against the CMS list are carried; other external-cause initial encounters are
  reported as "unsure" rather than guessed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from himdesk.domain.coding.codes import normalized_code
from himdesk.domain.coding.tabular import Tabular

CHAPTER_PREFIXES = (
    "B90", "B91", "B92", "B94", "E64", "I252", "I69",
    "O09", "O665", "O80", "O94",
    "P00", "P2930", "P2938", "P7884", "P8381", "P8388", "P9181", "P9182", "P9188",
    "Q",
)  # fmt: skip
FACTOR_PREFIXES = (
    "Z00", "Z01", "Z02", "Z03", "Z048", "Z05", "Z08", "Z09", "Z11", "Z12", "Z13", "Z14",
    "Z15", "Z17", "Z18", "Z19", "Z20821", "Z22", "Z23", "Z28", "Z29", "Z30", "Z31", "Z333",
    "Z34", "Z36", "Z3A", "Z37", "Z38", "Z39", "Z4003", "Z41", "Z42", "Z43", "Z44", "Z45",
    "Z46", "Z47", "Z48", "Z49", "Z51", "Z52", "Z533", "Z55", "Z56", "Z57", "Z586", "Z588",
    "Z59", "Z62", "Z63", "Z64", "Z65", "Z67", "Z68", "Z69", "Z70", "Z71", "Z720", "Z723",
    "Z724", "Z725", "Z726", "Z728", "Z729", "Z73", "Z7401", "Z75", "Z76", "Z7711", "Z7712",
    "Z78", "Z79", "Z80", "Z81", "Z82", "Z83", "Z84", "Z85", "Z86", "Z87", "Z88", "Z89",
    "Z90", "Z910", "Z911", "Z914", "Z915", "Z918", "Z91A", "Z92", "Z93", "Z94", "Z95",
    "Z9682", "Z97", "Z98", "Z99",
)  # fmt: skip
# External causes whose initial encounters are exempt too (all V codes; these W and Y ones).
EXTERNAL_CAUSE_PREFIXES = (
    "V",
    "W1671", "W1672", "W1681", "W1682", "W1683", "W1691", "W1692", "W170", "W171", "W173",
    "W174", "W1781", "W1782", "W1801", "W21", "W2202", "W221", "W268", "W269", "W270",
    "W271", "W278", "W28", "W29", "W30", "W31", "W32", "W33", "W34", "W35", "W36", "W37",
    "W38", "W39", "W40", "W420",
    "Y37", "Y92", "Y93", "Y99",
)  # fmt: skip
# Listed under an exempt prefix but not exempt: cognitive deficits following unspecified
# cerebrovascular disease; (Appendix I) initial encounters of powered wheelchair and
# mobility scooter accidents, which can happen in hospital.
NOT_EXEMPT_PREFIXES = ("I6991", "V0081", "V0083")
SUBSEQUENT_OR_SEQUELA_CATEGORIES = ("M80", "M84", "M97")
INJURY_RANGE = ("S00", "T88")
EXTERNAL_CAUSE_RANGE = ("V00", "Y99")


class PoaReporting(enum.StrEnum):
    REQUIRED = "required"
    EXEMPT = "exempt"
    # An external-cause initial encounter outside the categories checked above: the CMS
    # list exempts some more of them, so a missing POA is a warning, not an error.
    UNSURE = "unsure"


def poa_reporting(code: str, tabular: Tabular) -> PoaReporting:
    code = normalized_code(code)
    if len(code) == 7 and _subsequent_or_sequela(code, tabular):
        return PoaReporting.EXEMPT
    if _starts_with(code, NOT_EXEMPT_PREFIXES):
        return PoaReporting.REQUIRED
    if _starts_with(code, CHAPTER_PREFIXES + FACTOR_PREFIXES + EXTERNAL_CAUSE_PREFIXES):
        return PoaReporting.EXEMPT
    if _within(code, EXTERNAL_CAUSE_RANGE):
        return PoaReporting.UNSURE
    return PoaReporting.REQUIRED


def _subsequent_or_sequela(code: str, tabular: Tabular) -> bool:
    category = code[:3]
    listed = category in SUBSEQUENT_OR_SEQUELA_CATEGORIES or _within(code, INJURY_RANGE)
    if not listed and not _within(code, EXTERNAL_CAUSE_RANGE):
        return False
    rule = tabular.seventh_rule(code[:6].rstrip("X"))
    meaning = dict(rule.characters).get(code[6], "") if rule is not None else ""
    return meaning.lower().startswith(("subsequent", "sequela"))


def _starts_with(code: str, prefixes: Iterable[str]) -> bool:
    return any(code.startswith(prefix) for prefix in prefixes)


def _within(code: str, bounds: tuple[str, str]) -> bool:
    return bounds[0] <= code[:3] <= bounds[1]
