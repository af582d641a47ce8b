"""Which patient each incoming chart belongs to: links, identifiers, matching, decisions.

Deciding reads only; nothing is written until every chart has a sure answer, because an
unsure one holds the whole submission for review (a held import writes nothing else).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from himdesk.domain.identifiers import normalize_ssn
from himdesk.domain.import_records import HoldCandidate, LinkKey, PartKind, SourceLink
from himdesk.domain.incoming import (
    IdentifierKind,
    IncomingChart,
    IncomingPatient,
    PatientIdentifier,
    Rejected,
    SourceRef,
    Submission,
)
from himdesk.domain.patient_matching import (
    MatchOutcome,
    MatchResult,
    PatientProfile,
    confirm_known,
    match_patient,
)
from himdesk.services.ports import UnitOfWork

Decisions = Mapping[int, int | None]  # chart index -> patient id, or None: a new patient


def part_digest(part: object) -> str:
    """The digest of a part as received: equal digests mean nothing changed."""
    return hashlib.sha256(repr(part).encode()).hexdigest()


def link_key(ref: SourceRef, kind: PartKind) -> LinkKey:
    return (ref.system, ref.value, kind.value)


@dataclass
class ChartPatient:
    """The decision for one chart; `patient_id` None means a patient will be created."""

    index: int
    patient_id: int | None
    incoming: IncomingPatient | None
    linked: bool = False  # the sender's patient is linked already
    unsure: MatchResult | None = None


def decide_patients(
    uow: UnitOfWork,
    submission: Submission,
    links: Mapping[LinkKey, SourceLink],
    decisions: Decisions | None,
    survivors: Mapping[int, int],
) -> list[ChartPatient]:
    """Who each chart is, without writing anything; `survivors` maps each linked patient to
    the patient it was merged into (or itself)."""
    linked = {key: link.entity_id for key, link in links.items()
              if key[2] == PartKind.PATIENT}  # fmt: skip
    decided: list[ChartPatient] = []
    for index, chart in enumerate(submission.charts):
        if decisions is not None and index in decisions:
            decided.append(_decided(uow, index, chart, decisions[index]))
            continue
        ref = chart.patient if isinstance(chart.patient, SourceRef) else chart.patient.source
        known = linked.get(link_key(ref, PartKind.PATIENT))
        if isinstance(chart.patient, SourceRef):
            found = survivors[known] if known else _by_identifier(uow, index, chart.patient)
            decided.append(ChartPatient(index, found, None, linked=known is not None))
        elif known is not None:
            link = links[link_key(ref, PartKind.PATIENT)]
            decided.append(_linked(uow, index, chart.patient, survivors[known], link))
        else:
            decided.append(_matched(uow, index, chart.patient))
    return decided


def usable_identifiers(patient: IncomingPatient) -> list[PatientIdentifier]:
    """The patient's identifiers, SSNs normalised; one that is not an SSN shape is left out."""
    usable = []
    for identifier in patient.identifiers:
        if identifier.kind is IdentifierKind.SSN:
            ssn = normalize_ssn(identifier.value)
            if ssn is None:
                continue
            identifier = PatientIdentifier(IdentifierKind.SSN, identifier.system, ssn)
        if identifier.value.strip():
            usable.append(identifier)
    return usable


def profile_of(uow: UnitOfWork, patient: IncomingPatient) -> PatientProfile:
    keys = uow.patient_index.identifier_keys(usable_identifiers(patient))
    return PatientProfile(
        family_name=patient.family_name, given_name=patient.given_name,
        birth_on=patient.birth_on, sex=patient.sex, postal_code=patient.address.postal_code,
        phone=patient.phone, identifiers=keys,
    )  # fmt: skip


def _matched(uow: UnitOfWork, index: int, patient: IncomingPatient) -> ChartPatient:
    profile = profile_of(uow, patient)
    carriers = uow.patient_index.patients_with(profile.identifiers)
    sharing = {pid for ids in carriers.values() for pid in ids}
    sharing = set(uow.patient_index.survivors(sharing).values())
    result = match_patient(profile, uow.patient_index.candidates(profile, sharing))
    if result.outcome is MatchOutcome.SURE:
        return ChartPatient(index, result.patient_id, patient)
    if result.outcome is MatchOutcome.UNSURE:
        return ChartPatient(index, None, patient, unsure=result)
    return ChartPatient(index, None, patient)


def _linked(
    uow: UnitOfWork, index: int, patient: IncomingPatient, known: int, link: SourceLink
) -> ChartPatient:
    """The patient linked before, unless the sender now describes someone else."""
    if link.content_digest == part_digest(patient):
        return ChartPatient(index, known, patient, linked=True)
    candidates = uow.patient_index.profiles({known})
    if not candidates:
        return ChartPatient(index, known, patient, linked=True)
    result = confirm_known(profile_of(uow, patient), candidates[0])
    if result.outcome is MatchOutcome.SURE:
        return ChartPatient(index, known, patient, linked=True)
    return ChartPatient(index, None, patient, unsure=result)


def _decided(
    uow: UnitOfWork, index: int, chart: IncomingChart, patient_id: int | None
) -> ChartPatient:
    incoming = chart.patient if isinstance(chart.patient, IncomingPatient) else None
    if patient_id is not None:
        live = uow.patient_index.survivors({patient_id})
        if live.get(patient_id) != patient_id or not uow.patient_index.profiles({patient_id}):
            raise Rejected(f"chart {index + 1}", f"patient {patient_id} does not exist or was "
                           "merged into another; choose again")  # fmt: skip
    elif incoming is None:
        raise Rejected(f"chart {index + 1}", "refers to a patient by reference only, so no new "
                       "patient can be made from it")  # fmt: skip
    return ChartPatient(index, patient_id, incoming)


def _by_identifier(uow: UnitOfWork, index: int, ref: SourceRef) -> int:
    """A patient named only by reference: an HL7 feed's PID-3 is also the MRN it assigned."""
    authority = ref.system.removeprefix("hl7v2:")
    key = (IdentifierKind.MRN.value, authority, ref.value)
    carriers = uow.patient_index.patients_with([key]).get(key, set())
    live = set(uow.patient_index.survivors(carriers).values())
    if len(live) == 1:
        return live.pop()
    problem = "is carried by more than one patient" if live else "was not imported before"
    raise Rejected(f"chart {index + 1}", f"refers to patient {ref}, which {problem}")


def hold_details(decided: Sequence[ChartPatient]) -> tuple[str, list[HoldCandidate]]:
    """Why a submission is held (no names, no identifiers) and whom each chart may be."""
    reasons, candidates = [], []
    for chart in decided:
        if chart.unsure is None:
            continue
        reasons.append(f"chart {chart.index + 1}: {chart.unsure.reason}")
        candidates += [HoldCandidate(chart.index, s.patient_id, round(s.score, 2), s.reasons)
                       for s in chart.unsure.scored]  # fmt: skip
    return "; ".join(reasons), candidates
