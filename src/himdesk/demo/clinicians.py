"""The demo hospital's medical staff: a fixed plan of specialties, names drawn from a seed.

NPIs are 10 digits starting with 1 and carry a valid Luhn check digit (computed with the
80840 prefix, as CMS does), so NPI validators accept them; they are still synthetic.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from himdesk.demo.names import FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES
from himdesk.domain.records import Clinician

# (specialty, attendings, residents)
STAFF_PLAN: tuple[tuple[str, int, int], ...] = (
    ("Hospital Medicine", 7, 0),
    ("Internal Medicine", 2, 6),
    ("Family Medicine", 3, 0),
    ("Pediatrics", 2, 0),
    ("Cardiology", 3, 0),
    ("Pulmonology", 2, 0),
    ("Nephrology", 1, 0),
    ("Infectious Disease", 2, 0),
    ("Neurology", 2, 0),
    ("Endocrinology", 1, 0),
    ("Gastroenterology", 1, 0),
    ("General Surgery", 3, 2),
    ("Orthopedic Surgery", 3, 0),
    ("Emergency Medicine", 4, 0),
    ("Radiology", 2, 0),
    ("Pathology", 2, 0),
)

# The specialty that staffs each service or clinic; residents rotate on the teaching ones.
SERVICE_SPECIALTY = {
    "Medicine": "Hospital Medicine",
    "Cardiology": "Cardiology",
    "Neurology": "Neurology",
    "Pediatrics": "Pediatrics",
    "General Surgery": "General Surgery",
    "Orthopedic Surgery": "Orthopedic Surgery",
    "Emergency Medicine": "Emergency Medicine",
    "Primary Care": "Family Medicine",
    "Internal Medicine Clinic": "Internal Medicine",
    "Pediatric Clinic": "Pediatrics",
    "Cardiology Clinic": "Cardiology",
    "Pulmonary Clinic": "Pulmonology",
    "Endocrinology Clinic": "Endocrinology",
    "Orthopedics Clinic": "Orthopedic Surgery",
}
TEACHING_RESIDENTS = {"Medicine": "Internal Medicine", "General Surgery": "General Surgery"}


def build_roster(seed: int) -> list[Clinician]:
    rng = random.Random(f"hospital:{seed}")
    used_names: set[tuple[str, str]] = set()
    used_npis: set[str] = set()
    roster: list[Clinician] = []
    for specialty, attendings, residents in STAFF_PLAN:
        for is_resident in (False,) * attendings + (True,) * residents:
            family, given = _unused_name(rng, used_names)
            npi = _unused_npi(rng, used_npis)
            credentials = "DO" if rng.random() < 0.18 else "MD"
            roster.append(
                Clinician(
                    id=len(roster) + 1,
                    npi=npi,
                    family_name=family,
                    given_name=given,
                    credentials=credentials,
                    specialty=specialty,
                    is_resident=is_resident,
                )
            )
    return roster


def npi_check_digit(first_nine: str) -> int:
    """Luhn check digit over '80840' + the first nine digits (the NPI standard)."""
    total = 0
    for position, char in enumerate(reversed("80840" + first_nine)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return (10 - total % 10) % 10


def _unused_npi(rng: random.Random, used: set[str]) -> str:
    while True:
        first_nine = f"1{rng.randint(0, 99_999_999):08d}"
        npi = f"{first_nine}{npi_check_digit(first_nine)}"
        if npi not in used:
            used.add(npi)
            return npi


def _unused_name(rng: random.Random, used: set[tuple[str, str]]) -> tuple[str, str]:
    while True:
        given = rng.choice(FEMALE_NAMES if rng.random() < 0.5 else MALE_NAMES)
        key = (rng.choice(FAMILY_NAMES), given)
        if key not in used:
            used.add(key)
            return key


class Roster:
    """The clinicians of a hospital grouped so that encounters can pick by role."""

    def __init__(self, clinicians: Sequence[Clinician]) -> None:
        self.clinicians = tuple(clinicians)
        self._by_id = {clinician.id: clinician for clinician in clinicians}
        self._attendings: dict[str, list[Clinician]] = {}
        self._residents: dict[str, list[Clinician]] = {}
        for clinician in clinicians:
            group = self._residents if clinician.is_resident else self._attendings
            group.setdefault(clinician.specialty, []).append(clinician)

    def get(self, clinician_id: int | None) -> Clinician:
        # Every demo document names its author; None would be a generator bug (KeyError).
        return self._by_id[clinician_id]  # type: ignore[index]

    def attending(self, rng: random.Random, specialty: str) -> Clinician:
        pool = self._attendings.get(specialty) or self._attendings["Hospital Medicine"]
        return rng.choice(pool)

    def for_service(self, rng: random.Random, service: str) -> Clinician:
        return self.attending(rng, SERVICE_SPECIALTY.get(service, "Hospital Medicine"))

    def resident(self, rng: random.Random, service: str) -> Clinician | None:
        """A resident on a teaching service, or None where the service has none."""
        specialty = TEACHING_RESIDENTS.get(service)
        pool = self._residents.get(specialty or "")
        return rng.choice(pool) if pool else None
