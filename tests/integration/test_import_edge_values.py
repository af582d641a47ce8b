"""Values at the edges of what the database keeps: imported whole or rejected naming the field,
and a rejection is queued whatever text it carries — never a database error (PostgreSQL
refuses NUL bytes in text and rounds NUMERIC(12, 3) past its width)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.import_records import QueueStatus
from himdesk.domain.incoming import IncomingChart, Rejected
from himdesk.interop.file_imports import import_files
from himdesk.services import record_exchange
from himdesk.services.imports import import_submission, record_rejection
from tests.integration.test_imports import rows
from tests.submissions import IMPORTER, a_chart, a_submission

FIRST = datetime(1, 1, 1, tzinfo=UTC)
LAST = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


def at_the_calendars_ends(chart: IncomingChart) -> IncomingChart:
    stay, note, result = chart.encounters[0], chart.documents[0], chart.observations[0]
    return replace(
        chart,
        patient=replace(chart.patient, birth_on=date(1, 1, 1)),
        encounters=(replace(stay, admitted_at=FIRST, discharged_at=LAST),),
        documents=(replace(note, authored_at=LAST, signed_at=LAST),),
        observations=(replace(result, observed_at=FIRST, value=Decimal("-999999999.999")),),
        medications=(
            replace(chart.medications[0], started_on=date(1, 1, 1), ended_on=date(9999, 12, 31)),
        ),  # fmt: skip
    )


def test_the_first_and_last_days_of_the_calendar_are_kept_and_read_back(
    himdesk: Himdesk,
) -> None:
    with himdesk.unit_of_work() as uow:
        outcome = import_submission(uow, IMPORTER, a_submission(at_the_calendars_ends(a_chart())))
    with himdesk.unit_of_work() as uow:
        record = record_exchange.whole_record(uow, IMPORTER, outcome.patient_ids[0])
    assert record.patient.birth_on == date(1, 1, 1)
    assert (record.encounters[0].admitted_at, record.encounters[0].discharged_at) == (FIRST, LAST)
    assert record.observations[0].value == Decimal("-999999999.999")


@pytest.mark.parametrize("field", ["value", "reference_low", "reference_high"])
def test_a_result_that_would_round_past_the_column_is_rejected_naming_it(
    himdesk: Himdesk, field: str
) -> None:
    chart = a_chart()
    result = replace(chart.observations[0], **{field: Decimal("999999999.9996")})
    before = rows(himdesk)
    with himdesk.unit_of_work() as uow, pytest.raises(Rejected) as rejected:
        import_submission(uow, IMPORTER, a_submission(replace(chart, observations=(result,))))
    assert rejected.value.where.endswith(f"observation 1 (urn:fhir|Observation/e1-na) {field}")
    assert rows(himdesk) == before


@pytest.mark.parametrize("field", ["label", "control_id", "message_type"])
def test_a_submission_named_with_a_nul_byte_is_rejected_naming_it(
    himdesk: Himdesk, field: str
) -> None:
    submission = replace(a_submission(), **{field: "Bundle\x00 1"})
    with himdesk.unit_of_work() as uow, pytest.raises(Rejected) as rejected:
        import_submission(uow, IMPORTER, submission)
    assert rejected.value.where == f"submission {field.replace('_', ' ')}"


def test_a_rejection_is_queued_whatever_text_arrived_with_it(himdesk: Himdesk) -> None:
    with himdesk.unit_of_work() as uow:
        queued = record_rejection(uow, IMPORTER, format="hl7v2", label="feed\x00.hl7",
                                  channel="mllp", reason="PID-5: 'NG\x00UYEN \ud800'",
                                  payload=b"MSH|^~\\&|\x00", message_type="ADT^A\x0001",
                                  control_id="MSG\x001")  # fmt: skip
    with himdesk.unit_of_work() as uow:
        (stored,) = uow.import_reviews.rejections(QueueStatus.OPEN, 10)
    assert stored.id == queued and "\x00" not in stored.label + stored.reason
    assert (stored.label, stored.control_id) == ("feed\ufffd.hl7", "MSG\ufffd1")


@pytest.mark.parametrize(
    ("name", "label"), [("upload\x00.json", "upload?.json"), ("caf\udce9.json", "caf?.json")]
)
def test_a_file_whose_name_is_not_text_imports_under_a_printable_label(
    himdesk: Himdesk, name: str, label: str
) -> None:
    patient = {"resourceType": "Patient", "id": "p1", "gender": "female",
               "name": [{"family": "Ng", "given": ["An"]}], "birthDate": "1960-01-01"}  # fmt: skip
    report = import_files(himdesk.unit_of_work, IMPORTER, [(name, json.dumps(patient).encode())])
    assert (report.imported, report.rejected) == (1, 0)
    assert report.submissions[0].label == label
