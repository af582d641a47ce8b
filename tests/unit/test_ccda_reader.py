"""Reading C-CDA R2.1 documents into submissions: header, narrative, entries, rejections."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from himdesk.domain.incoming import (
    IdentifierKind,
    IncomingPatient,
    PatientIdentifier,
    Rejected,
    SourceFormat,
    SourceRef,
    Submission,
)
from himdesk.domain.records import (
    AbnormalFlag,
    AdministrativeSex,
    DischargeDisposition,
    DocumentStatus,
    DocumentType,
    EncounterClass,
    EncounterStatus,
)
from himdesk.interop.ccda.reader import read_ccda

SECTION = "2.16.840.1.113883.10.20.22.2."
BIRTH = '<birthTime value="19580611"/>'
STAY = """
<componentOf><encompassingEncounter>
  <id root="2.16.840.1.113883.19.5.99999.3" extension="V-88"/>
  <code code="IMP" codeSystem="2.16.840.1.113883.5.4"/>
  <effectiveTime><low value="20240301080000-0500"/>
    <high value="20240305120000-0500"/></effectiveTime>
  <dischargeDispositionCode code="01" codeSystem="2.16.840.1.113883.12.112"/>
  <responsibleParty><assignedEntity>
    <id root="2.16.840.1.113883.4.6" extension="1588667638"/>
    <assignedPerson><name><given>Lena</given><family>Park</family></name></assignedPerson>
  </assignedEntity></responsibleParty>
</encompassingEncounter></componentOf>"""


def document(
    *sections: str,
    code: str = "34133-9",
    title: str = "Summary of care",
    birth: str = BIRTH,
    header: str = "",
) -> bytes:
    """A small, valid C-CDA R2.1 document around the given sections (all names made up)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:sdtc="urn:hl7-org:sdtc">
  <realmCode code="US"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <templateId root="2.16.840.1.113883.10.20.22.1.1" extension="2015-08-01"/>
  <id root="2.16.840.1.113883.19.5.99999.1" extension="DOC-1"/>
  <code code="{code}" codeSystem="2.16.840.1.113883.6.1"/>
  <title>{title}</title>
  <effectiveTime value="20240305143000-0500"/>
  <recordTarget><patientRole>
    <id root="2.16.840.1.113883.19.5.99999.2" extension="MRN-4471"/>
    <id root="2.16.840.1.113883.4.1" extension="123456789"/>
    <addr use="HP"><streetAddressLine>12 Elm Street</streetAddressLine>
      <city>Springfield</city><state>IL</state><postalCode>62704</postalCode></addr>
    <telecom use="HP" value="tel:+1(217)555-0142"/>
    <patient>
      <name use="L"><given>Maria</given><given>Elena</given><family>Okafor</family></name>
      <administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>
      {birth}
    </patient>
  </patientRole></recordTarget>
  <author><time value="20240305143000-0500"/><assignedAuthor>
    <id root="2.16.840.1.113883.4.6" extension="1234567893"/>
    <code code="207R00000X" displayName="Internal Medicine"/>
    <assignedPerson><name><given>Adam</given><family>Reyes</family><suffix>MD</suffix></name>
    </assignedPerson>
  </assignedAuthor></author>
  <legalAuthenticator><time value="20240305160000-0500"/><signatureCode code="S"/>
    <assignedEntity><id root="2.16.840.1.113883.4.6" extension="1234567893"/>
    <assignedPerson><name><given>Adam</given><family>Reyes</family></name></assignedPerson>
  </assignedEntity></legalAuthenticator>
  {header}
  <component><structuredBody>{"".join(sections)}</structuredBody></component>
</ClinicalDocument>""".encode()


def section(template: str, code: str, title: str, text: str = "", *entries: str) -> str:
    body = "".join(f"<entry>{e}</entry>" for e in entries)
    return f"""<component><section>
  <templateId root="{SECTION}{template}" extension="2015-08-01"/>
  <code code="{code}" codeSystem="2.16.840.1.113883.6.1"/>
  <title>{title}</title><text>{text}</text>{body}</section></component>"""


def read(content: bytes) -> Submission:
    [result] = list(read_ccda(content, "summary.xml"))
    assert isinstance(result, Submission), result
    return result


def rejection(content: bytes) -> Rejected:
    [result] = list(read_ccda(content, "summary.xml"))
    assert isinstance(result, Rejected), result
    return result


def problem(value: str, *, identifier: str = "", negated: bool = False, text: str = "") -> str:
    negation = ' negationInd="true"' if negated else ""
    return f"""<act classCode="ACT" moodCode="EVN">
  <templateId root="2.16.840.1.113883.10.20.22.4.3"/><code code="CONC"/>
  <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN"{negation}>
    <templateId root="2.16.840.1.113883.10.20.22.4.4"/>{identifier}
    <code code="55607006" codeSystem="2.16.840.1.113883.6.96"/>{text}
    <effectiveTime><low value="20230110"/></effectiveTime>
    {value}
  </observation></entryRelationship></act>"""


def coded_value(code: str, system: str, display: str = "") -> str:
    """A CD value element; `system` is the OID after 2.16.840.1.113883.6."""
    shown = f' displayName="{display}"' if display else ""
    return f'<value xsi:type="CD" code="{code}" codeSystem="2.16.840.1.113883.6.{system}"{shown}/>'


def result(code: str, value: str, *extra: str) -> str:
    return f"""<observation classCode="OBS" moodCode="EVN">
  <code code="{code}" codeSystem="2.16.840.1.113883.6.1" displayName="Result {code}"/>
  <effectiveTime value="20240304091500-0500"/>{value}{"".join(extra)}</observation>"""


# --- the document as a whole ------------------------------------------------------------------


def test_a_document_becomes_one_submission_with_one_chart_and_one_document() -> None:
    content = document()
    submission = read(content)
    assert submission.format is SourceFormat.CCDA
    assert submission.label == "summary.xml"
    assert submission.fingerprint == hashlib.sha256(content).hexdigest()
    assert submission.message_type == "CCD"
    assert submission.control_id == "DOC-1"
    [chart] = submission.charts
    assert len(chart.documents) == 1


def test_the_patient_comes_from_the_record_target() -> None:
    patient = read(document()).charts[0].patient
    assert isinstance(patient, IncomingPatient)
    assert patient.source == SourceRef("cda:2.16.840.1.113883.19.5.99999.2", "MRN-4471")
    assert (patient.given_name, patient.middle_name, patient.family_name) == (
        "Maria",
        "Elena",
        "Okafor",
    )
    assert patient.birth_on == date(1958, 6, 11)
    assert patient.sex is AdministrativeSex.FEMALE
    assert patient.identifiers == (
        PatientIdentifier(IdentifierKind.MRN, "urn:oid:2.16.840.1.113883.19.5.99999.2", "MRN-4471"),
        PatientIdentifier(IdentifierKind.SSN, "http://hl7.org/fhir/sid/us-ssn", "123-45-6789"),
    )
    assert patient.address.one_line() == "12 Elm Street, Springfield, IL 62704"
    assert patient.phone == "(217) 555-0142"


def test_a_masked_ssn_is_left_out_without_failing_the_document() -> None:
    content = document().replace(b'extension="123456789"', b'extension="XXX-XX-6789"')
    patient = read(content).charts[0].patient
    assert isinstance(patient, IncomingPatient)
    assert [i.kind for i in patient.identifiers] == [IdentifierKind.MRN]


def test_a_patient_without_a_birth_date_is_rejected_naming_where() -> None:
    rejected = rejection(document(birth=""))
    assert rejected.where == "ClinicalDocument/recordTarget/patientRole/patient/birthTime"
    assert "birth date" in rejected.problem


def test_a_birth_time_that_is_not_a_time_stamp_is_rejected_naming_the_attribute() -> None:
    rejected = rejection(document(birth='<birthTime value="abc"/>'))
    assert rejected.where == "ClinicalDocument/recordTarget/patientRole/patient/birthTime/@value"
    assert "HL7 time stamp" in rejected.problem
    assert "abc" not in str(rejected)  # the value itself is never echoed


def test_a_patient_without_a_name_is_rejected() -> None:
    content = document().replace(b"<family>Okafor</family>", b"")
    assert rejection(content).where.endswith("patientRole/patient/name")


def test_a_document_naming_two_patients_is_rejected() -> None:
    content = document()
    start, end = content.index(b"<recordTarget>"), content.index(b"</recordTarget>") + 15
    content = content[:end] + content[start:end] + content[end:]
    assert "names 2 patients" in rejection(content).problem


@pytest.mark.parametrize(
    ("content", "where", "problem"),
    [
        (b"", "document root", "the file is empty"),
        (b"   \n", "document root", "the file is empty"),
        (b"MSH|^~\\&|LAB", "line 1", "is not well-formed XML"),
        (b"<ClinicalDocument><title>", "line 1", "is not well-formed XML"),
        (
            b'<section><value xsi:type="CD"/></section>',
            "document root",
            "root element is <section>, expected ClinicalDocument (a fragment, not a document)",
        ),
        (b"<ClinicalDocument/>", "document root", "not in the HL7 v3 namespace"),
        (
            b'<section xmlns="urn:hl7-org:v3"><title>Problems</title></section>',
            "document root",
            "root element is <section>, expected ClinicalDocument (a fragment, not a document)",
        ),
    ],
)
def test_what_is_not_a_clinical_document_is_rejected_saying_why(
    content: bytes, where: str, problem: str
) -> None:
    rejected = rejection(content)
    assert rejected.where == where
    assert problem in rejected.problem


def test_a_billion_laughs_bomb_is_refused_without_expanding_it() -> None:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]>'
        '<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&lol9;</title></ClinicalDocument>'
    ).encode()
    assert "DOCTYPE" in rejection(bomb).problem
    # Also when the DOCTYPE hides behind a long comment, out of reach of the quick check.
    padded = bomb.replace(b"?>", b"?><!--" + b"x" * 70_000 + b"-->", 1)
    assert isinstance(rejection(padded), Rejected)


def test_an_external_entity_is_never_read() -> None:
    xxe = (
        b'<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&e;</title></ClinicalDocument>'
    )
    padded = b"<!--" + b"x" * 70_000 + b"-->" + xxe
    for content in (xxe, padded):
        rejected = rejection(content)
        assert "DOCTYPE" in rejected.problem
        assert "root:x" not in str(rejected)


def test_a_document_without_an_id_or_time_is_rejected() -> None:
    no_id = (
        document()
        .replace(b'extension="DOC-1"', b'nullFlavor="NI"')
        .replace(b'root="2.16.840.1.113883.19.5.99999.1" ', b"")
    )
    assert rejection(no_id).where == "ClinicalDocument/id"
    no_time = document().replace(b'<effectiveTime value="20240305143000-0500"/>', b"", 1)
    assert rejection(no_time).where == "ClinicalDocument/effectiveTime"


# --- the document ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("34133-9", DocumentType.CLINICAL_NOTE),
        ("18842-5", DocumentType.DISCHARGE_SUMMARY),
        ("34117-2", DocumentType.HISTORY_AND_PHYSICAL),
        ("11506-3", DocumentType.PROGRESS_NOTE),
        ("11488-4", DocumentType.CONSULTATION),
        ("11504-8", DocumentType.OPERATIVE_REPORT),
        ("28570-0", DocumentType.CLINICAL_NOTE),
        ("18748-4", DocumentType.RADIOLOGY_REPORT),
        ("57016-8", DocumentType.CLINICAL_NOTE),
    ],
)
def test_the_loinc_document_code_gives_the_document_type_and_is_kept(
    code: str, expected: DocumentType
) -> None:
    [received] = read(document(code=code)).charts[0].documents
    assert received.document_type is expected
    assert received.type_code == code


def test_the_document_keeps_its_source_times_author_and_signature() -> None:
    submission = read(document())
    [received] = submission.charts[0].documents
    assert received.source == SourceRef("cda:2.16.840.1.113883.19.5.99999.1", "DOC-1")
    assert received.title == "Summary of care"
    assert received.authored_at == datetime(2024, 3, 5, 19, 30, tzinfo=UTC)
    assert received.status is DocumentStatus.SIGNED
    assert received.signed_at == datetime(2024, 3, 5, 21, 0, tzinfo=UTC)
    author = SourceRef("cda:2.16.840.1.113883.4.6", "1234567893")
    assert received.author == received.signed_by == author
    [clinician] = submission.clinicians
    assert (clinician.source, clinician.npi) == (author, "1234567893")
    assert (clinician.given_name, clinician.family_name) == ("Adam", "Reyes")
    assert (clinician.credentials, clinician.specialty) == ("MD", "Internal Medicine")


def test_a_document_authenticated_by_another_clinician_names_them_as_the_signer() -> None:
    signer = """<legalAuthenticator><time value="20240305160000-0500"/><signatureCode code="S"/>
    <assignedEntity><id root="2.16.840.1.113883.4.6" extension="1588667638"/>
    <assignedPerson><name><given>Lena</given><family>Park</family></name></assignedPerson>
  </assignedEntity></legalAuthenticator>"""
    own = document().decode()
    first, rest = own.split("<legalAuthenticator>", 1)
    content = (first + signer + rest.split("</legalAuthenticator>", 1)[1]).encode()
    submission = read(content)
    [received] = submission.charts[0].documents
    assert received.author == SourceRef("cda:2.16.840.1.113883.4.6", "1234567893")
    assert received.signed_by == SourceRef("cda:2.16.840.1.113883.4.6", "1588667638")
    assert sorted(c.family_name for c in submission.clinicians) == ["Park", "Reyes"]


def test_a_long_title_is_shortened_with_an_ellipsis() -> None:
    [received] = read(document(title="Summary " * 40)).charts[0].documents
    assert len(received.title) == 200
    assert received.title.endswith("…")


def test_section_narrative_becomes_headed_plain_text() -> None:
    text = """<paragraph>Admitted for <content styleCode="Bold">chest pain</content>.</paragraph>
      <list><item>Aspirin daily</item><item>Walk <br/>twice a day</item></list>
      <table><thead><tr><th>Test</th><th>Value</th></tr></thead>
      <tbody><tr><td>Troponin</td><td>0.01 ng/mL</td></tr><tr><td>Sodium</td><td/></tr></tbody>
      </table>"""
    content = document(
        section("8", "51848-0", "Assessment", text),
        section("10", "18776-5", "Plan of care", "<paragraph>Follow up in 2 weeks</paragraph>"),
    )
    [received] = read(content).charts[0].documents
    assert received.text == (
        "ASSESSMENT:\nAdmitted for chest pain.\n- Aspirin daily\n- Walk\n  twice a day\n"
        "Test: Troponin; Value: 0.01 ng/mL\nTest: Sodium"
        "\n\nPLAN OF CARE:\nFollow up in 2 weeks"
    )


def test_unstructured_plain_text_is_kept_and_a_pdf_is_noted_as_not_held() -> None:
    body = base64.b64encode(b"Surgical consult: no acute findings.").decode()
    plain = document().replace(
        b"<component><structuredBody></structuredBody></component>",
        f'<component><nonXMLBody><text mediaType="text/plain" representation="B64">{body}'
        "</text></nonXMLBody></component>".encode(),
    )
    assert read(plain).charts[0].documents[0].text == "Surgical consult: no acute findings."
    pdf = plain.replace(b"text/plain", b"application/pdf")
    submission = read(pdf)
    assert "application/pdf" in submission.charts[0].documents[0].text
    assert dict(submission.not_held) == {"Attached application/pdf content": 1}


# --- entries ----------------------------------------------------------------------------------


def test_problems_become_diagnoses_with_codes_from_the_value() -> None:
    value = coded_value("I10", "90", "Essential hypertension")
    identifier = '<id root="2.16.840.1.113883.19.5.99999.7" extension="P-1"/>'
    content = document(
        section("5.1", "11450-4", "Problems", "", problem(value, identifier=identifier))
    )
    [diagnosis] = read(content).charts[0].diagnoses
    assert diagnosis.source == SourceRef("cda:2.16.840.1.113883.19.5.99999.7", "P-1")
    assert (diagnosis.code, diagnosis.code_system) == ("I10", "http://hl7.org/fhir/sid/icd-10-cm")
    assert diagnosis.description == "Essential hypertension"
    assert diagnosis.documented_at == datetime(2023, 1, 10, tzinfo=UTC)


def test_a_problem_without_a_display_name_takes_the_words_of_the_narrative() -> None:
    value = """<value xsi:type="CD" code="44054006" codeSystem="2.16.840.1.113883.6.96">
      <originalText><reference value="#p1"/></originalText></value>"""
    text = '<list><item><content ID="p1">Type 2 diabetes, diet controlled</content></item></list>'
    content = document(section("5.1", "11450-4", "Problems", text, problem(value)))
    [diagnosis] = read(content).charts[0].diagnoses
    assert diagnosis.description == "Type 2 diabetes, diet controlled"


def test_a_negated_problem_is_counted_not_kept() -> None:
    value = coded_value("73211009", "96", "Diabetes")
    content = document(section("5.1", "11450-4", "Problems", "", problem(value, negated=True)))
    submission = read(content)
    assert submission.charts[0].diagnoses == ()
    assert dict(submission.not_held) == {"Problems recorded as absent": 1}


def test_diagnoses_of_a_discharge_summary_belong_to_the_stay() -> None:
    value = coded_value("K35.80", "90", "Appendicitis")
    content = document(
        section("24", "11535-2", "Discharge diagnosis", "", problem(value)),
        code="18842-5",
        header=STAY,
    )
    chart = read(content).charts[0]
    [stay] = chart.encounters
    [diagnosis] = chart.diagnoses
    assert diagnosis.encounter == stay.source == chart.documents[0].encounter


def test_the_encompassing_encounter_gives_class_times_attending_and_disposition() -> None:
    submission = read(document(code="18842-5", header=STAY))
    [stay] = submission.charts[0].encounters
    assert stay.source == SourceRef("cda:2.16.840.1.113883.19.5.99999.3", "V-88")
    assert stay.encounter_class is EncounterClass.INPATIENT
    assert stay.status is EncounterStatus.DISCHARGED
    assert stay.admitted_at == datetime(2024, 3, 1, 13, 0, tzinfo=UTC)
    assert stay.discharged_at == datetime(2024, 3, 5, 17, 0, tzinfo=UTC)
    assert stay.discharge_disposition is DischargeDisposition.HOME
    assert stay.attending == SourceRef("cda:2.16.840.1.113883.4.6", "1588667638")
    assert stay.attending in {c.source for c in submission.clinicians}


def test_medications_keep_dose_route_frequency_and_dates() -> None:
    entry = """<substanceAdministration classCode="SBADM" moodCode="EVN">
      <id root="2.16.840.1.113883.19.5.99999.8" extension="M-1"/>
      <effectiveTime xsi:type="IVL_TS"><low value="20230201"/><high value="20240201"/>
      </effectiveTime>
      <effectiveTime xsi:type="PIVL_TS" institutionSpecified="true" operator="A">
        <period value="12" unit="h"/></effectiveTime>
      <routeCode code="C38288" codeSystem="2.16.840.1.113883.3.26.1.1" displayName="Oral"/>
      <doseQuantity value="500" unit="mg"/>
      <consumable><manufacturedProduct><manufacturedMaterial>
        <code code="861007" codeSystem="2.16.840.1.113883.6.88"
          displayName="metformin 500 MG Oral Tablet"/>
      </manufacturedMaterial></manufacturedProduct></consumable></substanceAdministration>"""
    content = document(section("1.1", "10160-0", "Medications", "", entry))
    [medication] = read(content).charts[0].medications
    assert medication.name == "metformin 500 MG Oral Tablet"
    assert (medication.code, medication.code_system) == (
        "861007",
        "http://www.nlm.nih.gov/research/umls/rxnorm",
    )
    assert (medication.dose, medication.route, medication.frequency) == (
        "500 mg",
        "Oral",
        "twice a day",
    )
    assert (medication.started_on, medication.ended_on) == (date(2023, 2, 1), date(2024, 2, 1))


def test_a_medication_taken_as_needed_at_bedtime_says_so() -> None:
    entry = """<substanceAdministration classCode="SBADM" moodCode="EVN">
      <effectiveTime xsi:type="EIVL_TS"><event code="HS"/></effectiveTime>
      <consumable><manufacturedProduct><manufacturedMaterial>
        <code code="1" codeSystem="2.16.840.1.113883.6.88" displayName="zolpidem"/>
      </manufacturedMaterial></manufacturedProduct></consumable>
      <precondition><criterion/></precondition></substanceAdministration>"""
    content = document(section("1.1", "10160-0", "Medications", "", entry))
    [medication] = read(content).charts[0].medications
    assert medication.frequency == "at bedtime as needed"
    assert medication.started_on == date(2024, 3, 5)  # no start given: as of the document


def test_allergies_keep_substance_reaction_and_severity() -> None:
    entry = f"""<act classCode="ACT" moodCode="EVN"><code code="CONC"/>
      <effectiveTime><low value="20200115"/></effectiveTime>
      <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN">
        <id root="2.16.840.1.113883.19.5.99999.9" extension="A-1"/>
        <value xsi:type="CD" code="416098002" codeSystem="2.16.840.1.113883.6.96"/>
        <participant typeCode="CSM"><participantRole><playingEntity>
          <code code="7980" codeSystem="2.16.840.1.113883.6.88" displayName="Penicillin G"/>
        </playingEntity></participantRole></participant>
        <entryRelationship typeCode="MFST"><observation classCode="OBS" moodCode="EVN">
          {coded_value("247472004", "96", "Hives")}
          <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN">
            <code code="SEV"/><value xsi:type="CD" code="6736007" displayName="Moderate"/>
          </observation></entryRelationship>
        </observation></entryRelationship>
      </observation></entryRelationship></act>"""
    content = document(section("6.1", "48765-2", "Allergies", "", entry))
    [allergy] = read(content).charts[0].allergies
    assert allergy.source == SourceRef("cda:2.16.840.1.113883.19.5.99999.9", "A-1")
    assert (allergy.substance, allergy.code) == ("Penicillin G", "7980")
    assert (allergy.reaction, allergy.severity) == ("Hives", "Moderate")
    assert allergy.recorded_on == date(2020, 1, 15)


def test_no_known_allergies_is_counted_and_never_becomes_an_allergy() -> None:
    entry = """<act classCode="ACT" moodCode="EVN"><code code="CONC"/>
      <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN">
        <value xsi:type="CD" code="716186003" codeSystem="2.16.840.1.113883.6.96"/>
        <participant typeCode="CSM"><participantRole><playingEntity>
          <code nullFlavor="NA"/></playingEntity></participantRole></participant>
      </observation></entryRelationship></act>"""
    submission = read(document(section("6.1", "48765-2", "Allergies", "", entry)))
    assert submission.charts[0].allergies == ()
    assert dict(submission.not_held) == {"Allergies recorded as absent": 1}


def test_numeric_results_keep_unit_range_and_flag_and_others_are_counted() -> None:
    glucose = result(
        "2345-7",
        '<value xsi:type="PQ" value="185" unit="mg/dL"/>',
        '<interpretationCode code="H" codeSystem="2.16.840.1.113883.5.83"/>',
        '<referenceRange><observationRange><value xsi:type="IVL_PQ"><low value="70" unit="mg/dL"/>'
        '<high value="99" unit="mg/dL"/></value></observationRange></referenceRange>',
    )
    color = result("5778-6", '<value xsi:type="ST">Yellow</value>')
    organizer = f"""<organizer classCode="BATTERY" moodCode="EVN"><code code="24323-8"/>
      <component>{glucose}</component><component>{color}</component></organizer>"""
    submission = read(document(section("3.1", "30954-2", "Results", "", organizer)))
    [observation] = submission.charts[0].observations
    assert (observation.code, observation.code_system) == ("2345-7", "http://loinc.org")
    assert (observation.value, observation.unit) == (Decimal("185"), "mg/dL")
    assert (observation.reference_low, observation.reference_high) == (Decimal(70), Decimal(99))
    assert observation.flag is AbnormalFlag.HIGH
    assert observation.observed_at == datetime(2024, 3, 4, 14, 15, tzinfo=UTC)
    assert dict(submission.not_held) == {"Results without a numeric value": 1}


def test_vital_signs_become_observations() -> None:
    organizer = f"""<organizer classCode="CLUSTER" moodCode="EVN"><code code="46680005"/>
      <effectiveTime value="20240304"/>
      <component>{result("8480-6", '<value xsi:type="PQ" value="132" unit="mm[Hg]"/>')}</component>
      </organizer>"""
    [observation] = (
        read(document(section("4.1", "8716-3", "Vital signs", "", organizer)))
        .charts[0]
        .observations
    )
    assert (observation.code, observation.value, observation.unit) == (
        "8480-6",
        Decimal(132),
        "mm[Hg]",
    )


def test_encounter_entries_become_encounters_of_their_class() -> None:
    entry = """<encounter classCode="ENC" moodCode="EVN">
      <id root="2.16.840.1.113883.19.5.99999.4" extension="E-7"/>
      <code code="99283" codeSystem="2.16.840.1.113883.6.12" displayName="ED visit"/>
      <effectiveTime><low value="20231102"/><high value="20231102"/></effectiveTime>
      <performer><assignedEntity><id root="2.16.840.1.113883.4.6" extension="1588667638"/>
        <assignedPerson><name><given>Lena</given><family>Park</family></name></assignedPerson>
      </assignedEntity></performer></encounter>"""
    submission = read(document(section("22.1", "46240-8", "Encounters", "", entry)))
    [encounter] = submission.charts[0].encounters
    assert encounter.encounter_class is EncounterClass.EMERGENCY
    assert encounter.status is EncounterStatus.DISCHARGED
    assert encounter.attending == SourceRef("cda:2.16.840.1.113883.4.6", "1588667638")


def test_procedures_keep_code_date_and_performer_and_planned_ones_are_counted() -> None:
    done = """<procedure classCode="PROC" moodCode="EVN">
      <code code="80146002" codeSystem="2.16.840.1.113883.6.96" displayName="Appendectomy"/>
      <effectiveTime value="20240302101500-0500"/></procedure>"""
    planned = done.replace('moodCode="EVN"', 'moodCode="INT"')
    submission = read(document(section("7.1", "47519-4", "Procedures", "", done, planned)))
    [procedure] = submission.charts[0].procedures
    assert (procedure.description, procedure.code) == ("Appendectomy", "80146002")
    assert procedure.performed_at == datetime(2024, 3, 2, 15, 15, tzinfo=UTC)
    assert dict(submission.not_held) == {"Procedures planned": 1}


def site(code: str, display: str, side: str = "") -> str:
    """A targetSiteCode, with a SNOMED CT laterality qualifier valued `side` when given."""
    snomed = 'codeSystem="2.16.840.1.113883.6.96"'
    qualifier = (f'<qualifier><name code="272741003" {snomed}/><value code="{side}" {snomed}/>'
                 "</qualifier>") if side else ""  # fmt: skip
    return f'<targetSiteCode code="{code}" {snomed} displayName="{display}">{qualifier}' \
           "</targetSiteCode>"  # fmt: skip


def test_the_side_of_a_problem_or_procedure_comes_from_its_laterality_qualifier() -> None:
    knee = problem(coded_value("239873007", "96", "Osteoarthritis of knee")
                   + site("72696002", "Knee", "24028007"))  # fmt: skip
    colectomy = f"""<procedure classCode="PROC" moodCode="EVN">
      <code code="82619000" codeSystem="2.16.840.1.113883.6.96" displayName="Colectomy"/>
      <effectiveTime value="20240302101500-0500"/>{site("71854001", "Colon", "7771000")}
      </procedure>"""  # fmt: skip
    arm = colectomy.replace(site("71854001", "Colon", "7771000"), site("368208008", "Left arm"))
    submission = read(document(
        section("5.1", "11450-4", "Problems", "", knee),
        section("7.1", "47519-4", "Procedures", "", colectomy, arm.replace("20240302", "20240303")),
    ))  # fmt: skip
    [chart] = submission.charts
    assert [d.laterality for d in chart.diagnoses] == ["right"]
    assert [p.laterality for p in chart.procedures] == ["left", ""]  # a sided site is no qualifier


def test_entries_without_an_id_get_the_same_identity_on_every_read() -> None:
    value = coded_value("J45", "90", "Asthma")
    content = document(section("5.1", "11450-4", "Problems", "", problem(value)))
    first, again = read(content), read(content)
    assert first.charts[0].diagnoses[0].source == again.charts[0].diagnoses[0].source
    assert first.charts[0].diagnoses[0].source == SourceRef(
        "cda:2.16.840.1.113883.19.5.99999.1", "DOC-1/section1/entry1/problem1"
    )


def test_different_entries_sharing_an_id_are_kept_apart_and_a_restated_one_once() -> None:
    same_id = '<id root="ab1791b0-5c71-11db-b0de-0800200c9a66"/>'
    asthma = coded_value("J45", "90", "Asthma")
    gout = coded_value("M10", "90", "Gout")
    problems = [problem(v, identifier=same_id) for v in (asthma, gout)]
    content = document(section("5.1", "11450-4", "Problems", "", *problems))
    sources = [d.source for d in read(content).charts[0].diagnoses]
    assert len(set(sources)) == 2
    restated = document(section("5.1", "11450-4", "Problems", "", problems[0], problems[0]))
    [diagnosis] = read(restated).charts[0].diagnoses
    assert diagnosis.source == SourceRef(
        "cda:ab1791b0-5c71-11db-b0de-0800200c9a66", "ab1791b0-5c71-11db-b0de-0800200c9a66"
    )


def test_entries_of_sections_the_record_does_not_hold_are_counted_by_section_title() -> None:
    immunization = '<substanceAdministration classCode="SBADM" moodCode="EVN"/>'
    smoking = '<observation classCode="OBS" moodCode="EVN"/>'
    content = document(
        section(
            "2.1",
            "11369-6",
            "IMMUNIZATIONS",
            "<paragraph>Flu 2023</paragraph>",
            immunization,
            immunization,
        ),
        section("17", "29762-2", "Social History", "", smoking),
    )
    submission = read(content)
    assert dict(submission.not_held) == {
        "Immunizations section entries": 2,
        "Social history section entries": 1,
    }
    assert "IMMUNIZATIONS:\nFlu 2023" in submission.charts[0].documents[0].text


def test_a_code_longer_than_the_record_keeps_is_rejected_naming_where() -> None:
    value = coded_value("9" * 25, "96", "X")
    rejected = rejection(document(section("5.1", "11450-4", "Problems", "", problem(value))))
    assert rejected.where.endswith("/observation/value/@code")
    assert "at most 20" in rejected.problem


def test_an_unreadable_entry_time_is_left_out_and_counted() -> None:
    entry = """<procedure classCode="PROC" moodCode="EVN">
      <code code="80146002" codeSystem="2.16.840.1.113883.6.96" displayName="Appendectomy"/>
      <effectiveTime><low value="00010101"/></effectiveTime></procedure>"""
    submission = read(document(section("7.1", "47519-4", "Procedures", "", entry)))
    assert submission.charts[0].procedures == ()
    assert dict(submission.not_held) == {
        "Times not understood (left out)": 1,
        "Procedures without a date": 1,
    }
