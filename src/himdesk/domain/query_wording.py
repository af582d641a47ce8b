"""The words a compliant query must not use: payment and severity scores, and phrasing that
directs the clinician to an answer (AHIMA/ACDIS query practice brief)."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# "CC" alone also means chief complaint, so only the query's own words are held to it.
_CC = re.compile(r"\bCCs?\b")
_FINANCIAL = re.compile(
    r"\b(?:MS-DRG|APR-DRG|DRGs?|MCCs?|SOI|HCCs?|CMI)\b"
    r"|(?i:\b(?:reimburs\w*|payments?|paid|payers?|revenue|dollars?|financial\w*|money"
    r"|case[- ]mix|severity of illness|risk of mortality|expected los|quality scores?)\b|\$\s*\d)"
)
_DIRECTIVE = re.compile(
    r"\b(?:please|kindly|can you|could you|would you|will you)\s+(?:please\s+)?"
    r"(?:document|add|chart|write|record|include|confirm|consider|code)\s+(?P<object>[^.?!;]*)"
    r"|\b(?:does|did) the patient have\s+(?P<had>[^.?!;]*)"
    r"|\b(?:are|were) you treating\b(?P<treating>)"
    r"|\bdo you agree\b(?P<agree>)",
    re.IGNORECASE,
)
# What a directive may ask for without naming the diagnosis: "please document the condition",
# "your clinical judgment of the findings" (but not "the diagnosis of hyponatremia").
_NEUTRAL_OBJECT = re.compile(
    r"(?:(?:the|a|an|any|your|this|these|that)\s+)?(?:(?:most\s+)?appropriate\s+)?"
    r"(?:clinical\s+|associated\s+|underlying\s+|corresponding\s+)?"
    r"(?:(?:conditions?|diagnos[ie]s|cause|etiology)\b(?!\s+(?:of|as|for)\s)"
    r"|(?:judg(?:e)?ment|findings?|significance|type|acuity|laterality|specificity|response"
    r"|answer|assessment|opinion|interpretation)\b)",
    re.IGNORECASE,
)


NO_MONEY = (
    "A query must not mention payment, DRG, CC/MCC, severity-of-illness scores or any "
    "financial impact; ask only about the clinical picture."
)


def mentions_money(text: str, own_words: bool = False) -> bool:
    """Payment, DRG, CC/MCC, severity scores. A bare "CC" counts only in the query's own
    words: quoted from the record it is the chief complaint."""
    return bool(_FINANCIAL.search(text) or (own_words and _CC.search(text)))


def clean_text(text: str, field: str, errors: dict[str, str]) -> str:
    if _CONTROL.search(text):
        errors[field] = "Remove the control characters (this field takes plain text only)."
    return text.strip()


def leading_phrase(text: str) -> str:
    """The words that direct the clinician to one answer, or '' when the text is neutral."""
    for match in _DIRECTIVE.finditer(text):
        target = match.group("object") if match.group("object") is not None else match.group("had")
        if target is not None and _NEUTRAL_OBJECT.match(target.strip()):
            continue
        return match.group(0).strip()
    return ""
