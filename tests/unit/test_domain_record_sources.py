"""Where a part of the record came from, as the chart names it."""

from __future__ import annotations

from himdesk.domain.record_sources import (
    ReceivedPart,
    analysed_here,
    received_label,
    sender_name,
    senders_by_part,
)


def test_senders_are_named_by_format_and_hl7_by_facility() -> None:
    assert sender_name("urn:fhir") == "FHIR R4"
    assert sender_name("hl7v2:MN Public Health Lab") == "HL7 v2 MN Public Health Lab"
    assert sender_name("hl7v2:") == "HL7 v2"
    assert sender_name("cda:2.16.840.1.113883.19.5.99999.1") == "C-CDA"
    assert sender_name("urn:other") == "urn:other"


def test_a_part_from_two_systems_names_each_once() -> None:
    assert received_label(["cda:1.2", "cda:3.4", "hl7v2:CDPH"]) == "C-CDA, HL7 v2 CDPH"
    assert received_label([]) == ""


def test_parts_are_grouped_by_kind_and_id() -> None:
    parts = [ReceivedPart("observation", 4, "urn:fhir"), ReceivedPart("encounter", 4, "cda:1"),
             ReceivedPart("observation", 4, "urn:fhir")]  # fmt: skip
    assert senders_by_part(parts) == {("observation", 4): ("urn:fhir",),
                                      ("encounter", 4): ("cda:1",)}  # fmt: skip


def test_only_the_hospitals_own_and_its_hl7_feeds_encounters_are_analysed() -> None:
    assert analysed_here([])
    assert analysed_here(["hl7v2:MERCY"])
    assert analysed_here(["urn:fhir", "hl7v2:MERCY"])
    assert not analysed_here(["urn:fhir"])
    assert not analysed_here(["cda:2.16.840.1.113883.19"])
