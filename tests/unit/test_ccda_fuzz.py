"""Whatever arrives, the C-CDA reader gives a submission the record can hold or a clean rejection.

Random bytes, XML-like text, and real documents with parts deleted or values replaced by
garbage: never an exception, never the reader's last-resort "could not be read".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from himdesk.domain.incoming import IncomingPatient, Rejected, Submission
from himdesk.interop.ccda.reader import read_ccda

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SAMPLES = [
    "hl7_ccda_examples/Documents/CCD/CCD 2/CCD.xml",
    "hl7_ccda_examples/Documents/Discharge Summary/Discharge_Summary.xml",
    "smart_sample_ccdas/EMERGE/Patient-1.xml",
    "smart_sample_ccdas/Cerner Samples/Transition_of_Care_Referral_Summary.xml",
]
XMLISH = st.lists(
    st.sampled_from(
        [
            "<",
            ">",
            "</",
            "/>",
            '="',
            '"',
            "&",
            "&amp;",
            ";",
            "<!DOCTYPE x [",
            "<!ENTITY e 'v'>",
            "]>",
            "<![CDATA[",
            "]]>",
            "<?xml version='1.0'?>",
            "<!--",
            "-->",
            "ClinicalDocument",
            ' xmlns="urn:hl7-org:v3"',
            "recordTarget",
            "patientRole",
            "birthTime",
            " value=",
            "20240101",
            "section",
            "entry",
            "x",
            " ",
            "\n",
            "\u00e9",
            "\x00",
        ]
    ),
    max_size=60,
).map("".join)
GARBAGE = st.text(max_size=40) | st.sampled_from(
    ["", "abc", "0", "-1", "1E+999999", "NaN", "99999999999999999999999"]
)


@pytest.fixture(scope="module")
def documents(shared_data: Path) -> list[bytes]:
    return [(shared_data / "ccda" / sample).read_bytes() for sample in SAMPLES]


def assert_clean(content: bytes) -> Submission | Rejected:
    outcomes = list(read_ccda(content, "fuzz.xml"))
    assert len(outcomes) == 1
    [outcome] = outcomes
    assert isinstance(outcome, Submission | Rejected)
    if isinstance(outcome, Rejected):
        assert "could not be read" not in outcome.problem, outcome
    else:
        assert_holdable(outcome)
    return outcome


def assert_holdable(submission: Submission) -> None:
    """Every text fits the column the record keeps it in (storage/tables.py)."""
    [chart] = submission.charts
    patient = chart.patient
    assert isinstance(patient, IncomingPatient)
    assert max(len(patient.family_name), len(patient.given_name), len(patient.middle_name)) <= 60
    assert len(patient.address.line) <= 120 and len(patient.address.state) <= 2
    assert len(patient.address.postal_code) <= 10 and len(patient.phone) <= 20
    assert all(len(d.title) <= 200 and len(d.type_code) <= 20 for d in chart.documents)
    for observation in chart.observations:
        assert len(observation.code) <= 20 and len(observation.display) <= 120
        assert len(observation.unit) <= 20 and abs(observation.value) < 10**9
    assert all(len(d.description) <= 200 and len(d.code) <= 20 for d in chart.diagnoses)
    assert all(len(p.description) <= 200 for p in chart.procedures)
    for medication in chart.medications:
        assert len(medication.name) <= 120 and len(medication.dose) <= 40
        assert len(medication.route) <= 20 and len(medication.frequency) <= 40
    for allergy in chart.allergies:
        assert len(allergy.substance) <= 120 and len(allergy.reaction) <= 120
        assert len(allergy.severity) <= 20
    for clinician in submission.clinicians:
        assert len(clinician.credentials) <= 20 and len(clinician.specialty) <= 60


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_are_rejected_cleanly(content: bytes) -> None:
    assert_clean(content)


@FUZZ
@given(XMLISH)
def test_xml_like_text_is_rejected_cleanly(text: str) -> None:
    assert_clean(text.encode("utf-8", errors="surrogatepass"))


@FUZZ
@given(st.data())
def test_real_documents_with_parts_deleted_or_garbled_read_cleanly(
    documents: list[bytes], data: st.DataObject
) -> None:
    root = etree.fromstring(data.draw(st.sampled_from(documents)))
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    for _ in range(data.draw(st.integers(1, 5))):
        target = data.draw(st.sampled_from(elements))
        mutation = data.draw(st.sampled_from(["delete", "attribute", "drop attribute", "text"]))
        if mutation == "delete" and target.getparent() is not None:
            target.getparent().remove(target)  # type: ignore[union-attr]
            elements = [e for e in root.iter() if isinstance(e.tag, str)]
        elif mutation == "attribute" and target.attrib:
            name = data.draw(st.sampled_from(sorted(target.attrib)))
            target.set(name, data.draw(GARBAGE.filter(_xml_safe)))
        elif mutation == "drop attribute" and target.attrib:
            del target.attrib[data.draw(st.sampled_from(sorted(target.attrib)))]
        elif mutation == "text":
            target.text = data.draw(GARBAGE.filter(_xml_safe))
    assert_clean(etree.tostring(root))


def _xml_safe(text: str) -> bool:
    """lxml refuses control characters and lone surrogates: garbage must still be XML text."""
    return all(c in "\t\n\r" or (c >= " " and c not in _NOT_XML) for c in text) and not any(
        "\ud800" <= c <= "\udfff" for c in text
    )


_NOT_XML = "\ufffe\uffff"


@FUZZ
@given(st.data())
def test_every_time_stamp_replaced_by_garbage_reads_cleanly(
    documents: list[bytes], data: st.DataObject
) -> None:
    root = etree.fromstring(data.draw(st.sampled_from(documents)))
    stamps = [e for e in root.iter() if isinstance(e.tag, str) and e.get("value", "").isdigit()]
    for stamp in data.draw(st.lists(st.sampled_from(stamps), min_size=1, max_size=5)):
        stamp.set("value", data.draw(GARBAGE.filter(_xml_safe)))
    assert_clean(etree.tostring(root))


def test_a_garbled_birth_time_is_a_rejection_naming_it(documents: list[bytes]) -> None:
    for content in documents:
        root = etree.fromstring(content)
        birth = root.find(".//{urn:hl7-org:v3}patient/{urn:hl7-org:v3}birthTime")
        assert birth is not None
        birth.set("value", "abc")
        rejected = assert_clean(etree.tostring(root))
        assert isinstance(rejected, Rejected)
        assert rejected.where.endswith("patientRole/patient/birthTime/@value")


@FUZZ
@given(st.integers(2, 12), st.integers(2, 12))
def test_entity_bombs_of_any_shape_are_refused(depth: int, width: int) -> None:
    declarations = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * width}">' for i in range(1, depth))
    bomb = (
        f'<!DOCTYPE d [<!ENTITY e0 "ha">{declarations}]>'
        f'<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&e{depth - 1};</title>'
        "</ClinicalDocument>"
    ).encode()
    assert isinstance(assert_clean(bomb), Rejected)
