"""PID, PV1, MRG and the people in them (XCN), mapped to the incoming-record contract.

Field numbers follow HL7 v2.5.1 chapter 3 (Patient Administration): PID 3.4.2, PV1 3.4.3,
MRG 3.4.9. Identifiers are named by their assigning authority (CX-4) or, when the sender
leaves it out, by the sending facility (MSH-4), so the same number from two hospitals never
collides. Values longer than the record keeps reject the message when they identify
something (ids, codes) and are shortened when they are only read (names of services).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from himdesk.domain.identifiers import normalize_phone, normalize_ssn
from himdesk.domain.incoming import (
    IdentifierKind,
    IncomingClinician,
    IncomingEncounter,
    IncomingPatient,
    PatientIdentifier,
    Rejected,
    SourceRef,
    text_within,
)
from himdesk.domain.records import (
    Address,
    AdministrativeSex,
    DischargeDisposition,
    EncounterClass,
    EncounterStatus,
)
from himdesk.interop.hl7v2.fields import SegmentView, first_instant, shortened

SSN_SYSTEM = "http://hl7.org/fhir/sid/us-ssn"
NPI_OID = "2.16.840.1.113883.4.6"
# CX-5 identifier types that name the patient's record at the assigning authority.
_RECORD_NUMBER_TYPES = {"", "MR", "MRN", "PI", "PT", "PN"}
_SEX = {
    "F": AdministrativeSex.FEMALE,
    "M": AdministrativeSex.MALE,
    "O": AdministrativeSex.OTHER,
    "A": AdministrativeSex.OTHER,
}
_DISPOSITIONS = {d.value: d for d in DischargeDisposition}


class VisitEvent(enum.Enum):
    """What the message says happened to the visit; decides what PV1 must carry."""

    ADMIT = "A01"
    REGISTER = "A04"
    DISCHARGE = "A03"
    UPDATE = "A08"
    CONTEXT = "results or documents"  # ORU, MDM: the visit they belong to


def patient_of(pid: SegmentView, facility: str) -> IncomingPatient:
    identifiers = patient_identifiers(pid, facility)
    record_ids = [i for i in identifiers if i.kind is not IdentifierKind.SSN]
    if not record_ids:
        raise Rejected(
            pid.where(3),
            "has no patient identifier (CX-1 is empty; an SSN alone does not name a record)",
        )
    first = min(record_ids, key=lambda i: i.kind is not IdentifierKind.MRN)
    family, given, middle = _legal_name(pid)
    birth_on = pid.day(7)
    if birth_on is None:
        raise Rejected(pid.where(7), "birth date is missing; himdesk needs it to match the patient")
    return IncomingPatient(
        source=SourceRef(f"hl7v2:{first.system}", first.value),
        family_name=family,
        given_name=given,
        middle_name=middle,
        birth_on=birth_on,
        sex=_SEX.get(pid.text(8).upper()[:1], AdministrativeSex.UNKNOWN),
        identifiers=identifiers,
        address=_address(pid),
        phone=_phone(pid),
    )


def patient_identifiers(pid: SegmentView, facility: str) -> tuple[PatientIdentifier, ...]:
    """PID-3 (or the older PID-2 and PID-4 when PID-3 is empty) and the SSN of PID-19."""
    found = identifiers_in(pid, 3, facility)
    for older in (2, 4):
        found = found or identifiers_in(pid, older, facility)
    ssn = normalize_ssn(pid.text(19))
    if ssn and all(i.kind is not IdentifierKind.SSN for i in found):
        found += (PatientIdentifier(IdentifierKind.SSN, SSN_SYSTEM, ssn),)
    return found


def identifiers_in(view: SegmentView, field: int, facility: str) -> tuple[PatientIdentifier, ...]:
    """Every CX repetition of a field; an SSN that is not a valid SSN is left out."""
    found: list[PatientIdentifier] = []
    for rep in view.repetitions(field):
        value = view.part(rep, 1)
        if not value:
            continue
        kind_code = view.part(rep, 5).upper()
        if kind_code == "SS":
            if ssn := normalize_ssn(value):
                found.append(PatientIdentifier(IdentifierKind.SSN, SSN_SYSTEM, ssn))
            continue
        system = view.part(rep, 4, 1) or view.part(rep, 4, 2) or facility
        kind = IdentifierKind.MRN if kind_code in _RECORD_NUMBER_TYPES else IdentifierKind.OTHER
        value = text_within(value, 100, view.where(field))
        system = text_within(system, 190, f"{view.where(field)} assigning authority")
        found.append(PatientIdentifier(kind, system, value))
    return tuple(dict.fromkeys(found))


def _legal_name(pid: SegmentView) -> tuple[str, str, str]:
    names = pid.repetitions(5)
    chosen = next((n for n in names if pid.part(n, 7).upper() == "L"), names[0] if names else "")
    family = pid.part(chosen, 1, 1)
    if not family:
        raise Rejected(pid.where(5), "patient name has no family name")
    where = pid.where(5)
    return (
        text_within(family, 60, where),
        text_within(pid.part(chosen, 2), 60, where),
        text_within(pid.part(chosen, 3), 60, where),
    )


def _address(pid: SegmentView) -> Address:
    """PID-11, first address. A state that is not two letters or a postal code longer than
    the record keeps is left out rather than stored wrong (the rest of the address stays)."""
    reps = pid.repetitions(11)
    if not reps:
        return Address()
    rep = reps[0]
    line = ", ".join(p for p in (pid.joined(rep, 1), pid.part(rep, 2)) if p)
    state = pid.part(rep, 4).upper()
    postal = pid.part(rep, 5)
    return Address(
        line=shortened(line, 120),
        city=shortened(pid.part(rep, 3), 60),
        state=state if re.fullmatch(r"[A-Z]{2}", state) else "",
        postal_code=postal if len(postal) <= 10 else "",
    )


def _phone(pid: SegmentView) -> str:
    reps = pid.repetitions(13)
    if not reps:
        return ""
    rep = reps[0]
    written = pid.part(rep, 1) or f"{pid.part(rep, 6)}{pid.part(rep, 7)}"
    phone = normalize_phone(written) or written
    return phone if len(phone) <= 20 else ""


def visit_of(pv1: SegmentView | None, pid: SegmentView | None, facility: str) -> SourceRef | None:
    """The encounter a message is about, named by the sending facility: PV1-19 visit number,
    else PID-18 patient account number (many US systems key the visit by the account)."""
    for view, field in ((pv1, 19), (pid, 18)):
        if view is not None and (visit := view.text(field)):
            text_within(visit, 20, view.where(field))  # it becomes the account number
            return SourceRef(f"hl7v2:{facility}", f"visit/{visit}")
    return None


@dataclass(frozen=True)
class VisitSegments:
    """The segments that describe a visit: PV1, with PID (account number) and EVN (times)."""

    pv1: SegmentView
    pid: SegmentView | None
    evn: SegmentView | None


def encounter_of(
    segments: VisitSegments, facility: str, event: VisitEvent, attending: SourceRef | None = None
) -> IncomingEncounter | None:
    """The encounter PV1 describes; None when the message only refers to one (no admit time)
    or, for results, documents and updates, has no visit number."""
    pv1, evn = segments.pv1, segments.evn
    visit = visit_of(pv1, segments.pid, facility)
    if visit is None:
        if event in (VisitEvent.ADMIT, VisitEvent.REGISTER, VisitEvent.DISCHARGE):
            raise Rejected(
                pv1.where(19),
                "visit number is missing; himdesk needs it to know "
                "which encounter the message is about",
            )
        return None
    admitted = pv1.instant(44)
    if admitted is None and event in (VisitEvent.ADMIT, VisitEvent.REGISTER):
        admitted = first_instant(((evn, 6), (evn, 2)))
    if admitted is None:
        if event is VisitEvent.DISCHARGE:
            raise Rejected(pv1.where(44), "admit date/time is missing")
        return None
    discharged = pv1.instant(45)
    if discharged is None and event is VisitEvent.DISCHARGE:
        discharged = first_instant(((evn, 6), (evn, 2)))
        if discharged is None:
            raise Rejected(pv1.where(45), "discharge date/time is missing")
    if discharged is not None and discharged < admitted:
        raise Rejected(pv1.where(45), "discharge date/time is before the admit date/time (PV1-44)")
    return IncomingEncounter(
        source=visit,
        encounter_class=_encounter_class(pv1.text(2).upper(), event),
        admitted_at=admitted,
        status=_status(event, discharged is not None),
        account_number=visit.value.removeprefix("visit/"),
        discharged_at=discharged,
        attending=attending,
        discharge_disposition=_disposition(pv1.text(36)),
        service=shortened(pv1.text(10), 40),
    )


def _encounter_class(code: str, event: VisitEvent) -> EncounterClass:
    """PV1-2 (HL7 table 0004). An A01 admits to a bed: inpatient unless it is an ED visit."""
    if code == "E":
        return EncounterClass.EMERGENCY
    if event is VisitEvent.ADMIT or code in ("I", "B"):
        return EncounterClass.INPATIENT
    return EncounterClass.OUTPATIENT


def _status(event: VisitEvent, discharged: bool) -> EncounterStatus:
    if event is VisitEvent.DISCHARGE or discharged:
        return EncounterStatus.DISCHARGED
    return EncounterStatus.IN_PROGRESS


def _disposition(code: str) -> DischargeDisposition | None:
    """PV1-36 when it is one of the UB-04 codes the record knows ("1" is read as "01")."""
    return _DISPOSITIONS.get(code.zfill(2) if code.isdigit() else code)


def attending_of(pv1: SegmentView | None, facility: str) -> IncomingClinician | None:
    """PV1-7 attending doctor, else PV1-17 admitting doctor."""
    if pv1 is None:
        return None
    for field in (7, 17):
        for rep in pv1.repetitions(field):
            if found := clinician_of(pv1, field, rep, facility):
                return found
    return None


def clinician_of(
    view: SegmentView, field: int, rep: str, facility: str
) -> IncomingClinician | None:
    """An XCN person with a family name; the id is an NPI when the sender says so (XCN-9
    assigning authority NPI or its OID, or XCN-13 identifier type NPI)."""
    family = view.part(rep, 2, 1)
    if not family:
        return None
    where = view.where(field)
    given = view.part(rep, 3)
    person_id = view.part(rep, 1)
    authority = view.part(rep, 9, 1) or view.part(rep, 9, 2)
    says_npi = "NPI" in (authority.upper(), view.part(rep, 13).upper()) or NPI_OID in (
        view.part(rep, 9, 2),
        authority,
    )
    npi = person_id if says_npi and re.fullmatch(r"[0-9]{10}", person_id) else ""
    key = person_id or f"{family}^{given}"
    return IncomingClinician(
        source=SourceRef(
            f"hl7v2:{text_within(authority or facility, 190, f'{where} assigning authority')}",
            text_within(f"clinician/{key}", 200, where),
        ),
        family_name=shortened(family, 60),
        given_name=shortened(given, 60),
        npi=npi,
        credentials=shortened(view.part(rep, 7), 20),
    )


def merged_identifiers(mrg: SegmentView, facility: str) -> tuple[PatientIdentifier, ...]:
    """MRG-1 prior patient identifier list, with the older MRG-4 prior patient id."""
    found = identifiers_in(mrg, 1, facility) + identifiers_in(mrg, 4, facility)
    if not found:
        raise Rejected(
            mrg.where(1),
            "prior patient identifier list is empty: nothing says which patient to merge",
        )
    return tuple(dict.fromkeys(found))
