"""Resolving FHIR references within one input, and what the reader learns while mapping it.

Every reference becomes `SourceRef("urn:fhir", "<Type>/<id>")`, whatever form the sender used:
a bundle entry's `fullUrl` (`urn:uuid:…` or an absolute URL), a relative `Patient/123`, an
absolute URL ending in `Type/id` (with or without `_history`), or `#id` for a contained
resource (`<Type>/<container id>#<id>`). https://hl7.org/fhir/R4/references.html
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from himdesk.domain.incoming import IncomingClinician, SourceRef
from himdesk.interop.fhir.fhir_values import (
    FHIR,
    Json,
    Located,
    joined,
    object_of,
    objects_of,
    text_of,
    wrong,
)
from himdesk.interop.fhir.inbound_people import clinician_from_display, map_practitioner

# https://hl7.org/fhir/R4/references.html#literal : [base]/Type/id[/_history/version]
_LITERAL = re.compile(
    r"(?:.*/)?([A-Z][A-Za-z]{1,63})/([A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]{1,64})?"
)
_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


class Target:
    """What a reference points at; `resource` when the input itself holds it."""

    __slots__ = ("kind", "resource", "resource_id", "source")

    def __init__(self, kind: str, resource_id: str, resource: Json | None = None) -> None:
        self.kind = kind
        self.resource_id = resource_id
        self.resource = resource
        self.source = SourceRef(FHIR, f"{kind}/{resource_id}")


def identity(resource: Json, full_url: str, fallback: str, at: Located) -> str:
    """The id a resource is filed under: its `id`, else the one its fullUrl gives it."""
    value = resource.get("id")
    if value is not None:
        if type(value) is not str:
            wrong(at, "id", "a string", value)
        if _ID.fullmatch(value) is None:
            at.reject("id", "expected a FHIR id (1 to 64 letters, digits, '-' or '.')")
        return value
    if full_url.startswith("urn:uuid:") and _ID.fullmatch(full_url[9:]):
        return full_url[9:]
    literal = _LITERAL.fullmatch(full_url)
    return literal.group(2) if literal else fallback


class BundleIndex:
    """Every resource of the input, reachable by fullUrl and by `Type/id`."""

    def __init__(self) -> None:
        self._targets: dict[str, Target] = {}

    def add(self, target: Target, full_url: str) -> None:
        if full_url:
            self._targets[full_url] = target
        self._targets.setdefault(f"{target.kind}/{target.resource_id}", target)

    def find(self, reference: str) -> Target | None:
        return self._targets.get(reference)


@dataclass
class Reading:
    """What mapping one bundle (or NDJSON file) gathers besides the charts."""

    index: BundleIndex = field(default_factory=BundleIndex)
    clinicians: dict[SourceRef, IncomingClinician] = field(default_factory=dict)
    not_held: Counter[str] = field(default_factory=Counter)
    absorbed: set[int] = field(default_factory=set)  # id() of resources filed inside others
    encounter_starts: dict[SourceRef, datetime] = field(default_factory=dict)
    # Conditions an Encounter ranks first (Encounter.diagnosis.rank 1): principal diagnoses.
    principal_conditions: set[SourceRef] = field(default_factory=set)
    # Observation -> the DiagnosticReport or panel Observation listing it, whose time and
    # encounter a result inherits when it leaves them out.
    parents: dict[SourceRef, Located] = field(default_factory=dict)

    def resolve(self, reference: Json, at: Located, path: str, expected: str = "") -> Target | None:
        """The target of a Reference object; None when it names no resource (display only)."""
        literal = text_of(reference, "reference", at, path)
        if not literal:
            return None
        where = joined(path, "reference")
        if literal.startswith("#"):
            return _contained(literal[1:], at, where)
        found = self.index.find(literal) or self.index.find(literal.split("/_history/")[0])
        if found:
            return found
        match = _LITERAL.fullmatch(literal)
        if match:
            return self.index.find(f"{match[1]}/{match[2]}") or Target(match[1], match[2])
        kind = text_of(reference, "type", at, path) or expected
        if literal.startswith("urn:uuid:") and kind and _ID.fullmatch(literal[9:]):
            return Target(kind, literal[9:])
        at.reject(
            where, f"expected Type/id, an absolute URL, a bundle entry or #id, found {literal!r}"
        )

    def reference_of(self, at: Located, key: str, expected: str) -> Target | None:
        reference = object_of(at.resource, key, at)
        return None if reference is None else self.resolve(reference, at, key, expected)

    def patient_of(self, at: Located, key: str = "subject") -> SourceRef | None:
        target = self.reference_of(at, key, "Patient")
        return target.source if target and target.kind == "Patient" else None

    def encounter_of(self, at: Located, key: str = "encounter") -> SourceRef | None:
        target = self.reference_of(at, key, "Encounter")
        return target.source if target and target.kind == "Encounter" else None

    def encounter_in(self, reference: Json, at: Located, path: str) -> SourceRef | None:
        target = self.resolve(reference, at, path, "Encounter")
        return target.source if target and target.kind == "Encounter" else None

    def resource_of(self, reference: Json, at: Located, path: str, kind: str) -> Json | None:
        """The input's own resource of `kind` a reference names (a Medication, a Binary)."""
        target = self.resolve(reference, at, path, kind)
        if target is None or target.kind != kind or target.resource is None:
            return None
        self.absorbed.add(id(target.resource))
        return target.resource

    def held(self, url: str, kind: str) -> Json | None:
        """The input's resource of `kind` at a plain URL (an attachment's url), if it holds one."""
        target = self.index.find(url)
        match = None if target else _LITERAL.fullmatch(url)
        if match:
            target = self.index.find(f"{match[1]}/{match[2]}")
        if target is None or target.kind != kind or target.resource is None:
            return None
        self.absorbed.add(id(target.resource))
        return target.resource

    def clinician_of(self, reference: Any, at: Located, path: str) -> SourceRef | None:
        """A Practitioner reference as a clinician the submission carries, or None.

        A Practitioner the input holds is mapped on its own (or here, when contained); one it
        does not hold becomes a clinician from the reference's display ("Dr. Jane Doe"), and
        without a display the reference is left out rather than left for the import to refuse.
        """
        if type(reference) is not dict:
            wrong(at, path, "a Reference object", reference)
        target = self.resolve(reference, at, path, "Practitioner")
        if target is not None and target.kind == "PractitionerRole" and target.resource:
            path = f"{path} -> PractitionerRole"
            inner = object_of(target.resource, "practitioner", at, path)
            reference, path = inner or {}, f"{path}.practitioner"
            target = None if inner is None else self.resolve(inner, at, path, "Practitioner")
        if target is None or target.kind != "Practitioner":
            return None
        if target.resource is not None:
            if "#" in target.resource_id and target.source not in self.clinicians:
                contained = Located(target.resource, "Practitioner", target.resource_id, at.place)
                self.clinicians[target.source] = map_practitioner(contained)
            return target.source
        if target.source in self.clinicians:
            return target.source
        known = clinician_from_display(text_of(reference, "display", at, path), target.source)
        if known is None:
            return None
        self.clinicians[target.source] = known
        return target.source

    def first_clinician(
        self, items: list[Json], key: str, at: Located, path: str
    ) -> SourceRef | None:
        """The first clinician among elements holding a reference at `key` (performer.actor)."""
        for index, item in enumerate(items):
            reference = item.get(key)
            if reference is not None:
                found = self.clinician_of(reference, at, f"{path}[{index}].{key}")
                if found:
                    return found
        return None

    def first_in(self, references: list[Json], at: Located, path: str) -> SourceRef | None:
        """The first clinician in a list of references (DocumentReference.author)."""
        for index, reference in enumerate(references):
            found = self.clinician_of(reference, at, f"{path}[{index}]")
            if found:
                return found
        return None


def _contained(local_id: str, at: Located, where: str) -> Target:
    for index, resource in enumerate(objects_of(at.resource, "contained", at)):
        if resource.get("id") == local_id:
            kind = text_of(resource, "resourceType", at, f"contained[{index}]")
            return Target(kind, f"{at.resource_id}#{local_id}", resource)
    at.reject(where, f"names #{local_id}, which is not among the contained resources")
