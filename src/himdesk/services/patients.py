"""Finding patients and correcting their demographics."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from himdesk.domain.access import Action, Actor, is_permitted
from himdesk.domain.demographics import DemographicsForm, InvalidInput, apply_demographics
from himdesk.domain.identifiers import mask_ssn
from himdesk.domain.names import sound_key
from himdesk.domain.patient_search import (
    MIN_SCORE,
    SearchTerms,
    name_orderings,
    name_score,
    parse_search,
)
from himdesk.domain.records import Patient
from himdesk.domain.restrictions import PATIENT_LEVEL
from himdesk.services import audit
from himdesk.services.access_control import check_access
from himdesk.services.charts import Banner, banner_of, get_patient
from himdesk.services.errors import Conflict
from himdesk.services.ports import NameCriteria, PatientCandidate, UnitOfWork
from himdesk.services.versions import VersionOf, keep_correction

# Enough for every patient of ~20 near spellings of a common family name to be ranked.
CANDIDATE_LIMIT = 3000


@dataclass(frozen=True)
class PatientMatch:
    id: int
    mrn: str
    family_name: str
    given_name: str
    middle_name: str
    birth_on: date
    sex: str
    score: float
    restricted: bool = False


def search_patients(
    uow: UnitOfWork, actor: Actor, text: str, limit: int = 25
) -> list[PatientMatch]:
    """Find patients by MRN, name (typos tolerated) and/or date of birth, best first."""
    audit.require(uow, actor, Action.SEARCH_PATIENTS)
    terms = parse_search(text)
    if terms.is_empty:
        raise InvalidInput({"q": "Type an MRN, a name or a date of birth."})
    matches = _screen(uow, actor, terms, _rank(terms, _candidates(uow, terms), limit + 10))[:limit]
    # The search text may hold names (PHI); the trail keeps only how many were shown.
    audit.record(
        uow,
        actor,
        Action.SEARCH_PATIENTS.value,
        object_type="patient-search",
        object_id=len(matches),
    )
    uow.commit()
    return matches


def _screen(
    uow: UnitOfWork, actor: Actor, terms: SearchTerms, matches: list[PatientMatch]
) -> list[PatientMatch]:
    """VIP and employee charts stay hidden from roles without the privilege.

    They can still be reached by their exact MRN, shown without a name, so that a user
    with a genuine need can break the glass.
    """
    if is_permitted(actor.role, Action.READ_RESTRICTED):
        return matches
    restricted = uow.access.restrictions_of({m.id for m in matches})
    screened = []
    for match in matches:
        if not restricted.get(match.id, frozenset()) & PATIENT_LEVEL:
            screened.append(match)
        elif terms.mrn:
            screened.append(replace(match, family_name="", given_name="", middle_name="",
                                    restricted=True))  # fmt: skip
    return screened


def _candidates(uow: UnitOfWork, terms: SearchTerms) -> list[PatientCandidate]:
    if terms.mrn:
        return list(uow.patients.candidates_by_mrn(terms.mrn))
    if not terms.names:
        assert terms.birth_on is not None  # noqa: S101 - SearchTerms.is_empty was checked
        return list(uow.patients.candidates_by_birth_date(terms.birth_on, CANDIDATE_LIMIT))
    known = uow.patients.known_names()
    found: dict[int, PatientCandidate] = {}
    for family, _given in name_orderings(terms):
        near = [
            name
            for name, _score, _i in process.extract(
                family,
                known,
                scorer=Levenshtein.distance,
                score_cutoff=_max_edits(family),
                limit=20,
            )
        ]
        criteria = NameCriteria(norm=family, sound=sound_key(family))
        for c in uow.patients.candidates_by_name(criteria, near, terms.birth_on, CANDIDATE_LIMIT):
            found[c.id] = c
    return list(found.values())


def _max_edits(name: str) -> int:
    return 1 if len(name) <= 4 else 2


def _rank(terms: SearchTerms, candidates: list[PatientCandidate], limit: int) -> list[PatientMatch]:
    orderings = name_orderings(terms)
    scored: list[PatientMatch] = []
    for c in candidates:
        if terms.birth_on and c.birth_on != terms.birth_on:
            continue
        score = max(
            (name_score(f, g, c.family_norm, c.given_norm) for f, g in orderings), default=1.0
        )
        if score >= MIN_SCORE:
            scored.append(
                PatientMatch(
                    c.id,
                    c.mrn,
                    c.family_name,
                    c.given_name,
                    c.middle_name,
                    c.birth_on,
                    c.sex,
                    round(score, 3),
                )
            )
    scored.sort(key=lambda m: (-m.score, m.family_name, m.given_name, m.birth_on))
    return scored[:limit]


def correct_demographics(
    uow: UnitOfWork, actor: Actor, patient_id: int, form: DemographicsForm, expected_version: int
) -> Patient:
    """Apply a correction as a new version; the previous version stays in the history."""
    audit.require(uow, actor, Action.EDIT_DEMOGRAPHICS, patient_id)
    corrected = keep_demographics_correction(uow, actor, patient_id, form, expected_version)
    uow.commit()
    return corrected


def keep_demographics_correction(
    uow: UnitOfWork, actor: Actor, patient_id: int, form: DemographicsForm, expected_version: int
) -> Patient:
    """The correction, its versions and audit event, in the caller's checked transaction.

    Shared with accepted amendment requests (45 CFR 164.526), which commit it together
    with their decision.
    """
    current = uow.patients.get(patient_id)
    check_access(uow, actor, patient_id)
    if current.version != expected_version:
        raise Conflict(
            "Someone else changed this patient's demographics while you were editing. "
            "Reload the page to see their change, then make yours again."
        )
    corrected = apply_demographics(current, form, uow.clock().date())
    if corrected == current:
        raise InvalidInput({"form": "Nothing was changed."})
    corrected.version = current.version + 1
    uow.patients.update(corrected)
    keep_correction(
        uow, ("patient", patient_id), patient_id,
        before=VersionOf(current.version, demographics_snapshot(current)),
        after=VersionOf(corrected.version, demographics_snapshot(corrected)),
        changed_by=actor.username, reason=form.reason.strip(),
        original_label=("registration", "Demographics as first registered"),
    )  # fmt: skip
    audit.record(
        uow,
        actor,
        Action.EDIT_DEMOGRAPHICS.value,
        patient_id=patient_id,
        object_type="patient",
        object_id=f"{patient_id}/v{corrected.version}",
    )
    return corrected


def demographics_snapshot(patient: Patient) -> dict[str, Any]:
    """The demographics as kept in the history; the SSN only ever masked."""
    return {
        "family_name": patient.family_name,
        "given_name": patient.given_name,
        "middle_name": patient.middle_name,
        "birth_on": patient.birth_on.isoformat(),
        "sex": patient.sex.value,
        **{f"address_{k}": v for k, v in asdict(patient.address).items()},
        "phone": patient.phone,
        "ssn": mask_ssn(patient.ssn),
    }


def start_correction(uow: UnitOfWork, actor: Actor, patient_id: int) -> tuple[Banner, Patient]:
    """The current demographics, for someone allowed to correct them (an audited read)."""
    audit.require(uow, actor, Action.EDIT_DEMOGRAPHICS, patient_id)
    patient = get_patient(uow, patient_id)
    check_access(uow, actor, patient_id)
    audit.record(
        uow,
        actor,
        "patient.demographics.read",
        patient_id=patient_id,
        object_type="patient",
        object_id=patient_id,
    )
    uow.commit()
    return banner_of(uow, patient), patient
