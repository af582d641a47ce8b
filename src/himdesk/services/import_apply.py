"""Writing a submission's record parts: insert what is new, correct what changed, skip the rest.

Each part is found by the sender's reference through its source link. A part never seen is
inserted and linked; one whose digest is unchanged is skipped; one that changed is updated
with its previous state kept as a version (the legal record is never silently overwritten).
Every kind is written with one batch statement per submission.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from himdesk.domain.import_records import LinkKey, NewSourceLink, PartKind, SourceLink, json_value
from himdesk.domain.incoming import (
    IncomingChart,
    IncomingEncounter,
    Rejected,
    SourceFormat,
    SourceRef,
    Submission,
    shortened,
)
from himdesk.domain.records import Encounter, EncounterStatus
from himdesk.services.import_parts import PART_BUILDERS, PartContext
from himdesk.services.import_patients import link_key, part_digest
from himdesk.services.ports import RecordPart, UnitOfWork
from himdesk.services.versions import VersionOf, keep_correction

MAX_ACCOUNT = 20  # encounters.account_number


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    unchanged: int = 0
    # Encounters discharged through the hospital's own ADT feed, by id, as written.
    discharged: dict[int, Encounter] = field(default_factory=dict)
    # Links of new parts, written together once every part has its id.
    new_links: list[NewSourceLink] = field(default_factory=list)


@dataclass
class _Item:
    key: LinkKey
    digest: str
    record: Any
    place: tuple[int, str, int, SourceRef]  # chart index, kind, number in its list, source

    @property
    def where(self) -> str:
        index, kind, number, source = self.place
        return f"chart {index + 1}, {kind} {number} ({source})"


class PartWriter:
    def __init__(
        self,
        uow: UnitOfWork,
        submission: Submission,
        links: Mapping[LinkKey, SourceLink],
        clinicians: Mapping[SourceRef, int],
        tally: Tally,
        changed_by: str,
        survivors: Mapping[int, int],
    ) -> None:
        """`survivors`: each linked patient id, or the patient it was merged into."""
        self._uow = uow
        self._submission = submission
        self._links = links
        self._clinicians = clinicians
        self._tally = tally
        self._changed_by = changed_by
        self._survivors = survivors
        self._encounters: dict[SourceRef, tuple[int, int | None]] = {}

    def write(self, charts: Sequence[tuple[int, IncomingChart, int]]) -> None:
        """Every chart's parts; `charts` holds (index, chart, patient id)."""
        self._known_encounters()
        self._write_encounters(charts)
        for kind, attribute, build in PART_BUILDERS:
            items = []
            for index, chart, patient_id in charts:
                context = PartContext(patient_id, self._encounter_of, self._clinician_of)
                for k, part in enumerate(getattr(chart, attribute), 1):
                    context.place = (index, kind.value, k, part.source)
                    record = build(part, context)
                    items.append(_Item(link_key(part.source, kind), part_digest(part), record,
                                       context.place))  # fmt: skip
            self._upsert(kind, items)

    def _known_encounters(self) -> None:
        linked = {key: link for key, link in self._links.items()
                  if key[2] == PartKind.ENCOUNTER}  # fmt: skip
        for (system, value, _kind), link in linked.items():
            patient_id = link.patient_id
            owner = self._survivors.get(patient_id) if patient_id is not None else None
            self._encounters[SourceRef(system, value)] = (link.entity_id, owner)

    def _encounter_of(self, where: str, ref: SourceRef | None, patient_id: int) -> int | None:
        if ref is None:
            return None
        found = self._encounters.get(ref)
        if found is None:
            raise Rejected(where, f"refers to encounter {ref}, which is neither in this "
                           "submission nor imported before")  # fmt: skip
        if found[1] != patient_id:
            raise Rejected(where, f"refers to encounter {ref}, which is another patient's")
        return found[0]

    def _clinician_of(self, where: str, ref: SourceRef | None) -> int | None:
        if ref is None:
            return None
        found = self._clinicians.get(ref)
        if found is None:
            raise Rejected(where, f"refers to clinician {ref}, who is neither in this "
                           "submission nor imported before")  # fmt: skip
        return found

    def _write_encounters(self, charts: Sequence[tuple[int, IncomingChart, int]]) -> None:
        items = []
        for index, chart, patient_id in charts:
            for k, incoming in enumerate(chart.encounters, 1):
                place = (index, PartKind.ENCOUNTER.value, k, incoming.source)
                item = _Item(link_key(incoming.source, PartKind.ENCOUNTER),
                             part_digest(incoming), None, place)  # fmt: skip
                item.record = self._encounter(incoming, patient_id, item)
                items.append(item)
        new, changed = self._sort(items)
        before = self._uow.imports.parts(PartKind.ENCOUNTER, [i.record.id for i in changed])
        self._number_accounts(new + changed, before)
        self._upsert_sorted(PartKind.ENCOUNTER, new, changed, before)
        for item in new + changed:
            encounter: Encounter = item.record
            assert encounter.id is not None  # noqa: S101 - written above
            self._encounters[SourceRef(item.key[0], item.key[1])] = (
                encounter.id,
                encounter.patient_id,
            )
            was = before.get(encounter.id)
            if self._discharges(encounter, was):
                self._tally.discharged[encounter.id] = encounter

    def _encounter(self, incoming: IncomingEncounter, patient_id: int, item: _Item) -> Encounter:
        attending = incoming.attending
        attending_id = (
            self._clinician_of(f"{item.where} attending", attending) if attending else None
        )
        return Encounter(
            patient_id=patient_id,
            encounter_class=incoming.encounter_class,
            admitted_at=incoming.admitted_at,
            account_number=incoming.account_number.strip(),
            status=incoming.status,
            discharged_at=incoming.discharged_at,
            attending_id=attending_id,
            discharge_disposition=incoming.discharge_disposition,
            service=shortened(incoming.service, 40),
        )

    def _discharges(self, encounter: Encounter, was: Encounter | None) -> bool:
        """Completeness analysis follows discharges from the hospital's own ADT feed only;
        records received from other organisations are filed, not analysed."""
        if self._submission.format is not SourceFormat.HL7V2:
            return False
        discharged = encounter.status is EncounterStatus.DISCHARGED and encounter.discharged_at
        return bool(discharged) and (was is None or was.status is not EncounterStatus.DISCHARGED)

    def _number_accounts(self, items: Sequence[_Item], before: Mapping[int, Encounter]) -> None:
        """The sender's account number when it is free; else one numbered here."""
        # An encounter keeping its number holds it (the column is unique): no need to ask.
        own = {was.account_number: was.id for was in before.values()}
        wanted = {i.record.account_number for i in items if i.record.account_number} - own.keys()
        holders = own | (self._uow.imports.account_holders(wanted) if wanted else {})
        used: set[str] = set()
        for item in items:
            encounter: Encounter = item.record
            number = encounter.account_number
            free = holders.get(number, encounter.id) == encounter.id and number not in used
            if not number or len(number) > MAX_ACCOUNT or not free:
                was = before.get(encounter.id) if encounter.id is not None else None
                number = was.account_number if was else self._uow.imports.new_account_number()
            used.add(number)
            encounter.account_number = number

    def _upsert(self, kind: PartKind, items: list[_Item]) -> None:
        new, changed = self._sort(items)
        before = self._uow.imports.parts(kind, [i.record.id for i in changed]) if changed else {}
        self._upsert_sorted(kind, new, changed, before)

    def _sort(self, items: list[_Item]) -> tuple[list[_Item], list[_Item]]:
        """New parts and changed parts (their ids set); unchanged ones are counted."""
        new: list[_Item] = []
        changed: list[_Item] = []
        seen: dict[LinkKey, str] = {}
        for item in items:
            if item.key in seen:  # the same part twice in one submission
                if seen[item.key] != item.digest:
                    raise Rejected(item.where, "appears twice in this submission, differently")
                self._tally.unchanged += 1
                continue
            seen[item.key] = item.digest
            link = self._links.get(item.key)
            if link is None:
                new.append(item)
                continue
            self._same_patient(link, item)
            if link.content_digest == item.digest:
                self._tally.unchanged += 1
            else:
                item.record.id = link.entity_id
                changed.append(item)
        return new, changed

    def _same_patient(self, link: SourceLink, item: _Item) -> None:
        """A sender that reuses a reference for another patient would otherwise have the
        second patient's part counted unchanged (dropped) or moved into the wrong chart."""
        owner = link.patient_id
        owner = self._survivors.get(owner, owner) if owner is not None else None
        if owner is not None and owner != item.record.patient_id:
            raise Rejected(item.where, "was sent before for another patient: the sender "
                           "reused its identifier")  # fmt: skip

    def _upsert_sorted(
        self, kind: PartKind, new: list[_Item], changed: list[_Item], before: Mapping[int, Any]
    ) -> None:
        imports = self._uow.imports
        imports.add_parts(kind, [i.record for i in new])
        self._tally.new_links.extend(
            NewSourceLink(i.key, i.record.id, i.record.patient_id, i.digest) for i in new
        )
        for item in changed:
            self._keep_version(kind, before[item.record.id], item.record)
        imports.update_parts(kind, [i.record for i in changed])
        imports.change_links([NewSourceLink(i.key, i.record.id, i.record.patient_id, i.digest)
                              for i in changed])  # fmt: skip
        written = len(new) + len(changed)
        if written:
            self._tally.counts[_plural(kind)] += written

    def _keep_version(self, kind: PartKind, old: RecordPart, new: RecordPart) -> None:
        assert old.id is not None  # noqa: S101 - read from the database
        if isinstance(old, Encounter) or hasattr(old, "version"):
            number = int(getattr(old, "version", 1))
            new.version = number + 1  # type: ignore[union-attr]
        else:
            history = self._uow.versions.list_for(kind.value, old.id)
            number = history[-1].version if history else 1
        keep_correction(
            self._uow, (kind.value, old.id), new.patient_id,
            before=VersionOf(number, part_snapshot(old)),
            after=VersionOf(number + 1, part_snapshot(new)),
            changed_by=self._changed_by,
            reason=f"Corrected by {self._submission.format.value} import "
                   f"({self._submission.label})"[:500],
            original_label=("import", "As first received"),
        )  # fmt: skip


def part_snapshot(part: Any) -> dict[str, Any]:
    """A part as the version history keeps it (JSON values)."""
    return {f.name: json_value(getattr(part, f.name)) for f in dataclasses.fields(part)
            if f.name not in ("id", "version")}  # fmt: skip


def _plural(kind: PartKind) -> str:
    irregular = {PartKind.DIAGNOSIS: "diagnoses", PartKind.ALLERGY: "allergies"}
    return irregular.get(kind, f"{kind.value}s")
