"""Writing the patients of a submission: new registrations, links, identifiers, updates.

A patient no one knows is registered with a new hospital MRN, in the same shape and facility
as the hospital's own; a known one gains the identifiers the sender uses, its SSN when the
record had none, and — when the sender says its demographics are a correction (HL7 A08) —
a new version of its demographics, the old one kept in the history.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace

from himdesk.domain.access import Actor
from himdesk.domain.import_records import LinkKey, NewSourceLink, PartKind, SourceLink
from himdesk.domain.incoming import (
    IdentifierKind,
    IncomingClinician,
    IncomingPatient,
    SourceRef,
    Submission,
)
from himdesk.domain.records import Patient
from himdesk.services.import_apply import Tally
from himdesk.services.import_patients import (
    ChartPatient,
    link_key,
    part_digest,
    usable_identifiers,
)
from himdesk.services.patients import demographics_snapshot
from himdesk.services.ports import UnitOfWork
from himdesk.services.versions import VersionOf, keep_correction

HOME_FACILITY = "HIMDESK-GENERAL"  # when the database has no patient of its own yet


def register_patients(
    uow: UnitOfWork,
    actor: Actor,
    submission: Submission,
    decided: Sequence[ChartPatient],
    links: Mapping[LinkKey, SourceLink],
    tally: Tally,
) -> list[int]:
    """The patient id of each chart, after writing what the decisions call for (new links
    are left in the tally, to be written with the parts')."""
    counts = tally.counts
    by_source: dict[LinkKey, int] = {}  # one sender's patient in two charts is one patient
    ids = []
    for chart in decided:
        incoming = chart.incoming
        if incoming is None:
            assert chart.patient_id is not None  # noqa: S101 - decide_patients resolved it
            ids.append(chart.patient_id)
            continue
        key = link_key(incoming.source, PartKind.PATIENT)
        patient_id = by_source.get(key) or chart.patient_id
        digest = part_digest(incoming)
        link = links.get(key)
        if patient_id is None:
            patient_id = _register(uow, incoming, counts)
        elif link is None or link.content_digest != digest:
            update = submission.charts[chart.index].updates_demographics
            _update_known(uow, actor, submission, (patient_id, update), incoming, counts)
        if key not in by_source:
            _link(uow, tally, link, NewSourceLink(key, patient_id, patient_id, digest))
        by_source[key] = patient_id
        ids.append(patient_id)
    return ids


def _link(uow: UnitOfWork, tally: Tally, existing: SourceLink | None, new: NewSourceLink) -> None:
    if existing is None:
        tally.new_links.append(new)
    elif (existing.entity_id, existing.content_digest) != (new.entity_id, new.content_digest):
        uow.imports.change_links([new])


def _register(uow: UnitOfWork, incoming: IncomingPatient, counts: Counter[str]) -> int:
    mrn = uow.imports.new_mrn()  # first: it reads the home facility too
    patient = uow.patients.add(
        Patient(
            facility=uow.imports.home_facility() or HOME_FACILITY,
            mrn=mrn,
            family_name=incoming.family_name.strip(),
            given_name=incoming.given_name.strip(),
            middle_name=incoming.middle_name.strip(),
            birth_on=incoming.birth_on,
            sex=incoming.sex,
            address=incoming.address,
            phone=incoming.phone.strip(),
            ssn=_ssn_of(incoming),
        )
    )
    assert patient.id is not None  # noqa: S101 - the repository assigned it
    counts["patients"] += 1
    counts["identifiers"] += uow.patient_index.add_identifiers(
        patient.id, usable_identifiers(incoming)
    )
    return patient.id


def _update_known(
    uow: UnitOfWork,
    actor: Actor,
    submission: Submission,
    patient: tuple[int, bool],
    incoming: IncomingPatient,
    counts: Counter[str],
) -> None:
    """A known patient: the sender's identifiers; its demographics when it says they are an
    update (`patient` is the id and whether the chart updates demographics)."""
    patient_id, updates_demographics = patient
    counts["identifiers"] += uow.patient_index.add_identifiers(
        patient_id, usable_identifiers(incoming)
    )
    current = uow.patients.get(patient_id)
    if updates_demographics:
        _correct(uow, actor, submission, current, incoming, counts)
    elif not current.ssn and _ssn_of(incoming):
        # Filling a blank is no correction: nothing the record said is overwritten.
        uow.patients.update(replace(current, ssn=_ssn_of(incoming)))
        counts["demographics"] += 1


def _correct(
    uow: UnitOfWork,
    actor: Actor,
    submission: Submission,
    current: Patient,
    incoming: IncomingPatient,
    counts: Counter[str],
) -> None:
    """The sender's demographics as a new version (an HL7 A08 update)."""
    corrected = replace(
        current,
        family_name=incoming.family_name.strip() or current.family_name,
        given_name=incoming.given_name.strip() or current.given_name,
        middle_name=incoming.middle_name.strip(),
        birth_on=incoming.birth_on,
        sex=incoming.sex,
        address=incoming.address,
        phone=incoming.phone.strip(),
        ssn=_ssn_of(incoming) or current.ssn,
        version=current.version + 1,
    )
    if demographics_snapshot(corrected) == demographics_snapshot(current):
        return
    assert current.id is not None  # noqa: S101 - read from the database
    uow.patients.update(corrected)
    keep_correction(
        uow, ("patient", current.id), current.id,
        before=VersionOf(current.version, demographics_snapshot(current)),
        after=VersionOf(corrected.version, demographics_snapshot(corrected)),
        changed_by=actor.username,
        reason=f"Update from {submission.message_type or submission.format.value} "
               f"({submission.label})"[:500],
        original_label=("registration", "Demographics as first registered"),
    )  # fmt: skip
    counts["demographics"] += 1


def _ssn_of(incoming: IncomingPatient) -> str:
    return next((i.value for i in usable_identifiers(incoming) if i.kind is IdentifierKind.SSN), "")


def resolve_clinicians(
    uow: UnitOfWork,
    submission: Submission,
    links: Mapping[LinkKey, SourceLink],
    tally: Tally,
) -> dict[SourceRef, int]:
    """Every clinician the submission names or refers to: linked before, found by NPI, or new
    (their new links left in the tally)."""
    ids = {SourceRef(key[0], key[1]): link.entity_id for key, link in links.items()
           if key[2] == PartKind.CLINICIAN}  # fmt: skip
    pending = list({c.source: c for c in submission.clinicians if c.source not in ids}.values())
    by_npi = uow.imports.clinicians_by_npi({c.npi.strip() for c in pending})
    new: dict[str, IncomingClinician] = {}  # one new clinician per NPI (or per source)
    for clinician in pending:
        npi = clinician.npi.strip()
        if npi not in by_npi:
            new.setdefault(npi or str(clinician.source), replace(clinician, npi=npi))
    created = dict(zip(new, uow.imports.add_clinicians(list(new.values())), strict=True))
    tally.counts["clinicians"] += len(created)
    fresh = []
    for clinician in pending:
        npi = clinician.npi.strip()
        found = by_npi.get(npi) if npi else None
        ids[clinician.source] = found or created[npi or str(clinician.source)]
        key = link_key(clinician.source, PartKind.CLINICIAN)
        fresh.append(NewSourceLink(key, ids[clinician.source], None, part_digest(clinician)))
    tally.new_links += fresh
    return ids
