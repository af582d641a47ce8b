"""Synthetic patients: names, birth dates, sex, addresses, phones, SSNs and identifiers.

`make_patient` is always the first thing to draw from a chart's random stream, so the
patient of chart *j* can be rebuilt on its own (a misfiled document names a real neighbour).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from himdesk.demo.names import FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES
from himdesk.demo.places import DISTANT_CITIES, LOCAL_CITIES, STREET_TYPES, STREETS, UNITS
from himdesk.domain.records import Address, AdministrativeSex, Patient

# (lowest age, highest age, weight): a hospital population leans old.
_AGE_BANDS = ((0, 17, 10), (18, 39, 17), (40, 64, 33), (65, 95, 40))
_AGE_WEIGHTS = tuple(weight for _, _, weight in _AGE_BANDS)
_MRN_SPACE = 10_000_000


def mrn_for(index: int) -> str:
    """'M' + 7 digits; a bijection of the chart index, so unique below ten million charts."""
    return f"M{(index * 7_919 + 1_234_567) % _MRN_SPACE:07d}"


def account_number_for(index: int, visit: int) -> str:
    """'A' + 7-digit chart number + 2-digit visit number: unique per encounter."""
    return f"A{index + 1:07d}{visit + 1:02d}"


def make_patient(rng: random.Random, index: int, facility: str, today: date) -> Patient:
    sex = _sex(rng)
    given, middle = _given_and_middle(rng, sex)
    return Patient(
        facility=facility,
        mrn=mrn_for(index),
        family_name=family_name(rng),
        given_name=given,
        middle_name=middle,
        birth_on=_birth_on(rng, today),
        sex=sex,
        address=_address(rng),
        phone=f"(555) 0{rng.randint(10, 99)}-{rng.randint(0, 9999):04d}",
        ssn=_ssn(rng),
    )


def family_name(rng: random.Random) -> str:
    roll = rng.random()
    first = rng.choice(FAMILY_NAMES)
    if roll < 0.04:
        second = rng.choice(FAMILY_NAMES)
        if second != first and " " not in first + second:
            return f"{first}-{second}"
    return first


def given_name(rng: random.Random, sex: AdministrativeSex) -> str:
    if sex is AdministrativeSex.FEMALE:
        return rng.choice(FEMALE_NAMES)
    if sex is AdministrativeSex.MALE:
        return rng.choice(MALE_NAMES)
    return rng.choice(FEMALE_NAMES if rng.random() < 0.5 else MALE_NAMES)


def _given_and_middle(rng: random.Random, sex: AdministrativeSex) -> tuple[str, str]:
    given = given_name(rng, sex)
    if rng.random() < 0.22:
        return given, ""
    middle = given_name(rng, sex)
    return given, (middle if middle != given else "")


def _sex(rng: random.Random) -> AdministrativeSex:
    roll = rng.random()
    if roll < 0.49:
        return AdministrativeSex.FEMALE
    if roll < 0.985:
        return AdministrativeSex.MALE
    return AdministrativeSex.OTHER if roll < 0.993 else AdministrativeSex.UNKNOWN


def _birth_on(rng: random.Random, today: date) -> date:
    low, high, _ = rng.choices(_AGE_BANDS, weights=_AGE_WEIGHTS)[0]
    age = rng.randint(low, high)
    # At least 30 days old, so that even an infant has room for a visit.
    return today - timedelta(days=int(age * 365.25) + rng.randint(30, 360))


def _address(rng: random.Random) -> Address:
    city, state, zip3 = rng.choice(LOCAL_CITIES if rng.random() < 0.85 else DISTANT_CITIES)
    line = f"{rng.randint(1, 9899)} {rng.choice(STREETS)} {rng.choice(STREET_TYPES)}"
    if rng.random() < 0.18:
        line = f"{line}, {rng.choice(UNITS)}"
    return Address(line=line, city=city, state=state, postal_code=f"{zip3}{rng.randint(1, 99):02d}")


def _ssn(rng: random.Random) -> str:
    """Syntactically valid (never area 000, 666 or 9xx, group 00, serial 0000); synthetic."""
    if rng.random() < 0.07:
        return ""  # infants and some adults are registered without one
    area = rng.randint(1, 898)
    if area >= 666:
        area += 1
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
