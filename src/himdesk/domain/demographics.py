"""Validation of a demographics correction: every field error named, nothing half-applied."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from himdesk.domain.identifiers import normalize_phone, normalize_ssn
from himdesk.domain.records import Address, AdministrativeSex, Patient

MAX_NAME = 60
MAX_ADDRESS_LINE = 120
MAX_REASON = 500
US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "PR",
        "GU",
        "VI",
        "AS",
        "MP",
    ]
)
_ZIP = re.compile(r"[0-9]{5}(?:-[0-9]{4})?")


@dataclass(frozen=True)
class DemographicsForm:
    """Raw field values as typed; `validate` turns them into a corrected patient."""

    family_name: str
    given_name: str
    middle_name: str
    birth_on: str
    sex: str
    address_line: str
    city: str
    state: str
    postal_code: str
    phone: str
    ssn: str
    reason: str


class InvalidInput(Exception):
    """Bad input, with a message per field so the form can show each one next to it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def apply_demographics(patient: Patient, form: DemographicsForm, today: date) -> Patient:
    errors: dict[str, str] = {}
    family = _name(form.family_name, "family_name", errors, required=True)
    given = _name(form.given_name, "given_name", errors, required=True)
    middle = _name(form.middle_name, "middle_name", errors, required=False)
    birth_on = _birth_date(form.birth_on, today, errors)
    sex = _sex(form.sex, errors)
    address = _address(form, errors)
    phone = _phone(form.phone, errors)
    ssn = _ssn(form.ssn, patient.ssn, errors)
    reason = form.reason.strip()
    if not reason:
        errors["reason"] = "Give the reason for the correction; it is kept with the history."
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"Keep the reason under {MAX_REASON} characters."
    if errors:
        raise InvalidInput(errors)
    assert birth_on is not None and sex is not None  # noqa: S101 - guaranteed by no errors
    return replace(
        patient,
        family_name=family,
        given_name=given,
        middle_name=middle,
        birth_on=birth_on,
        sex=sex,
        address=address,
        phone=phone,
        ssn=ssn,
    )


def _name(value: str, field: str, errors: dict[str, str], *, required: bool) -> str:
    value = " ".join(value.split())
    if required and not value:
        errors[field] = "This name is required."
    elif len(value) > MAX_NAME:
        errors[field] = f"Names are at most {MAX_NAME} characters (this one has {len(value)})."
    elif value and not any(ch.isalpha() for ch in value):
        errors[field] = "A name must contain letters."
    return value


def _birth_date(value: str, today: date, errors: dict[str, str]) -> date | None:
    try:
        born = date.fromisoformat(value.strip())
    except ValueError:
        errors["birth_on"] = "Enter the date of birth as YYYY-MM-DD."
        return None
    if born > today:
        errors["birth_on"] = "The date of birth cannot be in the future."
    elif today.year - born.year > 125:
        errors["birth_on"] = "The date of birth is more than 125 years ago."
    return born


def _sex(value: str, errors: dict[str, str]) -> AdministrativeSex | None:
    try:
        return AdministrativeSex(value.strip().upper())
    except ValueError:
        errors["sex"] = "Choose F, M, O or U."
        return None


def _address(form: DemographicsForm, errors: dict[str, str]) -> Address:
    line = " ".join(form.address_line.split())
    if len(line) > MAX_ADDRESS_LINE:
        errors["address_line"] = f"The street address is at most {MAX_ADDRESS_LINE} characters."
    city = " ".join(form.city.split())
    if len(city) > MAX_NAME:
        errors["city"] = f"The city is at most {MAX_NAME} characters."
    state = form.state.strip().upper()
    if state and state not in US_STATES:
        errors["state"] = "Use a two-letter US state or territory code (e.g. MA)."
    postal = form.postal_code.strip()
    if postal and not _ZIP.fullmatch(postal):
        errors["postal_code"] = "Use a 5-digit ZIP code or ZIP+4 (12345-6789)."
    return Address(line=line, city=city, state=state, postal_code=postal)


def _phone(value: str, errors: dict[str, str]) -> str:
    if not value.strip():
        return ""
    phone = normalize_phone(value)
    if phone is None:
        errors["phone"] = "Enter a 10-digit US phone number."
        return ""
    return phone


def _ssn(value: str, current: str, errors: dict[str, str]) -> str:
    value = value.strip()
    if not value:
        return ""
    if value.startswith("***"):
        return current  # the masked value came back unchanged
    ssn = normalize_ssn(value)
    if ssn is None:
        errors["ssn"] = "Enter a valid SSN as 123-45-6789, or leave it blank."
        return current
    return ssn
