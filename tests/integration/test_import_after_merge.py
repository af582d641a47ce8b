"""After a merge, what a sender still files under the merged patient lands on the survivor."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from himdesk.bootstrap import Himdesk
from himdesk.domain.incoming import (
    IdentifierKind,
    IncomingChart,
    IncomingObservation,
    PatientIdentifier,
    PatientMergeRequest,
    Submission,
)
from himdesk.services.imports import ImportOutcome, import_submission
from himdesk.storage import tables as t
from tests.submissions import ADMITTED, IMPORTER, a_chart, a_patient, a_submission, ref

DUPLICATE = a_patient("p2", family="Lindkvist", given="Asta", born=date(1985, 3, 14), mrn="222")


def run(himdesk: Himdesk, submission: Submission) -> ImportOutcome:
    with himdesk.unit_of_work() as uow:
        return import_submission(uow, IMPORTER, submission)


def merged_pair(himdesk: Himdesk) -> tuple[int, int]:
    """The survivor and the duplicate merged into it (by an A40), each imported with a stay."""
    kept = run(himdesk, a_submission(a_chart(a_patient(mrn="111")), label="a.hl7"))
    gone = run(himdesk, a_submission(a_chart(DUPLICATE, visit="e2"), label="b.hl7"))
    merged = (PatientIdentifier(IdentifierKind.MRN, "urn:oid:2.16.840.1.99", "222"),)
    a40 = replace(
        a_submission(label="a40.hl7", clinicians=()),
        charts=(),
        merges=(PatientMergeRequest(a_patient(mrn="111"), merged),),
    )
    assert run(himdesk, a40).counts == {"merges": 1}
    return kept.patient_ids[0], gone.patient_ids[0]


def test_a_result_sent_for_the_merged_patients_stay_is_filed_to_the_survivor(
    himdesk: Himdesk,
) -> None:
    survivor, duplicate = merged_pair(himdesk)
    potassium = IncomingObservation(
        ref("Observation", "e2-k"), "2823-3", "Potassium", Decimal("4.1"), "mmol/L", ADMITTED,
        code_system="http://loinc.org", encounter=ref("Encounter", "e2"),
    )  # fmt: skip
    late = a_submission(
        IncomingChart(patient=DUPLICATE, observations=(potassium,)), label="c.hl7", clinicians=()
    )
    outcome = run(himdesk, late)
    assert outcome.status == "imported" and outcome.patient_ids == (survivor,)
    with himdesk.engine.connect() as db:
        owner = db.execute(
            select(t.observations.c.patient_id).where(t.observations.c.code == "2823-3")
        ).scalar_one()
    assert owner == survivor != duplicate
