"""Round trip: shared samples in, EHI export out, into a fresh database, out again.

The two exports must be equal once database ids are normalised, and every field the record
holds must be in the first export as the source gave it (checked against the source JSON).
"""

from __future__ import annotations

import base64
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from himdesk.bootstrap import Himdesk
from himdesk.cli.export_commands import package_bundle
from himdesk.config import Settings
from himdesk.domain.access import Actor, Role
from himdesk.domain.identifiers import normalize_ssn
from himdesk.domain.incoming import Rejected
from himdesk.domain.records import ClinicalDocument, Diagnosis, DocumentType, Procedure
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.interop.formats import read_submissions
from himdesk.services.access_control import request_access
from himdesk.services.bulk_export import record_for_export
from himdesk.services.imports import import_submission
from himdesk.services.record_exchange import whole_record
from tests.conftest import _admin_sql, _with_database
from tests.fakes import T0, ChartBuilder, FakeClock

Json = dict[str, Any]
MANAGER = Actor(user_id=0, username="cli:round-trip", role=Role.HIM_MANAGER)
BASE = "https://a.example/fhir/R4"
SYNTHEA = 3  # the first bundles by name; two of them are checked field by field
EXAMPLES = (
    "Patient-example.json", "Practitioner-example.json", "Encounter-home.json",
    "Encounter-emerg.json", "Condition-example.json", "Condition-stroke.json",
    "Observation-body-height.json", "Observation-heart-rate.json", "Procedure-example.json",
    "AllergyIntolerance-example.json", "AllergyIntolerance-medication.json",
)  # fmt: skip
HL7 = ("MDM-T02-03.hl7", "ORU-R01-01.hl7", "ADT-A01-01.hl7")
CCDA = "ccda/hl7_ccda_examples/Documents/Discharge Summary/Discharge_Summary.xml"
USPS = {"Massachusetts": "MA"}  # the Synthea patients' state, as the record keeps it


@pytest.fixture
def receiving(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock
) -> Iterator[Himdesk]:
    """A second, fresh database on the same backend: the system the export goes to."""
    name = ""
    if backend == "sqlite":
        path = tmp_path / "receiving.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        name = f"himdesk_test_{uuid.uuid4().hex[:12]}"
        _admin_sql(
            f'CREATE DATABASE "{name}" TEMPLATE "{request.getfixturevalue("postgres_template")}"'
        )
        url = _with_database(name)
    app = Himdesk(Settings(database_url=url, demo_mode=True), clock=clock)
    yield app
    app.close()
    if name:
        _admin_sql(f'DROP DATABASE "{name}" WITH (FORCE)')


def _import(himdesk: Himdesk, content: bytes, label: str) -> list[int]:
    patients = []
    for item in read_submissions(content, label):
        assert not isinstance(item, Rejected), f"{label}: {item}"
        with himdesk.unit_of_work() as uow:
            outcome = import_submission(uow, MANAGER, item)
        assert outcome.status in ("imported", "unchanged"), (label, outcome)
        patients += outcome.patient_ids
    return patients


def _export(himdesk: Himdesk, patient_id: int) -> Json:
    with himdesk.unit_of_work() as uow:
        mrn = uow.patients.get(patient_id).mrn
        record = record_for_export(uow, MANAGER, mrn)
    return package_bundle(record, BASE, "2026-11-02T14:30:00Z")


def _synthea(shared_data: Path) -> list[Path]:
    return sorted((shared_data / "synthea_fhir_r4/bundles").glob("*.json"))[:SYNTHEA]


def _samples(shared_data: Path) -> list[Path]:
    examples = [shared_data / "fhir_r4_examples" / name for name in EXAMPLES]
    hl7 = [shared_data / "hl7v2/microsoft_fhir_converter/messages" / name for name in HL7]
    return [*_synthea(shared_data), *examples, *hl7, shared_data / CCDA]


def test_an_export_imported_elsewhere_exports_the_same_record(
    himdesk: Himdesk, receiving: Himdesk, shared_data: Path
) -> None:
    patients: list[int] = []
    for path in _samples(shared_data):
        patients += _import(himdesk, path.read_bytes(), path.name)
    assert len(set(patients)) >= SYNTHEA + 4  # Synthea, the example patient, HL7, C-CDA
    changed: list[str] = []
    for patient_id in dict.fromkeys(patients):
        first = _export(himdesk, patient_id)
        (again,) = dict.fromkeys(_import(receiving, orjson.dumps(first), f"patient {patient_id}"))
        second = _export(receiving, again)
        changed += _differences(_normalised(first), _normalised(second))
        # The sending hospital's MRN travels as an identifier of the received patient.
        sent_mrn = _identifiers(first)[0]
        assert sent_mrn in _identifiers(second)
    assert changed == [], "\n".join(changed)


def _qualified_chart(himdesk: Himdesk) -> int:
    """A stay whose parts carry every qualifier the record holds: sides, a principal diagnosis,
    tissue sent to pathology, a resident's co-signed note, a note signed by someone other than
    its author, and a document under each sensitivity label."""
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        attending, resident = build.clinician(), build.clinician("Ngata", resident=True, npi="")
        patient = build.patient()
        stay = build.inpatient_stay(patient, attending)
        pid, eid, aid = patient.id or 0, stay.id, attending.id
        uow.chart.add_diagnosis(Diagnosis(pid, eid, "Osteoarthritis of left knee", aid, T0,
                                          is_principal=True, laterality="left"))  # fmt: skip
        uow.chart.add_diagnosis(Diagnosis(pid, eid, "Knee effusion", aid, T0, laterality="both"))
        uow.chart.add_procedure(Procedure(pid, eid, "Left total knee arthroplasty", aid, T0,
                                          laterality="left", tissue_removed=True))  # fmt: skip
        uow.chart.add_procedure(Procedure(pid, eid, "Knee X-ray", None, T0, laterality="R"))
        resident_note = build.document(patient, stay, resident, DocumentType.PROGRESS_NOTE)
        resident_note.requires_cosignature, resident_note.cosigned_by_id = True, aid
        resident_note.cosigned_at = T0
        uow.chart.update_document(resident_note)
        awaiting = build.document(patient, stay, resident, DocumentType.HISTORY_AND_PHYSICAL)
        awaiting.requires_cosignature, awaiting.signed_by_id = True, aid
        uow.chart.update_document(awaiting)
        for label in SensitiveCategory:
            build.document(patient, stay, attending, DocumentType.CONSULTATION,
                           text=f"Counselling ({label.value}).", sensitivity=label)  # fmt: skip
        uow.commit()
    return pid


def _qualifiers(document: ClinicalDocument, named: dict[int | None, str]) -> tuple[Any, ...]:
    d = document
    return (d.document_type, d.text, named.get(d.author_id), named.get(d.signed_by_id),
            d.signed_at, d.requires_cosignature, named.get(d.cosigned_by_id), d.cosigned_at,
            d.sensitivity)  # fmt: skip


def test_every_qualifier_and_label_survives_export_and_import_elsewhere(
    himdesk: Himdesk, receiving: Himdesk
) -> None:
    patient_id = _qualified_chart(himdesk)
    with himdesk.unit_of_work() as uow:  # labelled documents leave only under a grant
        request_access(uow, MANAGER, patient_id, "Transfer of care to the receiving hospital")
        sent = uow.records.whole_record(patient_id)
    first = _export(himdesk, patient_id)
    (received_id,) = dict.fromkeys(_import(receiving, orjson.dumps(first), "qualified.json"))
    with receiving.unit_of_work() as uow:
        request_access(uow, MANAGER, received_id, "Filing the record received on transfer")
        back = uow.records.whole_record(received_id)
    assert _differences(_normalised(first), _normalised(_export(receiving, received_id))) == []
    side = lambda parts: [(p.description, p.laterality) for p in parts]  # noqa: E731
    assert side(back.diagnoses) == side(sent.diagnoses)
    assert [d.is_principal for d in back.diagnoses] == [True, False]
    assert side(back.procedures) == side(sent.procedures)
    assert [p.tissue_removed for p in back.procedures] == [True, False]
    names = lambda record: {c.id: c.family_name for c in record.clinicians}  # noqa: E731
    residents = lambda record: {c.family_name: c.is_resident for c in record.clinicians}  # noqa: E731
    assert residents(back) == residents(sent) == {"Osler": False, "Ngata": True}
    assert sorted(_qualifiers(d, names(back)) for d in back.documents) == sorted(
        _qualifiers(d, names(sent)) for d in sent.documents
    )


def test_a_received_labelled_document_is_withheld_from_whoever_holds_no_grant(
    himdesk: Himdesk, receiving: Himdesk
) -> None:
    patient_id = _qualified_chart(himdesk)
    with himdesk.unit_of_work() as uow:
        request_access(uow, MANAGER, patient_id, "Transfer of care to the receiving hospital")
    first = _export(himdesk, patient_id)
    labels = [r.get("meta", {}).get("security", [{}])[-1].get("code")
              for r in Found(first)["DocumentReference"]]  # fmt: skip
    assert sorted(c for c in labels if c) == ["BH", "CEL", "EMP", "ETH", "HIV", "SEX"]
    (received_id,) = dict.fromkeys(_import(receiving, orjson.dumps(first), "qualified.json"))
    coder = Actor(user_id=77, username="cora", role=Role.CODER)
    with receiving.unit_of_work() as uow:
        seen = whole_record(uow, coder, received_id).documents
    assert [d.sensitivity for d in seen] == [None, None]
    unlabelled = _export(receiving, received_id)["entry"]
    assert not any("security" in e["resource"].get("meta", {}) for e in unlabelled)


def _differences(first: list[Json], second: list[Json]) -> list[str]:
    """Each element that changed on the way round: "Type.element: before -> after"."""
    if len(first) != len(second):
        kinds = (
            Counter(r["resourceType"] for r in first),
            Counter(r["resourceType"] for r in second),
        )
        return [f"resources: {dict(kinds[0])} -> {dict(kinds[1])}"]
    found = []
    for before, after in zip(first, second, strict=True):
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                found.append(
                    f"{before['resourceType']}.{key}: {before.get(key)} -> {after.get(key)}"
                )
    return found


def _identifiers(bundle: Json) -> list[tuple[str, str]]:
    patient = bundle["entry"][0]["resource"]
    return [(i.get("system", ""), i["value"]) for i in patient["identifier"]]


def _normalised(bundle: Json) -> list[Json]:
    """The resources with database ids replaced by their order within their type, and the
    MRNs each hospital assigns left out (they differ by design)."""
    canonical: dict[str, str] = {}
    per_type: Counter[str] = Counter()
    for entry in bundle["entry"]:
        kind, rid = entry["resource"]["resourceType"], entry["resource"]["id"]
        per_type[kind] += 1
        canonical[f"{kind}/{rid}"] = f"{kind}/#{per_type[kind]}"
    resources = []
    for entry in bundle["entry"]:
        resource = _renamed(entry["resource"], canonical)
        resource.pop("id")
        if resource["resourceType"] == "Patient":
            ids = {orjson.dumps(i, option=orjson.OPT_SORT_KEYS) for i in resource["identifier"]
                   if not i.get("system", "").startswith("urn:himdesk:mrn:")}  # fmt: skip
            resource["identifier"] = sorted(ids)
        resources.append(resource)
    return resources


def _renamed(value: Any, canonical: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _renamed(v, canonical) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, canonical) for v in value]
    if isinstance(value, str):
        return canonical.get(value.removeprefix(f"{BASE}/"), value)
    return value


# --- every held field of the source is in the first export ---------------------------------


class Found:
    """A bundle's resources by type, and by reference (fullUrl, Type/id, urn:uuid)."""

    def __init__(self, bundle: Json) -> None:
        self.by_ref: dict[str, Json] = {}
        self.by_type: dict[str, list[Json]] = {}
        for entry in bundle["entry"]:
            r = entry["resource"]
            self.by_type.setdefault(r["resourceType"], []).append(r)
            for key in (entry.get("fullUrl", ""), f"{r['resourceType']}/{r.get('id')}"):
                self.by_ref[key] = r

    def __getitem__(self, kind: str) -> list[Json]:
        return self.by_type.get(kind, [])

    def npi(self, reference: Json | None) -> str | None:
        if not reference:
            return None
        practitioner = self.by_ref[reference["reference"].removeprefix(f"{BASE}/")]
        return next(i["value"] for i in practitioner["identifier"] if "npi" in i["system"])


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _code(concept: Json) -> tuple[str, str, str]:
    coding = concept["coding"][0]
    return coding.get("system", ""), coding["code"], concept.get("text", "")


@pytest.mark.parametrize("which", [0, 1])
def test_every_held_field_of_a_synthea_patient_is_in_the_export(
    himdesk: Himdesk, shared_data: Path, which: int
) -> None:
    path = _synthea(shared_data)[which]
    (patient_id,) = _import(himdesk, path.read_bytes(), path.name)
    source, exported = Found(orjson.loads(path.read_bytes())), Found(_export(himdesk, patient_id))
    _same_demographics(source["Patient"][0], exported["Patient"][0])
    _same_encounters(source, exported)
    assert _results(source) <= _results(exported)  # results without a number are not held
    for kind, held in HELD_FIELDS.items():
        kept = [r for r in source[kind] if _confirmed(r)]
        assert Counter(map(held, kept)) == Counter(map(held, exported[kind])), kind


def _confirmed(resource: Json) -> bool:
    status = resource.get("verificationStatus", {}).get("coding", [{}])[0].get("code")
    return status not in ("refuted", "entered-in-error")


def _performed(procedure: Json) -> datetime:
    return _at(procedure.get("performedDateTime") or procedure["performedPeriod"]["start"])


# What the record holds of each resource, read the same way from the source and the export.
HELD_FIELDS: dict[str, Any] = {
    "Condition": lambda c: (_code(c["code"]), _at(c["recordedDate"])),
    "Procedure": lambda p: (_code(p["code"]), _performed(p)),
    "MedicationRequest": lambda m: (_code(m["medicationCodeableConcept"]), m["authoredOn"][:10]),
    "AllergyIntolerance": lambda a: (_code(a["code"]), a["recordedDate"][:10]),
}


def _same_demographics(source: Json, exported: Json) -> None:
    name, out = source["name"][0], exported["name"][0]
    assert (out["family"], out["given"][0]) == (name["family"], name["given"][0])
    assert (exported["birthDate"], exported["gender"]) == (source["birthDate"], source["gender"])
    address, out_address = source["address"][0], exported["address"][0]
    for key in ("city", "postalCode"):
        assert out_address[key] == address[key]
    assert out_address["state"] == USPS.get(address["state"], address["state"])  # 2 letters kept
    assert out_address["line"][0] == address["line"][0]
    digits = lambda t: "".join(c for c in t[0]["value"] if c.isdigit())[-10:]  # noqa: E731
    assert digits(exported["telecom"]) == digits(source["telecom"])
    sent = {(i["system"], i["value"]) for i in exported["identifier"]}
    for identifier in source["identifier"]:
        kind = identifier.get("type", {}).get("coding", [{}])[0].get("code")
        if kind == "MR" or (kind == "SS" and normalize_ssn(identifier["value"])):
            assert (identifier["system"], identifier["value"]) in sent


def _same_encounters(source: Found, exported: Found) -> None:
    def key(e: Json, found: Found) -> tuple[Any, ...]:
        period = e["period"]
        attending = (e.get("participant") or [{}])[0].get("individual")
        return (_at(period["start"]), _at(period["end"]), e["class"]["code"], e["status"],
                found.npi(attending))  # fmt: skip

    assert Counter(key(e, source) for e in source["Encounter"]) == Counter(
        key(e, exported) for e in exported["Encounter"]
    )


def _results(found: Found) -> Counter[tuple[Any, ...]]:
    """Numeric results: code, time, value (as stored, to 3 decimals), unit."""
    return Counter(
        (_code(o["code"])[:2], _at(o["effectiveDateTime"]),
         round(o["valueQuantity"]["value"], 3), o["valueQuantity"].get("unit", ""))
        for o in found["Observation"] if "valueQuantity" in o
    )  # fmt: skip


def test_every_held_field_of_a_full_bundle_is_in_the_export(himdesk: Himdesk) -> None:
    """What Synthea does not send: a document, a reference range and flag, a disposition, a
    recorder, a performer, a dose, route, frequency and end, a reaction, a valid SSN."""
    (patient_id,) = _import(himdesk, orjson.dumps(FULL), "full.json")
    found = Found(_export(himdesk, patient_id))
    patient = found["Patient"][0]
    assert patient["name"][0]["given"] == ["Ada", "Mae"]
    assert ("http://hl7.org/fhir/sid/us-ssn", "123-45-6789") in {
        (i["system"], i["value"]) for i in patient["identifier"]}  # fmt: skip
    (stay,) = found["Encounter"]
    assert stay["hospitalization"]["dischargeDisposition"]["coding"][0]["code"] == "01"
    assert stay["serviceType"]["text"] == "Cardiology"
    (note,) = found["DocumentReference"]
    text = base64.b64decode(note["content"][0]["attachment"]["data"]).decode()
    assert text == "Discharge summary. Chest pain resolved; no arrhythmia on telemetry."
    assert note["type"]["coding"][0]["code"] == "18842-5"
    assert found.npi(note["author"][0]) == "1234567893"
    (sodium,) = found["Observation"]
    assert sodium["valueQuantity"]["value"] == 131 and sodium["valueQuantity"]["unit"] == "mmol/L"
    assert (
        sodium["referenceRange"][0]["low"]["value"],
        sodium["referenceRange"][0]["high"]["value"],
    ) == (135, 145)
    assert sodium["interpretation"][0]["coding"][0]["code"] == "L"
    (condition,) = found["Condition"]
    assert found.npi(condition["recorder"]) == "1234567893"
    (procedure,) = found["Procedure"]
    assert found.npi(procedure["performer"][0]["actor"]) == "1234567893"
    (order,) = found["MedicationRequest"]
    dosage = order["dosageInstruction"][0]
    assert (dosage["doseAndRate"][0]["doseQuantity"]["value"], dosage["route"]["text"],
            dosage["timing"]["code"]["text"]) == (40, "oral", "daily")  # fmt: skip
    assert dosage["timing"]["repeat"]["boundsPeriod"]["end"].startswith("2026-10-31")
    (allergy,) = found["AllergyIntolerance"]
    assert allergy["reaction"][0]["manifestation"][0]["text"] == "Hives"
    assert allergy["reaction"][0]["severity"] == "moderate"


def _ref(kind: str) -> Json:
    return {"reference": f"urn:uuid:{kind}"}


FULL: Json = {"resourceType": "Bundle", "type": "collection", "entry": [
    {"fullUrl": "urn:uuid:p", "resource": {
        "resourceType": "Patient", "id": "p",
        "identifier": [{"system": "urn:oid:1.2.3.4", "value": "X100",
                        "type": {"coding": [{"code": "MR"}]}},
                       {"system": "http://hl7.org/fhir/sid/us-ssn", "value": "123-45-6789"}],
        "name": [{"family": "Lovelace", "given": ["Ada", "Mae"]}], "gender": "female",
        "birthDate": "1970-12-10"}},
    {"fullUrl": "urn:uuid:dr", "resource": {
        "resourceType": "Practitioner", "id": "dr",
        "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}],
        "name": [{"family": "Osler", "given": ["William"]}]}},
    {"fullUrl": "urn:uuid:e", "resource": {
        "resourceType": "Encounter", "id": "e", "status": "finished",
        "class": {"code": "IMP"}, "subject": _ref("p"), "serviceType": {"text": "Cardiology"},
        "participant": [{"type": [{"coding": [{"code": "ATND"}]}], "individual": _ref("dr")}],
        "period": {"start": "2026-10-20T08:00:00Z", "end": "2026-10-24T12:00:00Z"},
        "hospitalization": {"dischargeDisposition": {"coding": [{"code": "home"}]}}}},
    {"fullUrl": "urn:uuid:d", "resource": {
        "resourceType": "DocumentReference", "id": "d", "status": "current",
        "docStatus": "final", "subject": _ref("p"), "author": [_ref("dr")],
        "type": {"coding": [{"system": "http://loinc.org", "code": "18842-5"}]},
        "date": "2026-10-24T11:00:00Z", "description": "Discharge summary",
        "context": {"encounter": [_ref("e")]},
        "content": [{"attachment": {"contentType": "text/plain", "data": base64.b64encode(
            b"Discharge summary. Chest pain resolved; no arrhythmia on telemetry.").decode()}}]}},
    {"fullUrl": "urn:uuid:o", "resource": {
        "resourceType": "Observation", "id": "o", "status": "final", "subject": _ref("p"),
        "encounter": _ref("e"), "effectiveDateTime": "2026-10-21T06:00:00Z",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2951-2"}], "text": "Sodium"},
        "valueQuantity": {"value": 131, "unit": "mmol/L"},
        "referenceRange": [{"low": {"value": 135}, "high": {"value": 145}}],
        "interpretation": [{"coding": [{"code": "L"}]}]}},
    {"fullUrl": "urn:uuid:c", "resource": {
        "resourceType": "Condition", "id": "c", "subject": _ref("p"), "encounter": _ref("e"),
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "29857009"}],
                 "text": "Chest pain"},
        "recordedDate": "2026-10-20T09:00:00Z", "recorder": _ref("dr")}},
    {"fullUrl": "urn:uuid:x", "resource": {
        "resourceType": "Procedure", "id": "x", "status": "completed", "subject": _ref("p"),
        "encounter": _ref("e"), "performer": [{"actor": _ref("dr")}],
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "29303009"}],
                 "text": "Electrocardiogram"},
        "performedDateTime": "2026-10-20T10:00:00Z"}},
    {"fullUrl": "urn:uuid:m", "resource": {
        "resourceType": "MedicationRequest", "id": "m", "status": "active", "intent": "order",
        "subject": _ref("p"), "encounter": _ref("e"), "authoredOn": "2026-10-20",
        "medicationCodeableConcept": {"coding": [{
            "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "617312"}],
            "text": "Atorvastatin 40 MG Oral Tablet"},
        "dosageInstruction": [{
            "route": {"text": "oral"},
            "timing": {"code": {"text": "daily"},
                       "repeat": {"boundsPeriod": {"start": "2026-10-20", "end": "2026-10-31"}}},
            "doseAndRate": [{"doseQuantity": {"value": 40, "unit": "mg"}}]}]}},
    {"fullUrl": "urn:uuid:a", "resource": {
        "resourceType": "AllergyIntolerance", "id": "a", "patient": _ref("p"),
        "code": {"text": "Penicillin"}, "recordedDate": "2020-01-05",
        "reaction": [{"manifestation": [{"text": "Hives"}], "severity": "moderate"}]}},
]}  # fmt: skip
