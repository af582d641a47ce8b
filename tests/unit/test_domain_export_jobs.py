"""Bulk export requests, job life and manifest (FHIR Bulk Data IG), without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from himdesk.domain.api_clients import parse_scopes
from himdesk.domain.export_jobs import (
    PATIENT_COMPARTMENT,
    SUPPORTED_TYPES,
    ExportFile,
    ExportJob,
    ExportKind,
    ExportStatus,
    InvalidExportRequest,
    changed_since,
    export_request,
    manifest,
    parse_instant,
    progress,
    readable_types,
)
from himdesk.domain.patient_record import PatientRecord
from himdesk.domain.records import (
    AdministrativeSex,
    Allergy,
    Encounter,
    EncounterClass,
    EncounterStatus,
    Medication,
    Observation,
    Patient,
)

T0 = datetime(2026, 11, 2, 14, 30, tzinfo=UTC)


def _job(**changes: object) -> ExportJob:
    job = ExportJob(
        token="tok",
        kind=ExportKind.SYSTEM,
        resource_types=SUPPORTED_TYPES,
        requested_by="client:registry",
        requested_at=T0,
        request_url="https://h.example/fhir/R4/$export",
        id=7,
    )
    return replace(job, **changes)  # type: ignore[arg-type]


def test_no_type_asks_for_every_type_the_level_covers() -> None:
    assert export_request(ExportKind.SYSTEM).resource_types == SUPPORTED_TYPES
    assert export_request(ExportKind.PATIENT).resource_types == PATIENT_COMPARTMENT
    assert "Practitioner" not in PATIENT_COMPARTMENT


def test_types_may_be_comma_separated_or_repeated_and_keep_the_export_order() -> None:
    request = export_request(ExportKind.SYSTEM, ["Observation,Patient", " Condition "])
    assert request.resource_types == ("Patient", "Condition", "Observation")
    assert request.types_named


def test_an_unsupported_type_is_refused_naming_it() -> None:
    with pytest.raises(InvalidExportRequest) as refused:
        export_request(ExportKind.SYSTEM, ["Patient,Claim"])
    assert refused.value.parameter == "_type"
    assert "Claim" in refused.value.problem


def test_practitioners_are_outside_the_patient_compartment() -> None:
    with pytest.raises(InvalidExportRequest, match="Practitioner"):
        export_request(ExportKind.PATIENT, ["Practitioner"])


@pytest.mark.parametrize("fmt", ["application/fhir+ndjson", "application/ndjson", "ndjson"])
def test_the_three_ndjson_spellings_are_accepted(fmt: str) -> None:
    export_request(ExportKind.SYSTEM, output_format=fmt)


def test_another_output_format_is_refused() -> None:
    with pytest.raises(InvalidExportRequest, match="_outputFormat"):
        export_request(ExportKind.SYSTEM, output_format="text/csv")


def test_since_is_a_fhir_instant_read_as_utc() -> None:
    request = export_request(ExportKind.SYSTEM, since="2026-11-01T09:00:00.5-05:00")
    assert request.since == datetime(2026, 11, 1, 14, 0, 0, 500000, tzinfo=UTC)
    assert parse_instant("2026-11-01T09:00:00Z", "_since") == datetime(2026, 11, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    "value", ["2026-11-01", "2026-11-01T09:00:00", "yesterday", "2026-13-01T00:00:00Z"]
)
def test_since_without_a_zone_or_not_a_real_time_is_refused(value: str) -> None:
    with pytest.raises(InvalidExportRequest, match="_since"):
        export_request(ExportKind.SYSTEM, since=value)


def test_system_read_scopes_allow_reading_every_type_or_named_ones() -> None:
    types = ("Patient", "Observation", "Condition")
    assert readable_types(parse_scopes(["system/*.read"]), types) == types
    assert readable_types(parse_scopes(["system/*.rs"]), types) == types
    named = parse_scopes(["system/Observation.read system/Patient.rs"])
    assert readable_types(named, types) == ("Patient", "Observation")


def test_search_only_scopes_allow_no_bulk_read() -> None:
    assert readable_types(parse_scopes(["system/*.s"]), ("Patient",)) == ()


def test_a_job_runs_then_completes_and_its_files_expire_a_day_later() -> None:
    job = _job().started()
    assert job.status is ExportStatus.IN_PROGRESS and job.status.running
    done = job.finished(T0 + timedelta(minutes=5))
    assert done.status is ExportStatus.COMPLETED and not done.status.running
    assert not done.is_expired(T0 + timedelta(hours=24))
    assert done.is_expired(T0 + timedelta(hours=24, minutes=5))


def test_a_job_still_running_after_a_day_reads_as_failed() -> None:
    job = _job().started()
    assert job.status_at(T0 + timedelta(hours=2)) is ExportStatus.IN_PROGRESS
    assert job.status_at(T0 + timedelta(hours=25)) is ExportStatus.FAILED


def test_a_failure_keeps_a_short_reason() -> None:
    failed = _job().failed(T0, "x" * 5000)
    assert failed.status is ExportStatus.FAILED and len(failed.error) == 1000


def test_progress_says_how_far_the_job_got() -> None:
    assert progress(_job(), 0) == "accepted, waiting to start"
    assert progress(_job().started(), 1) == "in progress, 1 file part written"
    assert progress(_job().started(), 3) == "in progress, 3 file parts written"


def test_the_manifest_lists_outputs_and_errors_with_their_urls() -> None:
    files = [ExportFile(1, "Patient", 2), ExportFile(2, "Observation", 9),
             ExportFile(3, "OperationOutcome", 1)]  # fmt: skip
    body = manifest(_job().finished(T0), files, "https://h.example/fhir/R4")
    assert body["transactionTime"] == "2026-11-02T14:30:00.000Z"
    assert body["request"] == "https://h.example/fhir/R4/$export"
    assert body["requiresAccessToken"] is True
    assert body["output"] == [
        {"type": "Patient", "url": "https://h.example/fhir/R4/$export-file/tok/1", "count": 2},
        {"type": "Observation", "url": "https://h.example/fhir/R4/$export-file/tok/2", "count": 9},
    ]
    assert [e["type"] for e in body["error"]] == ["OperationOutcome"]


def _record() -> PatientRecord:
    patient = Patient("H", "M1", "Nguyen", "Linh", date(1961, 4, 9), AdministrativeSex.FEMALE, id=1)
    old = Encounter(1, EncounterClass.OUTPATIENT, T0 - timedelta(days=400), "A1",
                    EncounterStatus.DISCHARGED, T0 - timedelta(days=400), id=10)  # fmt: skip
    recent = Encounter(1, EncounterClass.INPATIENT, T0 - timedelta(days=5), "A2",
                       EncounterStatus.DISCHARGED, T0 - timedelta(days=1), id=11)  # fmt: skip
    sodium = Observation(1, 11, "2951-2", "Sodium", Decimal(140), "mmol/L",
                         T0 - timedelta(days=3), id=20)  # fmt: skip
    statin = Medication(1, 10, "Atorvastatin", "", "", "", date(2024, 1, 1),
                        ended_on=date(2026, 11, 1), id=30)  # fmt: skip
    allergy = Allergy(1, "Penicillin", "", "", date(2020, 1, 1), id=40)
    return PatientRecord(patient, encounters=(old, recent), observations=(sodium,),
                         medications=(statin,), allergies=(allergy,))  # fmt: skip


def test_since_keeps_the_parts_of_that_time_or_later() -> None:
    kept = changed_since(_record(), T0 - timedelta(days=10))
    assert kept is not None
    assert [e.id for e in kept.encounters] == [11]
    assert [o.id for o in kept.observations] == [20]
    assert [m.id for m in kept.medications] == [30]  # it ended recently
    assert kept.allergies == ()


def test_since_counts_a_correction_as_a_change() -> None:
    corrections = {("allergy", 40): T0, ("patient", 1): T0}
    kept = changed_since(_record(), T0 - timedelta(hours=1), corrections)
    assert kept is not None and [a.id for a in kept.allergies] == [40]
    assert kept.encounters == ()


def test_since_leaves_out_a_record_with_nothing_new() -> None:
    assert changed_since(_record(), T0 + timedelta(days=1)) is None
    only_demographics = changed_since(_record(), T0, {("patient", 1): T0})
    assert only_demographics is not None and only_demographics.encounters == ()
