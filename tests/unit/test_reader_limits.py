"""Readers give the import service only what the record can keep: result values as they will be
rounded into NUMERIC(12, 3), and control ids that are printable text."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.hl7_feed import oru
from tests.unit.test_ccda_reader import document, read, result, section

from himdesk.domain.incoming import RESULT_LIMIT, Rejected, Submission, result_fits
from himdesk.interop.fhir.inbound import read_fhir
from himdesk.interop.hl7v2.reader import read_hl7


def test_a_result_that_rounds_past_the_column_is_not_one_the_record_keeps() -> None:
    assert result_fits(Decimal("999999999.999")) and result_fits(Decimal("-999999999.9994"))
    assert not result_fits(Decimal("999999999.9995")) and not result_fits(-RESULT_LIMIT)
    assert not result_fits(Decimal("NaN")) and not result_fits(Decimal("Infinity"))


def test_an_hl7_result_that_rounds_to_a_billion_rejects_the_message_at_obx_5() -> None:
    (item,) = read_hl7(oru().replace(b"||131|", b"||999999999.9999|"), "feed.hl7")
    assert isinstance(item, Rejected) and item.where == "message 1, OBX-5"


def test_an_hl7_range_bound_that_rounds_to_a_billion_is_no_bound() -> None:
    (item,) = read_hl7(oru().replace(b"|135-145|", b"|1-999999999.9999|"), "feed.hl7")
    assert isinstance(item, Submission)
    sodium = item.charts[0].observations[0]
    assert (sodium.reference_low, sodium.reference_high) == (None, None)


def test_a_ccda_range_bound_beyond_the_record_is_left_out_and_the_result_kept() -> None:
    glucose = result(
        "2345-7",
        '<value xsi:type="PQ" value="185" unit="mg/dL"/>',
        '<referenceRange><observationRange><value xsi:type="IVL_PQ"><low value="70" unit="mg/dL"/>'
        '<high value="5E+10" unit="mg/dL"/></value></observationRange></referenceRange>',
    )
    submission = read(document(section("3.1", "30954-2", "Results", "", glucose)))
    [observation] = submission.charts[0].observations
    assert (observation.value, observation.reference_low) == (Decimal(185), Decimal(70))
    assert observation.reference_high is None


def test_a_bundle_id_with_control_characters_is_not_kept_as_the_control_id() -> None:
    bundle = {"resourceType": "Bundle", "id": "b\u0000\u001b1", "type": "collection", "entry": []}
    (item,) = read_fhir(json.dumps(bundle).encode(), "b.json")
    assert isinstance(item, Submission) and item.control_id == ""
