"""UB-04 patient discharge status codes (NUBC form locator 17) the coder may assign.

Registration records a disposition at discharge; the coder confirms or corrects it from the
discharge summary, because the MS-DRG reads it: post-acute transfers (02, 03, 05, 06, 62,
63, 65, 66 ...) change the payment of the transfer DRGs, and 20 (expired) groups some
DRGs differently.
"""

from __future__ import annotations

DISCHARGE_STATUSES: dict[str, str] = {
    "01": "Home or self-care",
    "02": "Short-term general hospital for inpatient care",
    "03": "Skilled nursing facility (Medicare certified)",
    "04": "Custodial or supportive care facility",
    "05": "Designated cancer center or children's hospital",
    "06": "Home under care of a home health service",
    "07": "Left against medical advice",
    "20": "Expired",
    "21": "Court or law enforcement",
    "30": "Still a patient",
    "40": "Expired at home (hospice claims)",
    "41": "Expired in a medical facility (hospice claims)",
    "42": "Expired, place unknown (hospice claims)",
    "43": "Federal health care facility",
    "50": "Hospice, home",
    "51": "Hospice, medical facility",
    "61": "Swing bed within this hospital",
    "62": "Inpatient rehabilitation facility or unit",
    "63": "Long-term care hospital",
    "64": "Nursing facility (Medicaid certified, not Medicare)",
    "65": "Psychiatric hospital or unit",
    "66": "Critical access hospital",
    "69": "Designated disaster alternative care site",
    "70": "Another type of health care institution",
    "81": "Home or self-care, planned acute readmission",
    "82": "Short-term general hospital, planned acute readmission",
    "83": "Skilled nursing facility, planned acute readmission",
    "84": "Custodial or supportive care facility, planned acute readmission",
    "85": "Designated cancer center or children's hospital, planned acute readmission",
    "86": "Home health service, planned acute readmission",
    "87": "Court or law enforcement, planned acute readmission",
    "88": "Federal health care facility, planned acute readmission",
    "89": "Swing bed, planned acute readmission",
    "90": "Inpatient rehabilitation facility, planned acute readmission",
    "91": "Long-term care hospital, planned acute readmission",
    "92": "Nursing facility (Medicaid certified), planned acute readmission",
    "93": "Psychiatric hospital or unit, planned acute readmission",
    "94": "Critical access hospital, planned acute readmission",
    "95": "Another type of institution, planned acute readmission",
}


def disposition_label(code: str | None) -> str:
    if not code:
        return ""
    return f"{code} — {DISCHARGE_STATUSES.get(code, 'unknown status')}"
