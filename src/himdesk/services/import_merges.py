"""HL7 ADT^A40 in an import: the patient known by the merged identifiers is the survivor.

Both patients are found by what the sender knows them by (the survivor's source link or
identifiers; the merged one's identifiers). A merge already done is not done again, so
re-importing the message changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from himdesk.domain.access import Actor, PermissionDenied
from himdesk.domain.import_records import LinkKey, PartKind, SourceLink
from himdesk.domain.incoming import PatientIdentifier, PatientMergeRequest, Rejected, Submission
from himdesk.services.errors import Conflict
from himdesk.services.import_patients import link_key, usable_identifiers
from himdesk.services.patient_merges import merge_within
from himdesk.services.ports import UnitOfWork


def merge_patients(
    uow: UnitOfWork,
    actor: Actor,
    submission: Submission,
    links: Mapping[LinkKey, SourceLink],
    counts: Counter[str],
) -> list[int]:
    """Record each merge the submission asks for; the surviving patients' ids."""
    survivors = []
    for n, request in enumerate(submission.merges, 1):
        where = f"merge {n}"
        surviving = _surviving(uow, where, request, links)
        merged = _carrier(uow, f"{where} merged patient", list(request.merged))
        if merged != surviving:
            _merge(uow, actor, where, (surviving, merged), submission)
            counts["merges"] += 1
        survivors.append(surviving)
    return survivors


def _merge(
    uow: UnitOfWork, actor: Actor, where: str, pair: tuple[int, int], submission: Submission
) -> None:
    source = f"{submission.message_type or 'merge'} {submission.control_id} ({submission.label})"
    try:
        merge_within(uow, actor, surviving_id=pair[0], merged_id=pair[1],
                     source=source.strip()[:300])  # fmt: skip
    except PermissionDenied:
        raise Rejected(where, "merging patients needs the HIM manager's permission; "
                       "import this message as an HIM manager") from None  # fmt: skip
    except Conflict as err:
        raise Rejected(where, str(err)) from None


def _surviving(
    uow: UnitOfWork, where: str, request: PatientMergeRequest, links: Mapping[LinkKey, SourceLink]
) -> int:
    link = links.get(link_key(request.surviving.source, PartKind.PATIENT))
    if link is None:  # registered by this very submission, after the links were read
        link = uow.imports.links([link_key(request.surviving.source, PartKind.PATIENT)]).get(
            link_key(request.surviving.source, PartKind.PATIENT)
        )
    if link is not None:
        return uow.patient_index.survivors({link.entity_id})[link.entity_id]
    return _carrier(uow, f"{where} surviving patient", usable_identifiers(request.surviving))


def _carrier(uow: UnitOfWork, where: str, identifiers: list[PatientIdentifier]) -> int:
    """The one live patient who carries these identifiers."""
    keys = uow.patient_index.identifier_keys(identifiers)
    carriers = {pid for ids in uow.patient_index.patients_with(keys).values() for pid in ids}
    live = set(uow.patient_index.survivors(carriers).values())
    if len(live) == 1:
        return live.pop()
    named = ", ".join(f"{i.system}|{i.value}" if i.kind.value != "SS" else "SSN"
                      for i in identifiers) or "no identifier"  # fmt: skip
    problem = "are carried by more than one patient" if live else "belong to no patient"
    raise Rejected(where, f"the identifiers ({named}) {problem}")
