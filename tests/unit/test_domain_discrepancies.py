"""Discrepancy rules, each with a case that trips it and cases that must not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from himdesk.domain.completeness import (
    CompletenessRules,
    Deficiency,
    DeficiencyKind,
    EncounterRecord,
    EvidenceSource,
    analyze,
)
from himdesk.domain.discrepancies import find_discrepancies
from himdesk.domain.records import (
    AbnormalFlag,
    AdministrativeSex,
    Allergy,
    ClinicalDocument,
    Diagnosis,
    DischargeDisposition,
    DocumentStatus,
    DocumentType,
    Encounter,
    EncounterClass,
    EncounterStatus,
    Medication,
    Observation,
    Patient,
    Procedure,
)
from himdesk.domain.sensitivity import SensitiveCategory

ADMIT = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
DISCHARGE = ADMIT + timedelta(days=4)
DUE = date(2026, 4, 5)
K = DeficiencyKind
T = DocumentType
PATIENT = Patient("F", "M0000007", "Reyes", "Ana", date(1950, 6, 1), AdministrativeSex.FEMALE, id=7)
HEADER = "HOSPITAL\nTITLE\nPatient: Reyes, Ana    MRN: M0000007    DOB: 06/01/1950"


def _note(
    kind: DocumentType, body: str, id: int = 11, author: int = 4, **changes: object
) -> ClinicalDocument:
    at = ADMIT + timedelta(hours=id)
    note = ClinicalDocument(
        7,
        1,
        kind,
        author,
        at,
        kind.label,
        f"{HEADER}\n\n{body}",
        DocumentStatus.SIGNED,
        author,
        at + timedelta(hours=1),
        id=id,
    )
    return replace(note, **changes)


def _dx(description: str, laterality: str = "", id: int = 21) -> Diagnosis:
    return Diagnosis(7, 1, description, 3, ADMIT, id == 21, laterality, id=id)


def _op(description: str, laterality: str = "", id: int = 31) -> Procedure:
    return Procedure(7, 1, description, 5, ADMIT + timedelta(hours=8), laterality, id=id)


def _result(code: str, value: str, unit: str, id: int = 41, hours: int = 6) -> Observation:
    return Observation(
        7,
        1,
        code,
        f"Test {code}",
        Decimal(value),
        unit,
        ADMIT + timedelta(hours=hours),
        flag=AbnormalFlag.LOW,
        id=id,
    )


def _drug(name: str, id: int = 51) -> Medication:
    return Medication(7, 1, name, "1 unit", "PO", "daily", ADMIT.date(), id=id)


def _allergy(substance: str, recorded_on: date = date(2020, 1, 1)) -> Allergy:
    return Allergy(7, substance, "Hives", "moderate", recorded_on, id=61)


def _record(
    *docs: ClinicalDocument, patient: Patient = PATIENT, **parts: object
) -> EncounterRecord:
    encounter = Encounter(
        7,
        EncounterClass.INPATIENT,
        ADMIT,
        "A1",
        EncounterStatus.DISCHARGED,
        DISCHARGE,
        3,
        discharge_disposition=DischargeDisposition.HOME,
        id=1,
    )
    return EncounterRecord(patient, encounter, docs, **parts)  # type: ignore[arg-type]


def _found(record: EncounterRecord, kind: DeficiencyKind | None = None) -> list[Deficiency]:
    return [d for d in find_discrepancies(record, DUE) if kind is None or d.kind is kind]


# -- laterality ------------------------------------------------------------------------------

HIP = _dx("Displaced fracture of left femoral neck, initial encounter", "left")


def test_a_note_naming_the_other_side_of_a_lateral_diagnosis_is_a_laterality_conflict() -> None:
    note = _note(T.PROGRESS_NOTE, "EXAM:\nRight hip incision clean. Sutures intact.", author=9)
    [found] = _found(_record(note, diagnoses=[HIP]), K.LATERALITY_CONFLICT)
    assert (found.kind, found.rule, found.assignee_id, found.document_id, found.due_on) == (
        K.LATERALITY_CONFLICT,
        "laterality_agrees",
        9,
        11,
        DUE,
    )
    assert "says right" in found.message and "is left" in found.message
    assert [(e.source, e.quote) for e in found.evidence] == [
        (EvidenceSource.DIAGNOSIS, HIP.description + " (laterality: left) [principal]"),
        (EvidenceSource.DOCUMENT, "Right hip incision clean."),
    ]


def test_the_same_side_both_sides_or_another_site_is_no_laterality_conflict() -> None:
    body = (
        "Left hip incision clean. Right knee with mild effusion. Tender in the right upper "
        "quadrant. Pulses equal in the left and right feet. Bilateral right hip films ordered."
    )
    assert (
        _found(_record(_note(T.PROGRESS_NOTE, body), diagnoses=[HIP]), K.LATERALITY_CONFLICT) == []
    )


def test_the_other_sides_normal_exam_access_line_or_handedness_is_no_conflict() -> None:
    body = (
        "Right lower extremity: normal. Right hip without tenderness. IV in the right thigh. "
        "Right femoral artery access for angiography. Right-handed, hip pain worse at night."
    )
    leg = _dx("Cellulitis of left lower limb", "left", id=22)
    note = _note(T.PROGRESS_NOTE, body)
    assert _found(_record(note, diagnoses=[HIP, leg]), K.LATERALITY_CONFLICT) == []


def test_history_and_the_verb_left_are_not_sides_of_this_encounter() -> None:
    body = (
        "PAST SURGICAL HISTORY:\nRight hip hemiarthroplasty.\n\n"
        "HPI:\nStatus post right hip replacement in 2019. She left the hip clinic early."
    )
    note = _note(T.HISTORY_AND_PHYSICAL, body)
    assert _found(_record(note, diagnoses=[HIP]), K.LATERALITY_CONFLICT) == []


def test_an_addendum_quoting_the_conflict_to_answer_a_query_is_not_another_conflict() -> None:
    body = "Clinical indicators cited:\n- Right hip incision clean. — Progress note\n\nNKDA."
    answer = _note(T.ADDENDUM, body)
    record = _record(answer, diagnoses=[HIP], allergies=[_allergy("Penicillin")])
    assert _found(record, K.LATERALITY_CONFLICT) == _found(record, K.ALLERGY_CONFLICT) == []


def test_a_recorded_item_on_the_other_side_explains_the_sentence() -> None:
    both = [HIP, _dx("Closed fracture of right femoral neck", "right", id=22)]
    note = _note(T.PROGRESS_NOTE, "Right hip stable.")
    assert _found(_record(note, diagnoses=both), K.LATERALITY_CONFLICT) == []


def test_sides_are_read_in_abbreviations_and_across_a_few_words() -> None:
    leg = _dx("Cellulitis of left lower limb", "left")
    stroke = _dx(
        "Cerebral infarction due to thrombosis of left middle cerebral artery", "left", id=22
    )
    notes = [
        _note(T.PROGRESS_NOTE, "RLE erythema receding.", id=11),
        _note(T.RADIOLOGY_REPORT, "Acute infarct in the right MCA territory.", id=12),
    ]
    found = _found(_record(*notes, diagnoses=[leg, stroke]), K.LATERALITY_CONFLICT)
    assert sorted(d.document_id or 0 for d in found) == [11, 12]


def test_a_procedure_on_the_other_side_from_its_diagnosis_is_a_conflict_of_the_surgeon() -> None:
    record = _record(diagnoses=[HIP], procedures=[_op("Right hip hemiarthroplasty", "right")])
    [found] = _found(record)
    assert (found.rule, found.assignee_id, found.subject) == (
        "procedure_side_matches_diagnosis",
        5,
        "procedure 31",
    )
    same = _record(diagnoses=[HIP], procedures=[_op("Left hip hemiarthroplasty", "left")])
    assert _found(same) == []


def test_a_restricted_document_is_cited_without_its_text() -> None:
    note = _note(
        T.CONSULTATION, "Right hip pain discussed.", sensitivity=SensitiveCategory.BEHAVIORAL_HEALTH
    )
    [found] = _found(_record(note, diagnoses=[HIP]), K.LATERALITY_CONFLICT)
    assert "withheld" in found.evidence[-1].quote and "Consultation of" in found.message


# -- sex and age -----------------------------------------------------------------------------

MALE = replace(PATIENT, sex=AdministrativeSex.MALE)


def test_a_diagnosis_only_the_other_sex_can_have_is_sex_inconsistent() -> None:
    cyst = _dx("Follicular cyst of left ovary")
    [found] = _found(
        _record(_note(T.PROGRESS_NOTE, "Ovary cyst."), patient=MALE, diagnoses=[cyst]),
        K.SEX_INCONSISTENT,
    )
    assert (found.rule, found.subject, found.assignee_id) == ("sex_consistent", "diagnosis 21", 3)
    assert found.message == (
        "Diagnosis 'Follicular cyst of left ovary' does not fit the patient's recorded sex (male)."
    )
    assert found.evidence[-1].quote == "Sex: Male"
    turp = _op("Transurethral resection of prostate")
    assert _found(_record(procedures=[turp]), K.SEX_INCONSISTENT) != []
    assert _found(_record(procedures=[turp], patient=MALE), K.SEX_INCONSISTENT) == []
    other = replace(PATIENT, sex=AdministrativeSex.OTHER)
    assert _found(_record(procedures=[turp], patient=other), K.SEX_INCONSISTENT) == []


def test_diagnoses_that_do_not_fit_the_age_are_age_inconsistent() -> None:
    at_75 = [_dx("Supervision of normal pregnancy"), _dx("Neonatal jaundice", id=22)]
    found = _found(_record(diagnoses=at_75), K.AGE_INCONSISTENT)
    assert [d.subject for d in found] == ["diagnosis 21", "diagnosis 22"]
    assert "pregnancy" in found[0].message and "age 75" in found[0].message
    child = replace(PATIENT, birth_on=date(2019, 1, 1))
    assert _found(_record(diagnoses=[_dx("Senile cataract")], patient=child), K.AGE_INCONSISTENT)


def test_age_fitting_diagnoses_and_lifelong_perinatal_conditions_are_not_flagged() -> None:
    young = replace(PATIENT, birth_on=date(1996, 1, 1))
    assert (
        _found(
            _record(diagnoses=[_dx("Supervision of normal pregnancy")], patient=young),
            K.AGE_INCONSISTENT,
        )
        == []
    )
    lifelong = _dx("Bronchopulmonary dysplasia originating in the perinatal period")
    assert _found(_record(diagnoses=[lifelong]), K.AGE_INCONSISTENT) == []


# -- discharge summary against the diagnosis list --------------------------------------------

SUMMARY = (
    "ADMISSION DATE: 2026-03-02\n\nPRINCIPAL DIAGNOSIS:\nCHF exacerbation\n\n"
    "SECONDARY DIAGNOSES:\n- AKI\n- Type 2 diabetes mellitus\n- Hyponatremia\n\n"
    "PROCEDURES:\nNone.\n\nHOSPITAL COURSE:\nDiuresed."
)
LISTED = [
    _dx("Acute on chronic systolic (congestive) heart failure"),
    _dx("Acute kidney injury", id=22),
    _dx("Type 2 diabetes mellitus with hyperglycemia", id=23),
]


def test_a_summary_diagnosis_missing_from_the_list_is_not_on_the_abstract() -> None:
    summary = _note(T.DISCHARGE_SUMMARY, SUMMARY, id=12)
    [found] = _found(_record(summary, diagnoses=LISTED))
    assert (found.kind, found.rule, found.document_id, found.assignee_id) == (
        K.DIAGNOSIS_NOT_ON_ABSTRACT,
        "summary_diagnoses_listed",
        12,
        3,
    )
    assert "'Hyponatremia'" in found.message and found.evidence[0].quote == "- Hyponatremia"[2:]


def test_summary_wording_matches_the_list_by_words_abbreviations_and_numbers() -> None:
    complete = _note(T.DISCHARGE_SUMMARY, SUMMARY, id=12)
    everything = [*LISTED, _dx("Hyponatremia", id=24)]
    assert _found(_record(complete, diagnoses=everything)) == []
    type_1 = _note(T.DISCHARGE_SUMMARY, SUMMARY.replace("Type 2", "Type 1"), id=12)
    [missing] = _found(_record(type_1, diagnoses=everything))
    assert "'Type 1 diabetes mellitus'" in missing.message


def test_history_and_ruled_out_conditions_in_a_summary_need_not_be_listed() -> None:
    body = "DISCHARGE DIAGNOSES:\n1. Acute kidney injury\n2. History of pneumonia\n3. MI ruled out"
    summary = _note(T.DISCHARGE_SUMMARY, body, id=12)
    assert _found(_record(summary, diagnoses=[_dx("Acute kidney injury")])) == []


def test_a_listed_diagnosis_no_document_affirms_is_unsupported() -> None:
    pneumonia = _dx("Community-acquired pneumonia, left lower lobe")
    negated = _note(T.RADIOLOGY_REPORT, "IMPRESSION:\nNo evidence of pneumonia.")
    family = _note(T.HISTORY_AND_PHYSICAL, "FAMILY HISTORY:\nCommunity-acquired pneumonia.", id=12)
    [found] = _found(_record(negated, family, diagnoses=[pneumonia]))
    assert (found.kind, found.rule, found.subject) == (
        K.DIAGNOSIS_UNSUPPORTED,
        "diagnosis_documented",
        "diagnosis 21",
    )
    said = _note(T.PROGRESS_NOTE, "1. Community acquired pneumonia: improving.", id=13)
    assert _found(_record(negated, said, diagnoses=[pneumonia])) == []


def test_notes_support_a_diagnosis_in_their_own_words() -> None:
    listed = [
        _dx("Essential (primary) hypertension"),
        _dx("Cellulitis of left lower limb", id=22),
        _dx("Cerebral infarction due to thrombosis of left middle cerebral artery", id=23),
        _dx("Acute on chronic diastolic (congestive) heart failure", id=24),
    ]
    note = _note(
        T.PROGRESS_NOTE,
        "1. HTN: continue lisinopril.\n2. Cellulitis of the leg.\n"
        "3. Acute ischemic stroke, left MCA territory.\n4. HFpEF: diurese.",
    )
    assert _found(_record(note, diagnoses=listed)) == []


def test_a_diagnosis_with_not_in_its_own_wording_is_still_affirmed() -> None:
    migraine = _dx("Migraine without aura, not intractable, without status migrainosus")
    note = _note(T.ED_NOTE, f"DIAGNOSIS:\n{migraine.description}")
    assert _found(_record(note, diagnoses=[migraine])) == []


# -- abnormal results ------------------------------------------------------------------------

SODIUM, HEMOGLOBIN, TROPONIN = "2951-2", "718-7", "10839-9"
LOW_SODIUM = [_result(SODIUM, "128", "mmol/L", 41), _result(SODIUM, "124", "mmol/L", 42, 30)]


def test_a_low_sodium_without_hyponatremia_is_one_finding_citing_the_worst_value() -> None:
    [found] = _found(_record(_note(T.PROGRESS_NOTE, "Feels well."), observations=LOW_SODIUM))
    assert (found.kind, found.rule, found.subject, found.assignee_id) == (
        K.RESULT_WITHOUT_DIAGNOSIS,
        "abnormal_result_explained",
        "result 2951-2 low",
        3,
    )
    assert found.message.startswith("Sodium 124 mmol/L on 2026-03-03 20:00 (2 results below 130)")
    [cited] = found.evidence
    assert (cited.source, cited.source_id) == (EvidenceSource.RESULT, 42)
    assert "124 mmol/L (L)" in cited.quote


def test_a_listed_or_documented_diagnosis_or_synonym_explains_the_result() -> None:
    listed = _record(observations=LOW_SODIUM, diagnoses=[_dx("Hyponatremia")])
    assert _found(listed, K.RESULT_WITHOUT_DIAGNOSIS) == []
    synonym = _note(T.PROGRESS_NOTE, "Sodium low, likely SIADH; fluid restrict.")
    assert _found(_record(synonym, observations=LOW_SODIUM)) == []
    anemia = _note(T.PROGRESS_NOTE, "Acute blood loss anemia after surgery.")
    assert _found(_record(anemia, observations=[_result(HEMOGLOBIN, "7.9", "g/dL")])) == []


def test_a_negated_or_relatives_mention_does_not_explain_the_result() -> None:
    notes = (
        _note(T.PROGRESS_NOTE, "No evidence of anemia."),
        _note(T.HISTORY_AND_PHYSICAL, "Mother with anemia.", id=12),
    )
    found = _found(_record(*notes, observations=[_result(HEMOGLOBIN, "8.2", "g/dL")]))
    assert [d.subject for d in found] == ["result 718-7 low"]


def test_borderline_values_and_results_in_another_unit_are_not_findings() -> None:
    results = [
        _result(SODIUM, "131", "mmol/L"),
        _result(HEMOGLOBIN, "10.0", "g/dL", 42),
        _result(TROPONIN, "900", "ng/L", 43),
    ]
    assert _found(_record(observations=results)) == []
    assert _found(_record(observations=[_result(TROPONIN, "1.2", "ng/mL")])) != []


# -- medications -----------------------------------------------------------------------------


def test_insulin_with_no_diabetes_documented_is_a_medication_without_diagnosis() -> None:
    given = [_drug("insulin glargine"), _drug("insulin lispro", 52)]
    [found] = _found(_record(_note(T.PROGRESS_NOTE, "Feels well."), medications=given))
    assert (found.kind, found.rule, found.assignee_id) == (
        K.MEDICATION_WITHOUT_DIAGNOSIS,
        "medication_indicated",
        3,
    )
    assert found.message.startswith("Insulin glargine, insulin lispro on the medication list")
    assert [e.source_id for e in found.evidence] == [51, 52]


def test_a_documented_indication_explains_the_medication() -> None:
    history = _note(
        T.HISTORY_AND_PHYSICAL,
        "PAST MEDICAL HISTORY:\n- Atrial fibrillation\n- Status post thyroidectomy",
    )
    given = [_drug("apixaban"), _drug("levothyroxine", 52)]
    assert _found(_record(history, medications=given)) == []
    assert [d.subject for d in _found(_record(medications=given))] == [
        "medication for hypothyroidism",
        "medication for an indication for anticoagulation",
    ]


# -- allergies -------------------------------------------------------------------------------


def test_a_note_saying_nkda_when_a_drug_allergy_is_recorded_is_an_allergy_conflict() -> None:
    note = _note(T.HISTORY_AND_PHYSICAL, "ALLERGIES:\nNKDA.", author=9)
    [found] = _found(_record(note, allergies=[_allergy("Penicillin")]))
    assert (found.kind, found.rule, found.assignee_id, found.document_id) == (
        K.ALLERGY_CONFLICT,
        "allergy_statement_consistent",
        9,
        11,
    )
    assert [e.source for e in found.evidence] == [EvidenceSource.DOCUMENT, EvidenceSource.ALLERGY]


def test_nkda_is_consistent_with_food_allergies_and_with_allergies_recorded_later() -> None:
    note = _note(T.HISTORY_AND_PHYSICAL, "ALLERGIES:\nNo known drug allergies. Latex (rash).")
    assert _found(_record(note, allergies=[_allergy("Latex")])) == []
    later = _allergy("Penicillin", recorded_on=date(2026, 5, 1))
    assert _found(_record(note, allergies=[later])) == []


def test_a_drug_of_the_class_the_patient_is_allergic_to_is_an_allergy_conflict() -> None:
    record = _record(medications=[_drug("amoxicillin")], allergies=[_allergy("Penicillin")])
    [found] = _found(record)
    assert (found.rule, found.subject) == ("allergen_not_given", "medication 51")
    assert (
        _found(
            _record(medications=[_drug("acetaminophen-codeine")], allergies=[_allergy("Codeine")])
        )
        != []
    )


def test_another_class_or_an_allergy_found_later_is_no_conflict() -> None:
    assert (
        _found(
            _record(medications=[_drug("ceftriaxone")], allergies=[_allergy("Penicillin")]),
        )
        == []
    )
    later = _allergy("Penicillin", recorded_on=date(2026, 3, 5))
    assert _found(_record(medications=[_drug("amoxicillin")], allergies=[later])) == []


# -- duplicates ------------------------------------------------------------------------------

BODY = "SUBJECTIVE:\nNo acute events overnight. Feels better.\n\nPLAN:\nContinue antibiotics and ambulate."  # noqa: E501


def test_a_note_filed_twice_is_a_duplicate_of_the_later_ones_author() -> None:
    first = _note(T.PROGRESS_NOTE, BODY, id=11)
    again = _note(T.PROGRESS_NOTE, BODY.replace("\n\n", "\n  \n"), id=14, author=9)
    [found] = _found(_record(first, again))
    assert (found.kind, found.rule, found.document_id, found.assignee_id, found.subject) == (
        K.DUPLICATE_DOCUMENT,
        "document_filed_once",
        14,
        9,
        "duplicate of 11",
    )
    assert [e.quote for e in found.evidence] == ["No acute events overnight."] * 2


def test_the_same_text_in_another_type_or_a_short_note_is_no_duplicate() -> None:
    assert _found(_record(_note(T.PROGRESS_NOTE, BODY), _note(T.CONSULTATION, BODY, id=12))) == []
    short = [_note(T.ADDENDUM, "Agree with the above.", id=k) for k in (11, 12)]
    assert _found(_record(*short)) == []


# -- the whole analysis ----------------------------------------------------------------------


def test_findings_are_the_same_on_every_run_and_keys_are_unique() -> None:
    record = _record(
        _note(T.PROGRESS_NOTE, "Right hip tender. NKDA."),
        diagnoses=[HIP, _dx("Ovarian cyst", id=22)],
        observations=LOW_SODIUM,
        medications=[_drug("insulin glargine"), _drug("amoxicillin", 52)],
        allergies=[_allergy("Penicillin")],
        patient=MALE,
    )
    first = find_discrepancies(record, DUE)
    assert first == find_discrepancies(record, DUE)
    assert len({d.key for d in first}) == len(first) >= 6
    assert all(d.severity == "warning" and d.kind.is_discrepancy for d in first)


def test_chart_analysis_reports_discrepancies_unless_their_kind_is_disabled() -> None:
    record = _record(observations=LOW_SODIUM)
    assert [d.kind for d in analyze(record, CompletenessRules())].count(
        K.RESULT_WITHOUT_DIAGNOSIS
    ) == 1
    off = CompletenessRules(disabled=frozenset({K.RESULT_WITHOUT_DIAGNOSIS}))
    assert K.RESULT_WITHOUT_DIAGNOSIS not in [d.kind for d in analyze(record, off)]
