"""Reading FHIR R4 JSON from other systems into submissions for the import service.

`read_fhir(content, label)` takes the bytes of one file and yields exactly one item: a
`Submission` holding everything the record keeps (charts grouped by patient, clinicians,
counts of what it does not keep), or a `Rejected` naming where the input is wrong and what was
expected. It is pure: no database, no clock, no network. Three shapes are read:

- a Bundle (https://hl7.org/fhir/R4/bundle.html) of type transaction, batch, collection,
  searchset or document (e.g. Synthea output);
- a single resource, as in the FHIR example files;
- NDJSON (https://hl7.org/fhir/R4/nd-json.html), one resource a line, as Bulk Data exports
  write it: the whole file is one submission.

Places in rejections: "entry N" counts bundle entries from 0, as `Bundle.entry[N]` does;
"line N" counts NDJSON lines from 1, as editors do.

Why no `fhir.resources` model validation: validating each mapped resource with the R4B models
cost 1.9 to 3.1 s for the 20,208 mapped resources of the 100 shared Synthea bundles (95 to
155 µs each, as the machine's load varied), while this reader parses and maps all 28,332
resources in about 0.7 s (40,000 resources/s). The whole import of the 100 bundles takes
3.6 s (7,800 resources/s, `bench/fhir_import.py`); with validation it would take 5.5 to 6.7 s,
4,200 to 5,100 resources/s: at best on the 5,000 target, with no margin. So the reader checks
the type of every field it reads instead.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

import orjson

from himdesk.domain.incoming import Rejected, SourceFormat, Submission, shortened
from himdesk.interop.fhir.fhir_values import Json
from himdesk.interop.fhir.inbound_charts import filed, indexed
from himdesk.interop.fhir.inbound_references import Reading

ACCEPTED_BUNDLES = ("transaction", "batch", "collection", "searchset", "document")
_BOM = b"\xef\xbb\xbf"
_NDJSON_SUFFIXES = (".ndjson", ".jsonl")
# https://hl7.org/fhir/R4/resourcelist.html (FHIR 4.0.1)
R4_RESOURCE_TYPES = frozenset({
    "Account", "ActivityDefinition", "AdverseEvent", "AllergyIntolerance", "Appointment",
    "AppointmentResponse", "AuditEvent", "Basic", "Binary", "BiologicallyDerivedProduct",
    "BodyStructure", "Bundle", "CapabilityStatement", "CarePlan", "CareTeam", "CatalogEntry",
    "ChargeItem", "ChargeItemDefinition", "Claim", "ClaimResponse", "ClinicalImpression",
    "CodeSystem", "Communication", "CommunicationRequest", "CompartmentDefinition", "Composition",
    "ConceptMap", "Condition", "Consent", "Contract", "Coverage", "CoverageEligibilityRequest",
    "CoverageEligibilityResponse", "DetectedIssue", "Device", "DeviceDefinition", "DeviceMetric",
    "DeviceRequest", "DeviceUseStatement", "DiagnosticReport", "DocumentManifest",
    "DocumentReference", "EffectEvidenceSynthesis", "Encounter", "Endpoint", "EnrollmentRequest",
    "EnrollmentResponse", "EpisodeOfCare", "EventDefinition", "Evidence", "EvidenceVariable",
    "ExampleScenario", "ExplanationOfBenefit", "FamilyMemberHistory", "Flag", "Goal",
    "GraphDefinition", "Group", "GuidanceResponse", "HealthcareService", "ImagingStudy",
    "Immunization", "ImmunizationEvaluation", "ImmunizationRecommendation", "ImplementationGuide",
    "InsurancePlan", "Invoice", "Library", "Linkage", "List", "Location", "Measure",
    "MeasureReport", "Media", "Medication", "MedicationAdministration", "MedicationDispense",
    "MedicationKnowledge", "MedicationRequest", "MedicationStatement", "MedicinalProduct",
    "MedicinalProductAuthorization", "MedicinalProductContraindication",
    "MedicinalProductIndication", "MedicinalProductIngredient", "MedicinalProductInteraction",
    "MedicinalProductManufactured", "MedicinalProductPackaged", "MedicinalProductPharmaceutical",
    "MedicinalProductUndesirableEffect", "MessageDefinition", "MessageHeader",
    "MolecularSequence", "NamingSystem", "NutritionOrder", "Observation", "ObservationDefinition",
    "OperationDefinition", "OperationOutcome", "Organization", "OrganizationAffiliation",
    "Parameters", "Patient", "PaymentNotice", "PaymentReconciliation", "Person", "PlanDefinition",
    "Practitioner", "PractitionerRole", "Procedure", "Provenance", "Questionnaire",
    "QuestionnaireResponse", "RelatedPerson", "RequestGroup", "ResearchDefinition",
    "ResearchElementDefinition", "ResearchStudy", "ResearchSubject", "RiskAssessment",
    "RiskEvidenceSynthesis", "Schedule", "SearchParameter", "ServiceRequest", "Slot", "Specimen",
    "SpecimenDefinition", "StructureDefinition", "StructureMap", "Subscription", "Substance",
    "SubstanceNucleicAcid", "SubstancePolymer", "SubstanceProtein",
    "SubstanceReferenceInformation", "SubstanceSourceMaterial", "SubstanceSpecification",
    "SupplyDelivery", "SupplyRequest", "Task", "TerminologyCapabilities", "TestReport",
    "TestScript", "ValueSet", "VerificationResult", "VisionPrescription",
})  # fmt: skip

UNEXPECTED = "could not be read: its structure is not one this reader knows"
Entry = tuple[str, Json, str]  # (place, resource, fullUrl)


def read_fhir(content: bytes, label: str) -> Iterator[Submission | Rejected]:
    """One Submission for the file (bundle, resource or NDJSON), or one Rejected saying why."""
    try:
        with _collector_paused():
            submission = _submission(content, label)
        yield submission
    except Rejected as rejected:
        yield rejected
    except (RecursionError, MemoryError):
        yield Rejected("", "is nested too deeply or too large to read")
    except Exception:  # a reader bug must still give the sender a clean rejection, not a crash
        yield Rejected("", UNEXPECTED)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while one input is read.

    Parsed JSON and the records made from it hold no reference cycles, yet the collector
    scans the growing tree again and again while it is built: about a third of the reading
    time on the Synthea bundles. Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _submission(content: bytes, label: str) -> Submission:
    fingerprint = hashlib.sha256(content).hexdigest()
    body = content.removeprefix(_BOM)
    if label.lower().endswith(_NDJSON_SUFFIXES):
        entries, message_type, control_id = _ndjson(body), "NDJSON", ""
    else:
        entries, message_type, control_id = _json_document(body)
    reading = Reading()
    result = filed(indexed(entries, reading, fingerprint[:16]), reading)
    return Submission(
        format=SourceFormat.FHIR,
        label=label,
        fingerprint=fingerprint,
        charts=result.charts,
        clinicians=result.clinicians,
        not_held=result.not_held,
        message_type=message_type,
        control_id=shortened(control_id, 100),
    )


def _json_document(body: bytes) -> tuple[list[Entry], str, str]:
    """A Bundle or a single resource; NDJSON too when the first line is a resource of its own."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        first_line = body.split(b"\n", 1)[0]
        if first_line.strip().startswith(b"{") and _is_object(first_line):
            return _ndjson(body), "NDJSON", ""
        raise Rejected(
            f"line {error.lineno}, column {error.colno}", f"is not well-formed JSON: {error.msg}"
        ) from None
    resource = _resource(parsed, "")
    if resource["resourceType"] != "Bundle":
        return [("", resource, "")], resource["resourceType"], _text(resource.get("id"))
    bundle_type = resource.get("type")
    if bundle_type not in ACCEPTED_BUNDLES:
        raise Rejected(
            "Bundle.type",
            f"expected one of {', '.join(ACCEPTED_BUNDLES)}, found {bundle_type!r}",
        )
    return _bundle_entries(resource), f"Bundle/{bundle_type}", _text(resource.get("id"))


def _is_object(line: bytes) -> bool:
    try:
        return type(orjson.loads(line)) is dict
    except orjson.JSONDecodeError:
        return False


def _bundle_entries(bundle: Json) -> list[Entry]:
    entries = bundle.get("entry")
    if entries is None:
        return []
    if type(entries) is not list:
        raise Rejected("Bundle.entry", "expected an array of entries")
    found: list[Entry] = []
    for index, entry in enumerate(entries):
        place = f"entry {index}"
        if type(entry) is not dict:
            raise Rejected(place, "expected an object")
        if entry.get("resource") is None:
            raise Rejected(place, f"has no resource{_request_of(entry)}; expected one to import")
        full_url = entry.get("fullUrl", "")
        if type(full_url) is not str:
            raise Rejected(f"{place} fullUrl", "expected a string")
        found.append((place, _resource(entry["resource"], place), full_url.strip()))
    return found


def _request_of(entry: Json) -> str:
    request = entry.get("request")
    if type(request) is not dict:
        return ""
    method, url = request.get("method"), request.get("url")
    if type(method) is str and type(url) is str:
        return f" (it asks {shortened(method, 10)} {shortened(url, 80)})"
    return ""


def _ndjson(body: bytes) -> list[Entry]:
    entries: list[Entry] = []
    for number, line in enumerate(body.split(b"\n"), start=1):
        if not line.strip():
            continue
        place = f"line {number}"
        try:
            parsed = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            raise Rejected(
                f"{place}, column {error.colno}", f"is not well-formed JSON: {error.msg}"
            ) from None
        entries.append((place, _resource(parsed, place), ""))
    if not entries:
        raise Rejected("", "holds no resources: every line is blank")
    return entries


def _resource(parsed: object, place: str) -> Json:
    """A JSON object with a FHIR R4 resourceType, or a rejection saying what it is instead."""
    where = f"{place} resource" if place.startswith("entry") else place
    if type(parsed) is not dict:
        raise Rejected(where, "expected a FHIR resource: a JSON object with a resourceType")
    kind = parsed.get("resourceType")
    if type(kind) is not str:
        raise Rejected(f"{where} resourceType".strip(), "is missing; expected a FHIR resource type")
    if kind not in R4_RESOURCE_TYPES:
        raise Rejected(f"{where} resourceType".strip(), f"{kind!r} is not a FHIR R4 resource type")
    return parsed


def _text(value: object) -> str:
    """A resource's id as the control id: kept only when it is printable text."""
    return value if type(value) is str and value.isprintable() else ""
