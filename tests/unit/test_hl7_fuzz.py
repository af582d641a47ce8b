"""Any input to the HL7 v2 reader gives a submission or a clean rejection, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.hl7_feed import adt, mdm, merge, oru

from himdesk.domain.incoming import Rejected, Submission
from himdesk.interop.hl7v2.acks import AckCode, acknowledgement
from himdesk.interop.hl7v2.reader import message_header, read_hl7

FUZZ = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)  # writes nothing to the tree
SEEDS = [
    adt("A01"),
    adt("A03", discharged="20261101100000", disposition="01"),
    adt("A08"),
    oru(),
    mdm(),
    merge("M1", surviving="MRN1001", merged="MRN0999"),
]
SAMPLES = (
    "microsoft_fhir_converter/messages/ADT-A01-01.hl7",
    "microsoft_fhir_converter/messages/MDM-T02-03.hl7",
    "cdc_trusted_intermediary/messages/Natus/002_Natus_ORU_R01_NBS.hl7",
)
# Text that means something to HL7: separators, escapes, segment ids, framing, odd bytes.
PIECES = st.sampled_from(
    [
        b"|",
        b"^",
        b"~",
        b"\\",
        b"&",
        b"\r",
        b"\n",
        b"\\.br\\",
        b"\\X41\\",
        b"\\E\\",
        b"MSH|^~\\&|",
        b"PID|",
        b"OBX|",
        b"\x0b",
        b"\x1c\r",
        b"\xff",
        b"\xef\xbb\xbf",
        b"20261301",
        b"99999999999999999",
        b"NM",
        b"SN",
        b"-",
        b"<",
        b"1e9",
        b"NaN",
        b"",
    ]
)
FIELD_TEXT = st.lists(st.one_of(PIECES, st.binary(max_size=8)), max_size=5).map(b"".join)


def assert_clean(content: bytes) -> None:
    items = list(read_hl7(content, "fuzz.hl7"))
    assert items
    for item in items:
        assert isinstance(item, Submission | Rejected)
        if isinstance(item, Rejected):
            assert item.problem and "internal error" not in item.problem, item
    problem = next((item for item in items if isinstance(item, Rejected)), None)
    code = AckCode.REJECT if problem else AckCode.ACCEPT
    ack = acknowledgement(
        message_header(content),
        code,
        control_id="F1",
        at=datetime(2026, 11, 2, tzinfo=UTC),
        problem=problem,
    )
    assert ack.startswith(b"MSH")


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_are_read_or_rejected_cleanly(content: bytes) -> None:
    assert_clean(content)


@FUZZ
@given(st.lists(st.one_of(PIECES, st.binary(max_size=20)), max_size=40).map(b"".join))
def test_hl7_looking_noise_is_read_or_rejected_cleanly(content: bytes) -> None:
    assert_clean(b"MSH|^~\\&|" + content)


def _mutate(data: st.DataObject, seed: bytes) -> bytes:
    segments = [s.split(b"|") for s in seed.split(b"\r") if s]
    if not segments:
        return seed
    for _ in range(data.draw(st.integers(1, 4))):
        row = segments[data.draw(st.integers(0, len(segments) - 1))]
        where = data.draw(st.integers(0, max(len(row) - 1, 0)))
        action = data.draw(st.sampled_from(["delete", "replace", "insert", "drop", "repeat"]))
        if action == "delete" and len(row) > 1:
            del row[where]
        elif action == "replace":
            row[where] = data.draw(FIELD_TEXT)
        elif action == "insert":
            row.insert(where, data.draw(FIELD_TEXT))
        elif action == "drop" and len(segments) > 1:
            segments.remove(row)
        elif action == "repeat":
            segments.append(list(row))
    content = b"\r".join(b"|".join(row) for row in segments)
    return (
        content[: data.draw(st.integers(0, len(content)))] if data.draw(st.booleans()) else content
    )


@FUZZ
@given(st.data())
def test_mutated_messages_of_the_test_feed_are_read_or_rejected_cleanly(
    data: st.DataObject,
) -> None:
    assert_clean(_mutate(data, data.draw(st.sampled_from(SEEDS))))


@settings(FUZZ, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_shared_samples_are_read_or_rejected_cleanly(
    data: st.DataObject, shared_data: Path
) -> None:
    path = shared_data / "hl7v2" / data.draw(st.sampled_from(SAMPLES))
    assert_clean(_mutate(data, path.read_bytes().replace(b"\n", b"\r")))
