"""Filing the resources of one input into charts, one per patient, and counting the rest.

Two passes: the first indexes every resource the reader maps or follows by fullUrl and
`Type/id` (references may point forward) and counts the rest; the second maps patients,
practitioners and encounters first (other parts refer to them), then everything else in
input order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from himdesk.domain.incoming import (
    IncomingAllergy,
    IncomingChart,
    IncomingClinician,
    IncomingDiagnosis,
    IncomingDocument,
    IncomingEncounter,
    IncomingMedication,
    IncomingObservation,
    IncomingPatient,
    IncomingProcedure,
    SourceRef,
)
from himdesk.interop.fhir.fhir_values import Json, Located
from himdesk.interop.fhir.inbound_clinical import (
    map_allergy,
    map_condition,
    map_encounter,
    map_procedure,
)
from himdesk.interop.fhir.inbound_documents import map_diagnostic_report, map_document_reference
from himdesk.interop.fhir.inbound_medications import (
    map_medication_request,
    map_medication_statement,
)
from himdesk.interop.fhir.inbound_people import map_patient, map_practitioner
from himdesk.interop.fhir.inbound_references import Reading, Target, identity
from himdesk.interop.fhir.inbound_results import map_observation, note_parents

Part = (
    IncomingEncounter
    | IncomingDocument
    | IncomingObservation
    | IncomingDiagnosis
    | IncomingProcedure
    | IncomingMedication
    | IncomingAllergy
)
Mapper = Callable[[Located, Reading], Part | Sequence[Part] | None]

# resource type -> (the element naming its patient, mapper)
_MAPPERS: dict[str, tuple[str, Mapper]] = {
    "Encounter": ("subject", map_encounter),
    "Condition": ("subject", map_condition),
    "Procedure": ("subject", map_procedure),
    "Observation": ("subject", map_observation),
    "MedicationRequest": ("subject", map_medication_request),
    "MedicationStatement": ("subject", map_medication_statement),
    "AllergyIntolerance": ("patient", map_allergy),
    "DocumentReference": ("subject", map_document_reference),
    "DiagnosticReport": ("subject", map_diagnostic_report),
}
MAPPED = frozenset({"Patient", "Practitioner", *_MAPPERS})
_FIRST = {"Patient": 0, "Practitioner": 0, "Encounter": 1}
# What the mapped resources may refer to and the reader follows; all else is counted at once.
_REFERRED_TO = MAPPED | {"PractitionerRole", "Medication", "Binary"}


_LISTS = {
    IncomingEncounter: "encounters",
    IncomingDocument: "documents",
    IncomingObservation: "observations",
    IncomingDiagnosis: "diagnoses",
    IncomingProcedure: "procedures",
    IncomingMedication: "medications",
    IncomingAllergy: "allergies",
}


@dataclass
class _Chart:
    patient: IncomingPatient | None = None
    encounters: list[IncomingEncounter] = field(default_factory=list)
    documents: list[IncomingDocument] = field(default_factory=list)
    observations: list[IncomingObservation] = field(default_factory=list)
    diagnoses: list[IncomingDiagnosis] = field(default_factory=list)
    procedures: list[IncomingProcedure] = field(default_factory=list)
    medications: list[IncomingMedication] = field(default_factory=list)
    allergies: list[IncomingAllergy] = field(default_factory=list)

    def add(self, part: Part) -> None:
        getattr(self, _LISTS[type(part)]).append(part)

    def built(self, reference: SourceRef) -> IncomingChart:
        return IncomingChart(
            patient=self.patient or reference,
            encounters=tuple(self.encounters),
            documents=tuple(self.documents),
            observations=tuple(self.observations),
            diagnoses=tuple(self.diagnoses),
            procedures=tuple(self.procedures),
            medications=tuple(self.medications),
            allergies=tuple(self.allergies),
        )


@dataclass(frozen=True)
class Filed:
    charts: tuple[IncomingChart, ...]
    clinicians: tuple[IncomingClinician, ...]
    not_held: tuple[tuple[str, int], ...]


def indexed(
    entries: Sequence[tuple[str, Json, str]], reading: Reading, fallback: str
) -> list[Located]:
    """Pass one: each (place, resource, fullUrl) the reader may map or follow located,
    identified and indexed; resources of other types are counted as not held right away.

    A resource without an id or fullUrl is filed under `<fallback>-<position>` (the input's
    fingerprint), so the same bytes always give the same identity.
    """
    located: list[Located] = []
    seen: dict[SourceRef, str] = {}
    for position, (place, resource, full_url) in enumerate(entries):
        kind = resource["resourceType"]
        if kind not in _REFERRED_TO:  # a Claim, a CarePlan: only counted, never looked up
            reading.not_held[kind] += 1
            continue
        at = Located(resource, kind, "", place)
        at.identify(identity(resource, full_url, f"{fallback}-{position}", at))
        if kind in MAPPED:
            if at.source in seen:
                at.reject("", f"appears twice in the input (also {seen[at.source] or 'above'})")
            seen[at.source] = place
        reading.index.add(Target(kind, at.resource_id, resource), full_url)
        located.append(at)
    return located


def filed(located: list[Located], reading: Reading) -> Filed:
    """Pass two: map what the record holds into charts; count what it does not."""
    charts: dict[SourceRef, _Chart] = {}
    unmapped: list[Located] = []
    note_parents(located, reading)
    for at in sorted(located, key=lambda a: _FIRST.get(a.kind, 2)):
        if at.kind not in MAPPED:
            unmapped.append(at)
        elif _entered_in_error(at.resource):
            reading.not_held[f"{at.kind} entered in error"] += 1
        elif at.kind == "Patient":
            charts.setdefault(at.source, _Chart()).patient = map_patient(at)
        elif at.kind == "Practitioner":
            reading.clinicians[at.source] = map_practitioner(at)
        else:
            _file_part(at, reading, charts)
    for at in unmapped:
        if id(at.resource) not in reading.absorbed:
            reading.not_held[at.kind] += 1
    return Filed(
        charts=tuple(chart.built(reference) for reference, chart in charts.items()),
        clinicians=tuple(reading.clinicians.values()),
        not_held=tuple(sorted(reading.not_held.items())),
    )


def _file_part(at: Located, reading: Reading, charts: dict[SourceRef, _Chart]) -> None:
    key, mapper = _MAPPERS[at.kind]
    subject = reading.reference_of(at, key, "Patient")
    if subject is None:
        reading.not_held[f"{at.kind} without a patient"] += 1
        return
    if subject.kind != "Patient":
        reading.not_held[f"{at.kind} about a {subject.kind}"] += 1
        return
    mapped = mapper(at, reading)
    parts = () if mapped is None else mapped if isinstance(mapped, Sequence) else (mapped,)
    if not parts:
        return
    chart = charts.setdefault(subject.source, _Chart())
    if chart.patient is None and subject.resource is not None and "#" in subject.resource_id:
        # A patient contained in the resource itself: https://hl7.org/fhir/R4/references.html#contained
        contained = Located(subject.resource, "Patient", subject.resource_id, at.place)
        chart.patient = map_patient(contained)
    for part in parts:
        chart.add(part)


def _entered_in_error(resource: Json) -> bool:
    return "entered-in-error" in (resource.get("status"), resource.get("docStatus"))
