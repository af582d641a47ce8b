"""Importing submissions through the service, on every backend: whole or nothing, idempotent."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.domain.incoming import (
    IdentifierKind,
    IncomingChart,
    IncomingObservation,
    PatientIdentifier,
    PatientMergeRequest,
    Rejected,
    SourceFormat,
    SourceRef,
    Submission,
)
from himdesk.domain.records import DocumentStatus, EncounterStatus
from himdesk.services.imports import ImportOutcome, import_submission
from himdesk.storage import tables as t
from tests.fakes import ChartBuilder
from tests.submissions import (
    ADMITTED,
    IMPORTER,
    a_chart,
    a_clinician,
    a_patient,
    a_submission,
    ref,
    refingerprinted,
)

LOGS = {"audit_events", "audit_checkpoints"}


def rows(himdesk: Himdesk, skip: set[str] = LOGS) -> dict[str, int]:
    with himdesk.engine.connect() as c:
        return {
            table.name: int(c.execute(select(func.count()).select_from(table)).scalar_one())
            for table in t.metadata.sorted_tables
            if table.name not in skip
        }


def run(himdesk: Himdesk, submission: Submission, actor: Actor = IMPORTER) -> ImportOutcome:
    with himdesk.unit_of_work() as uow:
        return import_submission(uow, actor, submission)


def test_a_new_patient_is_registered_with_a_hospital_mrn_and_every_part_is_written(
    himdesk: Himdesk,
) -> None:
    outcome = run(himdesk, a_submission())
    assert outcome.status == "imported"
    assert outcome.counts == {
        "allergies": 1,
        "clinicians": 1,
        "diagnoses": 1,
        "documents": 1,
        "encounters": 1,
        "medications": 1,
        "observations": 1,
        "patients": 1,
        "procedures": 1,
    }
    assert outcome.not_held == {"Claim": 2}
    with himdesk.unit_of_work() as uow:
        (patient_id,) = outcome.patient_ids
        patient = uow.patients.get(patient_id)
        assert patient.mrn == "M0000001" and patient.facility == "HIMDESK-GENERAL"
        (stay,) = uow.chart.encounters(patient_id)
        assert stay.account_number == "V-e1" and stay.attending_id is not None
        (document,) = uow.chart.encounter_documents(stay.id or 0)
        assert document.status is DocumentStatus.SIGNED and document.type_code == "18842-5"
        assert document.author_id == stay.attending_id == document.signed_by_id


def test_an_imported_patient_gets_the_next_mrn_after_the_hospitals_own(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow:
        ChartBuilder(uow).patient(mrn="M0004711", family="Other", born=date(1990, 1, 1))
        uow.commit()
    outcome = run(himdesk, a_submission())
    with himdesk.unit_of_work() as uow:
        assert uow.patients.get(outcome.patient_ids[0]).mrn == "M0004712"


def test_importing_the_same_submission_twice_changes_nothing_but_is_audited(
    himdesk: Himdesk,
) -> None:
    submission = a_submission()
    first = run(himdesk, submission)
    before = rows(himdesk)
    with himdesk.unit_of_work() as uow:
        events = uow.audit.count()
    again = run(himdesk, submission)
    assert (again.status, again.counts, again.patient_ids) == ("unchanged", {}, first.patient_ids)
    assert rows(himdesk) == before
    with himdesk.unit_of_work() as uow:
        assert uow.audit.count() == events + 1


def test_the_same_data_in_another_file_is_unchanged_and_only_receipted(himdesk: Himdesk) -> None:
    submission = a_submission()
    run(himdesk, submission)
    before = rows(himdesk)
    outcome = run(himdesk, refingerprinted(submission, "copy.json"))
    assert (outcome.status, outcome.counts, outcome.unchanged) == ("unchanged", {}, 7)
    after = rows(himdesk)
    assert after.pop("import_receipts") == before.pop("import_receipts") + 1
    assert after == before


def test_a_bad_reference_late_in_a_submission_rejects_it_whole(himdesk: Himdesk) -> None:
    good = a_chart()
    stray = IncomingObservation(
        ref("Observation", "x"),
        "2951-2",
        "Sodium",
        Decimal("140"),
        "mmol/L",
        ADMITTED,
        encounter=ref("Encounter", "nobody"),
    )
    late = a_chart(a_patient("p2", family="Brandt", given="Otto"), visit="e2")
    late = replace(late, observations=(*late.observations, stray))
    before = rows(himdesk)
    with pytest.raises(Rejected) as rejected:
        run(himdesk, a_submission(good, late))
    assert rejected.value.where == "chart 2, observation 2 (urn:fhir|Observation/x) encounter"
    assert "Encounter/nobody" in rejected.value.problem
    assert rows(himdesk) == before


def test_a_reference_to_an_unknown_clinician_is_rejected(himdesk: Himdesk) -> None:
    before = rows(himdesk)
    with pytest.raises(Rejected, match="Practitioner/d1, who is neither"):
        run(himdesk, a_submission(clinicians=()))
    assert rows(himdesk) == before


def test_a_chart_by_reference_to_an_unknown_patient_is_rejected(himdesk: Himdesk) -> None:
    with pytest.raises(Rejected, match=r"refers to patient urn:fhir\|Patient/ghost"):
        run(himdesk, a_submission(a_chart(ref("Patient", "ghost"))))


def test_a_later_submission_refers_to_the_patient_and_encounter_imported_before(
    himdesk: Himdesk,
) -> None:
    first = run(himdesk, a_submission())
    result = IncomingObservation(
        ref("Observation", "k"),
        "2823-3",
        "Potassium",
        Decimal("4.1"),
        "mmol/L",
        ADMITTED,
        encounter=ref("Encounter", "e1"),
    )
    later = a_submission(
        replace(
            a_chart(ref("Patient", "p1")),
            encounters=(),
            documents=(),
            observations=(result,),
            diagnoses=(),
            procedures=(),
            medications=(),
            allergies=(),
        ),
        label="results.ndjson",
    )
    outcome = run(himdesk, later)
    assert outcome.counts == {"observations": 1} and outcome.patient_ids == first.patient_ids


def test_an_hl7_result_for_a_known_mrn_finds_the_patient_by_identifier(himdesk: Himdesk) -> None:
    first = run(himdesk, a_submission(a_chart(a_patient(mrn="998877"))))
    result = replace(
        a_chart().observations[0], source=SourceRef("hl7v2:LAB", "obs/9/2951-2/1"), encounter=None
    )
    chart = IncomingChart(
        SourceRef("hl7v2:urn:oid:2.16.840.1.99", "998877"), observations=(result,)
    )
    outcome = run(himdesk, a_submission(chart, format=SourceFormat.HL7V2, clinicians=()))
    assert outcome.patient_ids == first.patient_ids and outcome.counts == {"observations": 1}


def test_a_shared_ssn_links_to_the_existing_patient_and_stores_only_a_digest(
    himdesk: Himdesk,
) -> None:
    with himdesk.unit_of_work() as uow:
        known = ChartBuilder(uow).patient(
            family="Lindqvist", given="Astrid", born=date(1958, 3, 14), ssn="219-09-9999"
        )
        uow.commit()
    outcome = run(himdesk, a_submission(a_chart(a_patient(ssn="219099999", mrn="55"))))
    assert outcome.patient_ids == (known.id,) and "patients" not in outcome.counts
    assert outcome.counts["identifiers"] == 2
    with himdesk.engine.connect() as c:
        values = list(c.execute(select(t.patient_identifiers.c.value)).scalars())
    assert "55" in values and not any("9999" in v for v in values if v != "55")


def test_a_sure_demographic_match_links_without_an_identifier(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow:
        known = ChartBuilder(uow).patient(
            family="Lindquist", given="Astrid", born=date(1958, 3, 14), ssn=""
        )
        patient = uow.patients.get(known.id or 0)
        uow.patients.update(replace(patient, phone="(617) 555-0142"))
        uow.commit()
    outcome = run(himdesk, a_submission())
    assert outcome.status == "imported" and outcome.patient_ids == (known.id,)


def test_an_unsure_match_holds_the_whole_submission_and_writes_nothing_else(
    himdesk: Himdesk,
) -> None:
    with himdesk.unit_of_work() as uow:
        ChartBuilder(uow).patient(family="Lindqvist", given="Anneli", born=date(1958, 3, 14))
        uow.commit()
    before = rows(himdesk)
    outcome = run(himdesk, a_submission())
    assert outcome.status == "held" and outcome.hold_id is not None
    after = rows(himdesk)
    assert after.pop("import_holds") == before.pop("import_holds") + 1
    assert after == before
    again = run(himdesk, a_submission())
    assert again.hold_id == outcome.hold_id


def test_a_merged_patient_is_never_a_candidate(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        survivor = build.patient(mrn="M0000010", family="Nguyen", born=date(1970, 1, 1))
        merged = build.patient(
            mrn="M0000011", family="Lindqvist", given="Astrid", born=date(1958, 3, 14), ssn=""
        )
        uow.commit()
    with himdesk.engine.begin() as c:
        c.execute(
            t.patients.update()
            .where(t.patients.c.id == merged.id)
            .values(merged_into_id=survivor.id)
        )
    outcome = run(himdesk, a_submission())
    assert outcome.counts["patients"] == 1 and outcome.patient_ids[0] not in (
        merged.id,
        survivor.id,
    )


def test_a_changed_part_is_corrected_and_its_earlier_version_kept(himdesk: Himdesk) -> None:
    first = a_submission()
    run(himdesk, first)
    chart = first.charts[0]
    corrected = replace(
        chart,
        observations=(replace(chart.observations[0], value=Decimal("131")),),
        encounters=(replace(chart.encounters[0], service="Pulmonology"),),
    )
    outcome = run(himdesk, a_submission(corrected, label="corrected.json"))
    assert outcome.counts == {"encounters": 1, "observations": 1}
    assert outcome.unchanged == 5
    with himdesk.unit_of_work() as uow:
        (patient_id,) = outcome.patient_ids
        (stay,) = uow.chart.encounters(patient_id)
        assert (stay.service, stay.version) == ("Pulmonology", 2)
        assert uow.chart.observations(patient_id)[0].value == Decimal("131")
        versions = uow.versions.list_for(
            "observation", uow.chart.observations(patient_id)[0].id or 0
        )
        assert [(v.version, v.snapshot["value"]) for v in versions] == [(1, "138.000"), (2, "131")]
        assert [v.version for v in uow.versions.list_for("encounter", stay.id or 0)] == [1, 2]


def test_an_update_of_demographics_is_recorded_as_a_new_version(himdesk: Himdesk) -> None:
    first = run(himdesk, a_submission())
    moved = a_patient(postal_code="02140")
    update = a_submission(replace(a_chart(moved), updates_demographics=True), label="a08.hl7")
    outcome = run(himdesk, update)
    assert outcome.counts["demographics"] == 1 and outcome.patient_ids == first.patient_ids
    with himdesk.unit_of_work() as uow:
        patient = uow.patients.get(first.patient_ids[0])
        assert (patient.address.postal_code, patient.version) == ("02140", 2)
        history = uow.versions.list_for("patient", first.patient_ids[0])
        assert [v.snapshot["address_postal_code"] for v in history] == ["02139", "02140"]


def test_a_discharge_through_the_hospital_feed_analyses_the_chart(himdesk: Himdesk) -> None:
    chart = replace(a_chart(), documents=())  # no discharge summary: a deficiency
    run(himdesk, a_submission(chart, format=SourceFormat.HL7V2, label="adt.hl7"))
    with himdesk.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(t.chart_reviews)).scalar_one() == 1
        assert c.execute(select(func.count()).select_from(t.deficiencies)).scalar_one() >= 1


def test_records_from_another_organisation_are_filed_not_analysed(himdesk: Himdesk) -> None:
    run(himdesk, a_submission(replace(a_chart(), documents=())))
    with himdesk.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(t.chart_reviews)).scalar_one() == 0


def test_an_admission_discharged_by_a_later_message_is_analysed_then(himdesk: Himdesk) -> None:
    stay = a_chart().encounters[0]
    admitted = replace(stay, status=EncounterStatus.IN_PROGRESS, discharged_at=None)
    bare = replace(
        a_chart(),
        encounters=(admitted,),
        documents=(),
        observations=(),
        diagnoses=(),
        procedures=(),
        medications=(),
        allergies=(),
    )
    run(himdesk, a_submission(bare, format=SourceFormat.HL7V2, label="a01.hl7"))
    discharged = replace(bare, encounters=(stay,))
    outcome = run(himdesk, a_submission(discharged, format=SourceFormat.HL7V2, label="a03.hl7"))
    assert outcome.counts == {"encounters": 1}
    with himdesk.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(t.chart_reviews)).scalar_one() == 1


def test_an_account_number_another_patient_holds_is_replaced_by_a_new_one(
    himdesk: Himdesk,
) -> None:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        other = build.patient(family="Other", born=date(1990, 1, 1))
        build.inpatient_stay(other, build.clinician(npi="1999999999"), account="V-e1")
        uow.commit()
    outcome = run(himdesk, a_submission())
    with himdesk.unit_of_work() as uow:
        (stay,) = uow.chart.encounters(outcome.patient_ids[0])
    assert stay.account_number == "I000000001"


def test_a_clinician_is_found_by_npi_and_never_duplicated(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow:
        known = ChartBuilder(uow).clinician(npi="1234567893")
        uow.commit()
    outcome = run(himdesk, a_submission())
    assert "clinicians" not in outcome.counts
    with himdesk.unit_of_work() as uow:
        assert uow.chart.encounters(outcome.patient_ids[0])[0].attending_id == known.id
    brandt = a_patient("p9", family="Brandt", given="Otto", born=date(1944, 2, 2))
    again = a_submission(
        a_chart(brandt, visit="e9"),
        clinicians=(a_clinician("d7", npi=""), a_clinician()),
        label="x",
    )
    assert run(himdesk, again).counts["clinicians"] == 1


def test_a_code_too_long_for_the_record_is_rejected_naming_the_field(himdesk: Himdesk) -> None:
    chart = a_chart()
    long_code = replace(chart.observations[0], code="C" * 21)
    with pytest.raises(Rejected) as rejected:
        run(himdesk, a_submission(replace(chart, observations=(long_code,))))
    assert rejected.value.where.endswith("observation 1 (urn:fhir|Observation/e1-na) code")


def test_a_long_title_is_shortened_rather_than_rejected(himdesk: Himdesk) -> None:
    chart = a_chart()
    titled = replace(chart.documents[0], title="Discharge summary " * 20)
    outcome = run(himdesk, a_submission(replace(chart, documents=(titled,))))
    with himdesk.unit_of_work() as uow:
        header = uow.chart.document_headers(outcome.patient_ids[0])[0]
    assert len(header.title) == 200 and header.title.endswith("…")


def test_the_same_part_twice_with_different_content_is_rejected(himdesk: Himdesk) -> None:
    chart = a_chart()
    twin = replace(chart.observations[0], value=Decimal("1"))
    with pytest.raises(Rejected, match="appears twice"):
        run(himdesk, a_submission(replace(chart, observations=(*chart.observations, twin))))


def test_an_encounter_of_another_patient_cannot_be_referred_to(himdesk: Himdesk) -> None:
    run(himdesk, a_submission())
    other = a_chart(a_patient("p2", family="Brandt", given="Otto", born=date(1944, 2, 2)))
    stray = replace(other, encounters=())  # its parts point at Encounter/e1, the first patient's
    with pytest.raises(Rejected, match="another patient's"):
        run(himdesk, a_submission(stray, label="b.json"))


def test_a_result_id_the_sender_reuses_for_another_patient_is_rejected_not_dropped(
    himdesk: Himdesk,
) -> None:
    run(himdesk, a_submission())
    before = rows(himdesk)
    [sodium] = a_chart().observations
    other = a_chart(a_patient("p2", family="Brandt", given="Otto", born=date(1944, 2, 2)),
                    visit="e2")  # fmt: skip
    reused = replace(other, observations=(replace(sodium, encounter=None),))
    with pytest.raises(Rejected, match="sent before for another patient"):
        run(himdesk, a_submission(reused, label="b.json"))
    assert rows(himdesk) == before


def test_only_importing_roles_may_import(himdesk: Himdesk) -> None:
    with pytest.raises(PermissionDenied):
        run(himdesk, a_submission(), Actor(user_id=5, username="cy", role=Role.CODER))


def test_the_import_is_audited_per_patient_without_names(himdesk: Himdesk) -> None:
    second = a_chart(a_patient("p2", family="Brandt", given="Otto", born=date(1944, 2, 2)), "e2")
    outcome = run(himdesk, a_submission(a_chart(), second))
    with himdesk.unit_of_work() as uow:
        events = [e.entry for e in uow.audit.iterate() if e.entry.action == "record.import"]
    assert sorted(e.patient_id for e in events) == sorted(outcome.patient_ids)
    assert "lindqvist" not in repr(events).lower()


def test_encounters_without_an_account_number_are_numbered_here(himdesk: Himdesk) -> None:
    stay = replace(a_chart().encounters[0], account_number="")
    second = replace(stay, source=ref("Encounter", "e3"), admitted_at=ADMITTED + timedelta(1))
    outcome = run(himdesk, a_submission(replace(a_chart(), encounters=(stay, second))))
    with himdesk.unit_of_work() as uow:
        numbers = sorted(e.account_number for e in uow.chart.encounters(outcome.patient_ids[0]))
    assert numbers == ["I000000001", "I000000002"]


def test_an_a40_merge_moves_the_merged_patient_into_the_survivor_once(himdesk: Himdesk) -> None:
    kept = run(himdesk, a_submission(a_chart(a_patient(mrn="111")), label="a.hl7"))
    other = a_patient("p2", family="Lindkvist", given="Asta", born=date(1985, 3, 14), mrn="222")
    gone = run(himdesk, a_submission(a_chart(other, visit="e2"), label="b.hl7"))
    assert gone.status == "imported" and gone.patient_ids != kept.patient_ids
    merged = (PatientIdentifier(IdentifierKind.MRN, "urn:oid:2.16.840.1.99", "222"),)
    a40 = replace(
        a_submission(label="a40.hl7", clinicians=()),
        charts=(),
        merges=(PatientMergeRequest(a_patient(mrn="111"), merged),),
    )
    outcome = run(himdesk, a40)
    assert outcome.counts == {"merges": 1} and outcome.patient_ids == kept.patient_ids
    with himdesk.engine.connect() as c:
        into = c.execute(
            select(t.patients.c.merged_into_id).where(t.patients.c.id == gone.patient_ids[0])
        ).scalar_one()
    assert into == kept.patient_ids[0]
    assert run(himdesk, refingerprinted(a40, "again.hl7")).status == "unchanged"


def test_a_merge_naming_no_known_patient_is_rejected(himdesk: Himdesk) -> None:
    merged = (PatientIdentifier(IdentifierKind.MRN, "X", "404"),)
    a40 = replace(
        a_submission(clinicians=()),
        charts=(),
        merges=(PatientMergeRequest(a_patient(mrn="111"), merged),),
    )
    with pytest.raises(Rejected, match="merge 1 surviving patient"):
        run(himdesk, a40)


def test_a_record_exported_by_himdesk_comes_back_to_its_patient_by_mrn(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow:
        known = ChartBuilder(uow).patient(
            mrn="M0000042", family="Lindqvist", given="Astrid", born=date(1958, 3, 14), ssn=""
        )
        uow.commit()
    moved = replace(
        a_patient(family="Lindqvist-Berg"),
        identifiers=(
            PatientIdentifier(IdentifierKind.MRN, "urn:himdesk:mrn:HIMDESK-GENERAL", "M0000042"),
        ),
    )
    outcome = run(himdesk, a_submission(a_chart(moved)))
    assert outcome.patient_ids == (known.id,)


def test_a_reused_patient_reference_naming_someone_else_is_held_not_merged(
    himdesk: Himdesk,
) -> None:
    first = run(himdesk, a_submission())
    stranger = a_patient(family="Okafor", given="Chidi", born=date(1990, 1, 1))  # same p1 ref
    outcome = run(himdesk, a_submission(a_chart(stranger, visit="e7"), label="reused.xml"))
    assert outcome.status == "held"
    with himdesk.unit_of_work() as uow:
        assert len(uow.chart.encounters(first.patient_ids[0])) == 1
