"""FHIR R4 Patient and Practitioner into incoming patients and clinicians.

Patient: https://hl7.org/fhir/R4/patient.html
Practitioner: https://hl7.org/fhir/R4/practitioner.html
HumanName: https://hl7.org/fhir/R4/datatypes.html#HumanName
"""

from __future__ import annotations

from himdesk.domain.identifiers import normalize_phone, normalize_ssn
from himdesk.domain.incoming import (
    IdentifierKind,
    IncomingClinician,
    IncomingPatient,
    PatientIdentifier,
    SourceRef,
    shortened,
)
from himdesk.domain.records import Address, AdministrativeSex
from himdesk.interop.fhir.fhir_values import (
    Json,
    Located,
    codes_of,
    extension_flag,
    extension_text,
    full_date_of,
    object_of,
    objects_of,
    text_of,
    texts_of,
    within,
)
from himdesk.interop.fhir.vocabulary import EXTENSION_RESIDENT, EXTENSION_SPECIALTY

SSN_SYSTEM = "http://hl7.org/fhir/sid/us-ssn"
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"

_SEXES = {
    "female": AdministrativeSex.FEMALE,
    "male": AdministrativeSex.MALE,
    "other": AdministrativeSex.OTHER,
    "unknown": AdministrativeSex.UNKNOWN,
}
# Which of several names or addresses is the one to file: https://hl7.org/fhir/R4/valueset-name-use.html
_NAME_USES = ("official", "usual", None)
_ADDRESS_USES = ("home", None)
_PHONE_USES = ("home", "mobile", None)
_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA",
    "kansas": "KS", "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD",
    "massachusetts": "MA", "michigan": "MI", "minnesota": "MN", "mississippi": "MS",
    "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV", "new hampshire": "NH",
    "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC",
    "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN",
    "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "district of columbia": "DC",
    "puerto rico": "PR", "guam": "GU",
}  # fmt: skip
# An address without a country is taken to be in the US, as US senders often leave it out.
_US = {"", "US", "USA", "UNITED STATES", "UNITED STATES OF AMERICA"}
_TITLES = {"dr", "doctor", "prof", "professor", "mr", "mrs", "ms", "miss", "mx"}
_CREDENTIALS = {
    "md", "do", "rn", "np", "pa", "pa-c", "phd", "dds", "dmd", "dpm", "od", "pharmd",
    "aprn", "crna", "cnm", "mbbs", "facs", "facp", "mph", "lpn", "dc",
}  # fmt: skip
_NAME_LIMIT = 60


def map_patient(at: Located) -> IncomingPatient:
    """A Patient resource; `birthDate` is required because the record cannot match without it."""
    patient = at.resource
    birth_on = full_date_of(patient, "birthDate", at)
    if birth_on is None:
        at.reject("birthDate", "is missing; the record needs the patient's date of birth")
    gender = text_of(patient, "gender", at)
    sex = _SEXES.get(gender or "unknown")
    if sex is None:
        at.reject("gender", f"expected male, female, other or unknown, found {gender!r}")
    family, given, middle = person_name(at)
    address, country = _address(at)
    return IncomingPatient(
        source=at.source,
        family_name=family,
        given_name=given,
        middle_name=middle,
        birth_on=birth_on,
        sex=sex,
        identifiers=_patient_identifiers(at),
        address=address,
        phone=_phone(at, in_us=country in _US),
    )


def map_practitioner(at: Located) -> IncomingClinician:
    """A Practitioner: its NPI (system us-npi), name, qualifications as credentials, and the
    specialty and resident status himdesk's own export writes as extensions (FHIR puts a
    specialty on PractitionerRole)."""
    practitioner = at.resource
    family, given, _middle = person_name(at)
    npi = ""
    for index, identifier in enumerate(objects_of(practitioner, "identifier", at)):
        if text_of(identifier, "system", at, f"identifier[{index}]") == NPI_SYSTEM:
            npi = text_of(identifier, "value", at, f"identifier[{index}]")
            if not (npi.isascii() and npi.isdigit() and len(npi) <= 10):
                at.reject(f"identifier[{index}].value", f"expected an NPI of digits, found {npi!r}")
            break
    specialty = extension_text(practitioner, EXTENSION_SPECIALTY, "valueString", at)
    return IncomingClinician(
        source=at.source,
        family_name=family,
        given_name=given,
        npi=npi,
        credentials=shortened(", ".join(_credentials(at)), 20),
        specialty=shortened(specialty, 60),
        is_resident=extension_flag(practitioner, EXTENSION_RESIDENT, at),
    )


def person_name(at: Located) -> tuple[str, str, str]:
    """(family, first given, further givens) of the name in use; text split when unstructured."""
    names = objects_of(at.resource, "name", at)
    index = _chosen(names, _NAME_USES, at, "name")
    if index is None:
        return "", "", ""
    path = f"name[{index}]"
    name = names[index]
    family = text_of(name, "family", at, path)
    givens = [g.strip() for g in texts_of(name, "given", at, path) if g.strip()]
    if not family and not givens:
        words = text_of(name, "text", at, path).split()
        family, givens = (words[-1], words[:-1]) if words else ("", [])
    given = givens[0] if givens else ""
    middle = " ".join(givens[1:])
    within(family, _NAME_LIMIT, at, f"{path}.family")
    within(given, _NAME_LIMIT, at, f"{path}.given[0]")
    within(middle, _NAME_LIMIT, at, f"{path}.given[1]")
    return family, given, middle


def _chosen(items: list[Json], uses: tuple[str | None, ...], at: Located, path: str) -> int | None:
    """Index of the first item whose `use` comes first in `uses`; else the first item."""
    found = [text_of(item, "use", at, f"{path}[{i}]") or None for i, item in enumerate(items)]
    for use in uses:
        if use in found:
            return found.index(use)
    return 0 if items else None


def _patient_identifiers(at: Located) -> tuple[PatientIdentifier, ...]:
    """MR-typed identifiers and untyped ones with a system as MRNs, SSNs normalized.

    Identifiers without a system are left out: without an assigning authority they could
    match another sender's patient. An SSN that is not a valid number is left out too.
    """
    found: list[PatientIdentifier] = []
    for index, identifier in enumerate(objects_of(at.resource, "identifier", at)):
        path = f"identifier[{index}]"
        system = text_of(identifier, "system", at, path)
        value = text_of(identifier, "value", at, path)
        types = codes_of(object_of(identifier, "type", at, path), at, f"{path}.type")
        if not value or not system:
            continue
        if system == SSN_SYSTEM or "SS" in types:
            ssn = normalize_ssn(value)
            if ssn:
                found.append(PatientIdentifier(IdentifierKind.SSN, SSN_SYSTEM, ssn))
            continue
        within(system, 200, at, f"{path}.system")
        within(value, 100, at, f"{path}.value")
        kind = IdentifierKind.MRN if "MR" in types or not types else IdentifierKind.OTHER
        found.append(PatientIdentifier(kind, system, value))
    return tuple(dict.fromkeys(found))


def _address(at: Located) -> tuple[Address, str]:
    """The home address and its country; a state that is no US state code is left out."""
    addresses = objects_of(at.resource, "address", at)
    index = _chosen(addresses, _ADDRESS_USES, at, "address")
    if index is None:
        return Address(), ""
    path = f"address[{index}]"
    address = addresses[index]
    country = text_of(address, "country", at, path).upper()
    lines = ", ".join(line.strip() for line in texts_of(address, "line", at, path) if line.strip())
    state = text_of(address, "state", at, path)
    state = state.upper() if len(state) == 2 else _STATES.get(state.lower(), "")
    if country not in _US:
        state = ""
    return Address(
        line=within(lines, 120, at, f"{path}.line"),
        city=within(text_of(address, "city", at, path), 60, at, f"{path}.city"),
        state=state,
        postal_code=within(text_of(address, "postalCode", at, path), 10, at, f"{path}.postalCode"),
    ), country


def _phone(at: Located, *, in_us: bool) -> str:
    """The home phone, else mobile, else any; formatted (555) 555-0100 for a US address.

    A patient living elsewhere keeps the number as sent: ten digits there are not a US number.
    """
    best: tuple[int, str] | None = None
    for index, telecom in enumerate(objects_of(at.resource, "telecom", at)):
        path = f"telecom[{index}]"
        if text_of(telecom, "system", at, path) != "phone":
            continue
        use = text_of(telecom, "use", at, path) or None
        rank = _PHONE_USES.index(use) if use in _PHONE_USES else len(_PHONE_USES)
        value = text_of(telecom, "value", at, path)
        if value and (best is None or rank < best[0]):
            formatted = normalize_phone(value) if in_us else None
            if formatted and formatted[1] in "01":  # no US area code starts with 0 or 1
                formatted = None
            best = (rank, formatted or within(value, 20, at, f"{path}.value"))
    return best[1] if best else ""


def _credentials(at: Located) -> list[str]:
    found: list[str] = []
    for index, qualification in enumerate(objects_of(at.resource, "qualification", at)):
        code = object_of(qualification, "code", at, f"qualification[{index}]")
        if code is None:
            continue
        path = f"qualification[{index}].code"
        text = text_of(code, "text", at, path)
        codings = objects_of(code, "coding", at, path)
        first = text_of(codings[0], "code", at, f"{path}.coding[0]") if codings else ""
        found.append(first or text)
    if not found:
        names = objects_of(at.resource, "name", at)
        chosen = _chosen(names, _NAME_USES, at, "name")
        if chosen is not None:
            found = texts_of(names[chosen], "suffix", at, f"name[{chosen}]")
    return [c.strip() for c in found if c.strip()]


def clinician_from_display(display: str, source: SourceRef) -> IncomingClinician | None:
    """A clinician known only by a reference's display: "Dr. Jane Doe, MD" -> Jane Doe, MD."""
    name, *rest = display.split(",")
    credentials = [part.strip() for part in rest if _is_credential(part)]
    words = [w for w in name.split() if w]
    if rest and not credentials:  # "Doe, Jane": family name first
        words = [*rest[0].split(), *words]
    while words and words[0].lower().rstrip(".") in _TITLES:
        words.pop(0)
    while words and _is_credential(words[-1]):
        credentials.insert(0, words.pop())
    if not words:
        return None
    return IncomingClinician(
        source=source,
        family_name=shortened(words[-1], _NAME_LIMIT),
        given_name=shortened(words[0], _NAME_LIMIT) if len(words) > 1 else "",
        credentials=shortened(", ".join(credentials), 20),
    )


def _is_credential(word: str) -> bool:
    return word.strip().lower().replace(".", "") in _CREDENTIALS
