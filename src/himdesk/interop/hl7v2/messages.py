"""One parsed HL7 v2 message to one `Submission`, by message type (MSH-9).

ADT^A01 admit, A04 register, A03 discharge and A08 update carry a patient (PID) and a visit
(PV1); A40 names patients to merge (PID surviving, MRG merged); ORU^R01 carries results
(OBR/OBX) and MDM^T02 a document (TXA/OBX). Clinical segments an ADT message may carry that
the record does not take from it (DG1, PR1, AL1, OBX) are counted in `not_held`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from himdesk.domain.incoming import (
    IncomingChart,
    IncomingClinician,
    IncomingEncounter,
    IncomingObservation,
    PatientMergeRequest,
    Rejected,
    SourceFormat,
    SourceRef,
    Submission,
)
from himdesk.interop.hl7v2.documents import document_of
from himdesk.interop.hl7v2.fields import SegmentView
from himdesk.interop.hl7v2.results import OrderContext, observation_of
from himdesk.interop.hl7v2.segments import (
    VisitEvent,
    VisitSegments,
    attending_of,
    encounter_of,
    merged_identifiers,
    patient_of,
    visit_of,
)

ACCEPTED_TYPES = "ADT^A01/A03/A04/A08/A40, ORU^R01, MDM^T02"
_ADT_NOT_HELD = {"DG1", "PR1", "AL1", "OBX"}


@dataclass(frozen=True)
class ParsedMessage:
    number: int  # 1 for the first message of the input
    label: str
    fingerprint: str
    segments: tuple[SegmentView, ...]
    facility: str  # MSH-4 sending facility (else MSH-3): names the sender's records
    control_id: str  # MSH-10
    message_type: str  # "ADT^A03"
    sent_at: datetime | None  # MSH-7

    def first(self, name: str) -> SegmentView | None:
        return next((s for s in self.segments if s.name == name), None)

    def required(self, name: str, why: str) -> SegmentView:
        found = self.first(name)
        if found is None:
            raise Rejected(f"message {self.number}, {name}", f"segment is missing; {why}")
        return found

    def named(self, name: str) -> list[SegmentView]:
        return [s for s in self.segments if s.name == name]


def check_accepted(message_type: str, number: int) -> None:
    if message_type not in _BUILDERS:
        raise Rejected(
            f"message {number}, MSH-9",
            f"{message_type} is not accepted; himdesk accepts {ACCEPTED_TYPES}",
        )


def submission_of(message: ParsedMessage) -> Submission:
    check_accepted(message.message_type, message.number)
    return _BUILDERS[message.message_type](message)


def _visit_message(event: VisitEvent) -> Callable[[ParsedMessage], Submission]:
    def build(m: ParsedMessage) -> Submission:
        pid = m.required("PID", "an ADT message is about a patient")
        patient = patient_of(pid, m.facility)
        pv1 = m.first("PV1")
        if pv1 is None and event is not VisitEvent.UPDATE:
            raise Rejected(
                f"message {m.number}, PV1",
                f"segment is missing; an ADT^{event.value} must say which visit it is about",
            )
        attending = attending_of(pv1, m.facility)
        encounter = None
        if pv1 is not None:
            source = attending.source if attending else None
            visit = VisitSegments(pv1, pid, m.first("EVN"))
            encounter = encounter_of(visit, m.facility, event, source)
        chart = IncomingChart(
            patient=patient,
            encounters=(encounter,) if encounter else (),
            updates_demographics=event is VisitEvent.UPDATE,
        )
        people = (attending,) if attending and encounter else ()
        not_held = Counter(f"{s.name} segment" for s in m.segments if s.name in _ADT_NOT_HELD)
        return _submission(m, charts=(chart,), clinicians=people, not_held=not_held)

    return build


def _merge_message(m: ParsedMessage) -> Submission:
    """Each MRG names a patient merged into the PID before it (an A40 may carry several)."""
    merges: list[PatientMergeRequest] = []
    surviving: SegmentView | None = None
    for segment in m.segments:
        if segment.name == "PID":
            surviving = segment
        elif segment.name == "MRG":
            if surviving is None:
                raise Rejected(
                    segment.where(1), "comes before any PID: the surviving patient is not named"
                )
            patient = patient_of(surviving, m.facility)
            merged = merged_identifiers(segment, m.facility)
            if set(merged) & set(patient.identifiers):
                raise Rejected(
                    segment.where(1),
                    "names an identifier of the surviving patient "
                    "(PID-3): a patient cannot be merged into itself",
                )
            merges.append(PatientMergeRequest(surviving=patient, merged=merged))
    if not merges:
        m.required("MRG", "an ADT^A40 names the patient to merge in MRG-1")
    return _submission(m, merges=tuple(merges))


def _results_message(m: ParsedMessage) -> Submission:
    """Per PID, its visit (PV1) and the numeric results of each order (OBR, OBX)."""
    m.required("PID", "results are filed to a patient")
    charts: list[IncomingChart] = []
    people: list[IncomingClinician] = []
    not_held: Counter[str] = Counter()
    for group in _patient_groups(m):
        chart, attending = _results_chart(m, group, not_held)
        charts.append(chart)
        people += [attending] if attending else []
    return _submission(m, charts=tuple(charts), clinicians=tuple(people), not_held=not_held)


def _patient_groups(m: ParsedMessage) -> list[list[SegmentView]]:
    groups: list[list[SegmentView]] = []
    for segment in m.segments:
        if segment.name == "PID":
            groups.append([])
        if groups:
            groups[-1].append(segment)
    return groups


def _results_chart(
    m: ParsedMessage, group: list[SegmentView], not_held: Counter[str]
) -> tuple[IncomingChart, IncomingClinician | None]:
    patient = patient_of(group[0], m.facility)
    order = OrderContext(m.facility, m.control_id, m.sent_at, None)
    encounter: IncomingEncounter | None = None
    attending: IncomingClinician | None = None
    results: dict[SourceRef, IncomingObservation] = {}
    for segment in group[1:]:
        if segment.name == "PV1":
            attending = attending_of(segment, m.facility)
            source = attending.source if attending else None
            visit = VisitSegments(segment, group[0], None)
            encounter = encounter_of(visit, m.facility, VisitEvent.CONTEXT, source)
            order = replace(order, visit=visit_of(segment, group[0], m.facility))
        elif segment.name == "OBR":
            placed = segment.text(3) or segment.text(2) or m.control_id
            order = replace(order, order_id=placed, observed_at=segment.instant(7) or m.sent_at)
        elif segment.name == "OBX":
            result = observation_of(segment, order)
            if isinstance(result, str):
                not_held[result] += 1
            elif result.source in results:
                raise Rejected(
                    segment.where(4),
                    "repeats another result of the same order, code and sub-ID (OBX-4)",
                )
            else:
                results[result.source] = result
    chart = IncomingChart(
        patient=patient,
        encounters=(encounter,) if encounter else (),
        observations=tuple(results.values()),
    )
    return chart, attending if encounter else None


def _document_message(m: ParsedMessage) -> Submission:
    pid = m.required("PID", "a document is filed to a patient")
    patient = patient_of(pid, m.facility)
    txa = m.required("TXA", "an MDM^T02 describes its document in TXA")
    pv1 = m.first("PV1")
    visit = visit_of(pv1, pid, m.facility)
    attending = attending_of(pv1, m.facility)
    encounter = None
    if pv1 is not None:
        source = attending.source if attending else None
        segments = VisitSegments(pv1, pid, m.first("EVN"))
        encounter = encounter_of(segments, m.facility, VisitEvent.CONTEXT, source)
    filed = document_of(
        txa,
        m.named("OBX"),
        facility=m.facility,
        control_id=m.control_id,
        sent_at=m.sent_at,
        visit=visit,
    )
    chart = IncomingChart(
        patient=patient,
        encounters=(encounter,) if encounter else (),
        documents=(filed.document,) if filed.document else (),
    )
    people = list(filed.people) + ([attending] if attending and encounter else [])
    return _submission(m, charts=(chart,), clinicians=tuple(people), not_held=filed.not_held)


def _submission(
    m: ParsedMessage,
    *,
    charts: tuple[IncomingChart, ...] = (),
    clinicians: Iterable[IncomingClinician] = (),
    merges: tuple[PatientMergeRequest, ...] = (),
    not_held: Counter[str] | None = None,
) -> Submission:
    return Submission(
        format=SourceFormat.HL7V2,
        label=m.label,
        fingerprint=m.fingerprint,
        charts=charts,
        clinicians=tuple({c.source: c for c in clinicians}.values()),
        merges=merges,
        not_held=tuple(sorted((not_held or Counter()).items())),
        message_type=m.message_type,
        control_id=m.control_id,
    )


_BUILDERS: dict[str, Callable[[ParsedMessage], Submission]] = {
    "ADT^A01": _visit_message(VisitEvent.ADMIT),
    "ADT^A04": _visit_message(VisitEvent.REGISTER),
    "ADT^A03": _visit_message(VisitEvent.DISCHARGE),
    "ADT^A08": _visit_message(VisitEvent.UPDATE),
    "ADT^A40": _merge_message,
    "ORU^R01": _results_message,
    "MDM^T02": _document_message,
}
