"""FHIR Bulk Data export at the service level: kick-off, run, manifest, files, cancel, audit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import orjson
import pytest
from fhir.resources.R4B import get_fhir_model_class
from sqlalchemy import select

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.domain.api_clients import parse_scopes
from himdesk.domain.export_jobs import ExportKind, ExportStatus, export_request
from himdesk.domain.patient_record import PatientRecord
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.interop.fhir.outbound import record_resources
from himdesk.services.bulk_export import (
    ExportProgress,
    ExportRefused,
    NotYourExport,
    cancel_export,
    export_file,
    export_status,
    start_export,
)
from himdesk.services.errors import NotFound
from himdesk.services.export_run import PartSizes, RecordMapper, run_export
from himdesk.storage.tables import export_files
from tests.fakes import T0, ChartBuilder, FakeClock

CLIENT = Actor(user_id=0, username="client:registry", role=Role.HIT)
OTHER = Actor(user_id=0, username="client:payer", role=Role.HIT)
URL = "https://h.example/fhir/R4/$export"


@pytest.fixture
def hospital(himdesk: Himdesk) -> dict[str, int]:
    """Two patients with a stay each (a signed note, two results, an allergy on the first)."""
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        first = build.patient()
        stay = build.inpatient_stay(first, doctor)
        build.document(first, stay, doctor)
        build.sodium(first, stay, "128", 30)
        build.sodium(first, stay, "139", 6)
        build.allergy(first)
        second = build.patient(mrn="M0000002", family="Okafor", given="Chidi", ssn="")
        build.document(second, build.inpatient_stay(second, doctor, account="A2"), doctor)
        uow.commit()
    return {"first": first.id or 0, "second": second.id or 0}


def _export(
    himdesk: Himdesk,
    *,
    kind: ExportKind = ExportKind.SYSTEM,
    types: Sequence[str] = (),
    since: str | None = None,
    mapper: RecordMapper = record_resources,
    sizes: PartSizes = PartSizes(),  # noqa: B008
) -> ExportProgress:
    with himdesk.unit_of_work() as uow:
        job = start_export(uow, CLIENT, export_request(kind, types, since), URL)
    assert job.status is ExportStatus.ACCEPTED
    run_export(himdesk.unit_of_work, CLIENT, job.token, mapper, sizes)
    with himdesk.unit_of_work() as uow:
        return export_status(uow, CLIENT, job.token)


def _resources(himdesk: Himdesk, done: ExportProgress) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for f in done.files:
        with himdesk.unit_of_work() as uow:
            content = export_file(uow, CLIENT, done.job.token, f.id)
        lines = [orjson.loads(line) for line in content.splitlines()]
        assert len(lines) == f.count
        found.setdefault(f.resource_type, []).extend(lines)
    return found


def test_a_system_export_writes_ndjson_per_type_that_validates_as_fhir_r4(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    done = _export(himdesk)
    assert done.status is ExportStatus.COMPLETED
    found = _resources(himdesk, done)
    counts = {kind: len(items) for kind, items in found.items()}
    assert counts == {"Patient": 2, "Encounter": 2, "Observation": 2, "AllergyIntolerance": 1,
                      "DocumentReference": 2, "Practitioner": 1}  # fmt: skip
    for kind, items in found.items():
        for resource in items:
            get_fhir_model_class(kind).model_validate(resource)
    assert {p["id"] for p in found["Patient"]} == {str(i) for i in hospital.values()}


def test_the_type_parameter_exports_only_the_named_types(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    done = _export(himdesk, types=["Observation,AllergyIntolerance"])
    assert sorted(f.resource_type for f in done.files) == ["AllergyIntolerance", "Observation"]


def test_a_patient_level_export_leaves_practitioners_out(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    done = _export(himdesk, kind=ExportKind.PATIENT)
    assert "Practitioner" not in {f.resource_type for f in done.files}
    assert "Patient" in {f.resource_type for f in done.files}


def test_since_exports_only_what_changed_at_or_after_that_instant(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    # The later sodium was drawn 6 hours before T0, the earlier 30 hours before.
    since = (T0 - timedelta(hours=12)).isoformat()
    found = _resources(himdesk, _export(himdesk, since=since))
    assert [o["valueQuantity"]["value"] for o in found["Observation"]] == [139]
    assert [p["id"] for p in found["Patient"]] == [str(hospital["first"])]
    assert "Encounter" not in found  # admitted 5 days and discharged 1 day before T0


def test_files_are_stored_encrypted(himdesk: Himdesk, hospital: dict[str, int]) -> None:
    _export(himdesk)
    with himdesk.engine.connect() as db:
        stored = [bytes(b) for b in db.execute(select(export_files.c.content_encrypted)).scalars()]
    assert stored and not any(b"Nguyen" in blob or b"Patient" in blob for blob in stored)


def test_each_exported_patient_is_audited_once_as_an_export(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    done = _export(himdesk)
    with himdesk.unit_of_work() as uow:
        for pid in hospital.values():
            exports = [e.entry for e in uow.audit.list_for_patient(pid, 100)
                       if e.entry.action == "record.export"]  # fmt: skip
            assert [(e.username, e.object_type, e.object_id) for e in exports] == [
                ("client:registry", "export-job", str(done.job.id))
            ]


def test_parts_split_by_patient_count(himdesk: Himdesk, hospital: dict[str, int]) -> None:
    done = _export(himdesk, sizes=PartSizes(patients_per_part=1, read_batch=1))
    per_type = Counter(f.resource_type for f in done.files)
    assert per_type["Patient"] == 2 and per_type["Practitioner"] == 1


def test_parts_split_by_size(himdesk: Himdesk, hospital: dict[str, int]) -> None:
    done = _export(himdesk, types=["Observation"], sizes=PartSizes(max_part_bytes=1))
    assert [f.count for f in done.files] == [1, 1]


def test_a_restricted_chart_is_left_out_and_named_in_the_error_file(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        uow.access.add_restriction(hospital["second"], SensitiveCategory.VIP, "Board member",
                                   "privacy", T0)  # fmt: skip
        uow.commit()
    done = _export(himdesk)
    found = _resources(himdesk, done)
    assert [p["id"] for p in found["Patient"]] == [str(hospital["first"])]
    (outcome,) = found["OperationOutcome"]
    assert f"Patient {hospital['second']} was left out" in outcome["issue"][0]["diagnostics"]


def test_cancelling_before_the_run_means_it_never_starts(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        job = start_export(uow, CLIENT, export_request(ExportKind.SYSTEM), URL)
    with himdesk.unit_of_work() as uow:
        cancel_export(uow, CLIENT, job.token)
    run_export(himdesk.unit_of_work, CLIENT, job.token, record_resources)
    with himdesk.unit_of_work() as uow:
        progress = export_status(uow, CLIENT, job.token)
        assert progress.status is ExportStatus.CANCELLED and progress.files == []
        with pytest.raises(NotFound):
            cancel_export(uow, CLIENT, job.token)


def test_cancelling_while_it_runs_stops_it_and_keeps_no_files(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        job = start_export(uow, CLIENT, export_request(ExportKind.SYSTEM), URL)

    def cancel_midway(record: PatientRecord) -> list[dict[str, Any]]:
        with himdesk.unit_of_work() as uow:
            cancel_export(uow, CLIENT, job.token)
        return record_resources(record)

    sizes = PartSizes(patients_per_part=1, read_batch=1)
    run_export(himdesk.unit_of_work, CLIENT, job.token, cancel_midway, sizes)
    with himdesk.unit_of_work() as uow:
        progress = export_status(uow, CLIENT, job.token)
        assert progress.status is ExportStatus.CANCELLED
        assert uow.export_jobs.count_files(job.id or 0) == 0


def test_cancelling_a_finished_job_discards_its_files(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    done = _export(himdesk)
    with himdesk.unit_of_work() as uow:
        cancel_export(uow, CLIENT, done.job.token)
        with pytest.raises(NotFound):
            export_file(uow, CLIENT, done.job.token, done.files[0].id)


def test_a_failing_run_keeps_no_files_and_says_why_without_patient_data(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    def breaks_on_second(record: PatientRecord) -> list[dict[str, Any]]:
        if record.patient.id == hospital["second"]:
            raise RuntimeError(f"cannot map {record.patient.family_name}")
        return record_resources(record)

    done = _export(himdesk, mapper=breaks_on_second, sizes=PartSizes(1, 1))
    assert done.status is ExportStatus.FAILED and done.files == []
    assert "RuntimeError" in done.job.error and "Okafor" not in done.job.error


def test_only_the_client_that_started_a_job_sees_it(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    done = _export(himdesk)
    with himdesk.unit_of_work() as uow:
        with pytest.raises(NotYourExport):
            export_status(uow, OTHER, done.job.token)
        with pytest.raises(NotYourExport):
            export_file(uow, OTHER, done.job.token, done.files[0].id)
        with pytest.raises(NotYourExport):
            cancel_export(uow, OTHER, done.job.token)
        with pytest.raises(NotFound):
            export_status(uow, CLIENT, "no-such-token")


def test_scopes_narrow_an_export_or_refuse_a_type_they_do_not_allow(
    himdesk: Himdesk, hospital: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        everything = export_request(ExportKind.SYSTEM)
        job = start_export(
            uow, CLIENT, everything, URL, scopes=parse_scopes(["system/Patient.read"])
        )
        assert job.resource_types == ("Patient",)
        with pytest.raises(ExportRefused, match="Observation"):
            named = export_request(ExportKind.SYSTEM, ["Patient,Observation"])
            start_export(uow, CLIENT, named, URL, scopes=parse_scopes(["system/Patient.read"]))
        with pytest.raises(ExportRefused):
            start_export(uow, CLIENT, everything, URL, scopes=parse_scopes(["system/*.s"]))


def test_files_expire_a_day_after_the_job_completes(
    himdesk: Himdesk, hospital: dict[str, int], clock: FakeClock
) -> None:
    done = _export(himdesk)
    clock.advance(hours=25)
    with himdesk.unit_of_work() as uow:
        with pytest.raises(NotFound):
            export_file(uow, CLIENT, done.job.token, done.files[0].id)
        with pytest.raises(NotFound):
            export_status(uow, CLIENT, done.job.token)
        assert uow.export_jobs.count_files(done.job.id or 0) == 0


def test_each_download_is_audited_once(himdesk: Himdesk, hospital: dict[str, int]) -> None:
    done = _export(himdesk)
    with himdesk.unit_of_work() as uow:
        before = uow.audit.count()
        export_file(uow, CLIENT, done.job.token, done.files[0].id)
        assert uow.audit.count() == before + 1


def test_a_job_whose_worker_was_lost_reads_as_failed_a_day_later(
    himdesk: Himdesk, hospital: dict[str, int], clock: FakeClock
) -> None:
    with himdesk.unit_of_work() as uow:
        job = start_export(uow, CLIENT, export_request(ExportKind.SYSTEM), URL)
    clock.advance(hours=25)  # never run: the server stopped before its worker got to it
    with himdesk.unit_of_work() as uow:
        progress = export_status(uow, CLIENT, job.token)
    assert progress.status is ExportStatus.FAILED and progress.files == ()
