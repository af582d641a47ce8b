"""The synthetic demo hospital: deterministic, believable, clean unless a problem is planted.

`_problems_found` is a small independent chart checker: every planted problem must trip it,
and nothing else may.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from himdesk.demo.clinicians import npi_check_digit
from himdesk.demo.documents import body_of
from himdesk.demo.generator import FACILITY, build_hospital, generate_charts
from himdesk.demo.labs import EXPLANATIONS, LAB_TESTS
from himdesk.demo.model import DemoChart, DemoEncounter, DemoHospital, ProblemKind
from himdesk.domain.demographics import US_STATES
from himdesk.domain.identifiers import normalize_phone, normalize_ssn
from himdesk.domain.records import (
    AbnormalFlag,
    ClinicalDocument,
    DocumentStatus,
    DocumentType,
    EncounterClass,
    EncounterStatus,
)

TODAY = date(2026, 5, 1)
HORIZON = datetime(2026, 5, 1, tzinfo=UTC)
SEED = 7
PATIENTS = 1500
K = ProblemKind
T = DocumentType
_HEADER = re.compile(r"^Patient: (.+?)    MRN: (\S+)    DOB: (\d\d/\d\d/\d{4})$", re.MULTILINE)
_SIDE = re.compile(r"\b(left|right)\b", re.IGNORECASE)
_DRUG_ALLERGIES = {"Penicillin", "Sulfonamide antibiotics", "Codeine", "Iodinated contrast media",
                   "Morphine"}  # fmt: skip


@pytest.fixture(scope="module")
def hospital() -> DemoHospital:
    return build_hospital(SEED)


@pytest.fixture(scope="module")
def charts(hospital: DemoHospital) -> list[DemoChart]:
    return list(generate_charts(hospital, SEED, PATIENTS, TODAY))


def _stays(charts: list[DemoChart]) -> Iterator[tuple[DemoChart, DemoEncounter]]:
    for chart in charts:
        for stay in chart.encounters:
            yield chart, stay


def _documents(charts: list[DemoChart]) -> Iterator[ClinicalDocument]:
    for _, stay in _stays(charts):
        yield from stay.documents


def _finished_inpatient(stay: DemoEncounter) -> bool:
    encounter = stay.encounter
    return encounter.encounter_class is EncounterClass.INPATIENT and bool(encounter.discharged_at)


# -- an independent checker -------------------------------------------------------------------


def _problems_found(chart: DemoChart, stay: DemoEncounter, residents: set[int]) -> set[K]:
    found: set[K] = set()
    for check in (
        _documents_present,
        _documents_signed,
        _cosigned,
        _timely_summary,
        _filed_right,
        _sides_agree,
        _results_explained,
        _filed_once,
        _allergies_agree,
    ):
        found |= check(chart, stay, residents)
    return found


def _documents_present(chart: DemoChart, stay: DemoEncounter, _: set[int]) -> set[K]:
    kinds = Counter(d.document_type for d in stay.documents)
    encounter = stay.encounter
    if encounter.encounter_class is not EncounterClass.INPATIENT:
        return set()
    ok = kinds[T.HISTORY_AND_PHYSICAL] == 1
    ok &= kinds[T.DISCHARGE_SUMMARY] == (1 if encounter.discharged_at else 0)
    ok &= all(kinds[T.OPERATIVE_REPORT] for _ in stay.procedures)
    ok &= all(kinds[T.PATHOLOGY_REPORT] for p in stay.procedures if p.tissue_removed)
    return set() if ok else {K.MISSING_DOCUMENT}


def _documents_signed(chart: DemoChart, stay: DemoEncounter, _: set[int]) -> set[K]:
    signed = all(
        d.status is DocumentStatus.SIGNED
        and d.signed_by_id == d.author_id
        and d.signed_at is not None
        and d.signed_at >= d.authored_at
        for d in stay.documents
    )
    return set() if signed else {K.UNSIGNED_DOCUMENT}


def _cosigned(chart: DemoChart, stay: DemoEncounter, residents: set[int]) -> set[K]:
    for d in stay.documents:
        if (d.author_id in residents) != d.requires_cosignature:
            return {K.MISSING_COSIGNATURE}
        if (
            d.requires_cosignature
            and d.status is DocumentStatus.SIGNED
            and (
                d.cosigned_by_id is None
                or d.cosigned_by_id in residents
                or d.cosigned_at is None
                or d.signed_at is None
                or d.cosigned_at < d.signed_at
            )
        ):
            return {K.MISSING_COSIGNATURE}
    return set()


def _timely_summary(chart: DemoChart, stay: DemoEncounter, _: set[int]) -> set[K]:
    discharged = stay.encounter.discharged_at
    for d in stay.documents:
        if d.document_type is T.DISCHARGE_SUMMARY and discharged is not None:
            signed = d.signed_at or d.authored_at
            if signed - discharged > timedelta(hours=48):
                return {K.LATE_DISCHARGE_SUMMARY}
    return set()


def _filed_right(chart: DemoChart, stay: DemoEncounter, _: set[int]) -> set[K]:
    patient, encounter = chart.patient, stay.encounter
    end = encounter.discharged_at or HORIZON
    for d in stay.documents:
        name, mrn, dob = _HEADER.findall(d.text)[0]
        if (name, mrn, dob) != (patient.display_name, patient.mrn, f"{patient.birth_on:%m/%d/%Y}"):
            return {K.WRONG_ENCOUNTER}
        # A discharge summary follows discharge; how long after is `_timely_summary`'s concern.
        summary = d.document_type is T.DISCHARGE_SUMMARY
        latest = HORIZON if summary else end
        earliest = end if summary else encounter.admitted_at
        if not earliest <= d.authored_at <= latest:
            return {K.WRONG_ENCOUNTER}
    return set()


def _sides_agree(chart: DemoChart, stay: DemoEncounter, _: set[int]) -> set[K]:
    sides = {d.laterality for d in stay.diagnoses if d.laterality}
    if not sides:
        return set()
    written = {m.lower() for d in stay.documents for m in _SIDE.findall(d.text)}
    return set() if written <= sides else {K.LATERALITY_CONFLICT}


def _results_explained(chart: DemoChart, stay: DemoEncounter, _: set[int]) -> set[K]:
    described = " ".join(d.description.lower() for d in stay.diagnoses)
    for result in stay.observations:
        if result.flag.is_abnormal:
            way = "low" if result.flag in (AbnormalFlag.LOW, AbnormalFlag.CRITICAL_LOW) else "high"
            if not any(word in described for word in EXPLANATIONS.get((result.code, way), ())):
                return {K.ABNORMAL_LAB_WITHOUT_DIAGNOSIS}
    return set()


def _filed_once(chart: DemoChart, stay: DemoEncounter, _: set[int]) -> set[K]:
    bodies = Counter((d.document_type, body_of(d)) for d in stay.documents)
    return {K.DUPLICATE_DOCUMENT} if any(n > 1 for n in bodies.values()) else set()


def _allergies_agree(chart: DemoChart, stay: DemoEncounter, _: set[int]) -> set[K]:
    if not any(a.substance in _DRUG_ALLERGIES for a in chart.allergies):
        return set()
    says_none = any(re.search(r"\bNKDA\b|No known drug allergies", d.text) for d in stay.documents)
    return {K.ALLERGY_CONFLICT} if says_none else set()


# -- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_the_same_hospital() -> None:
    assert build_hospital(3) == build_hospital(3)
    assert build_hospital(3) != build_hospital(4)


def test_same_seed_count_and_day_give_the_same_charts(hospital: DemoHospital) -> None:
    first = list(generate_charts(hospital, SEED, 40, TODAY))
    assert first == list(generate_charts(hospital, SEED, 40, TODAY))


def test_a_chart_depends_only_on_the_seed_and_its_index(
    hospital: DemoHospital, charts: list[DemoChart]
) -> None:
    assert list(generate_charts(hospital, SEED, 25, TODAY)) == charts[:25]


def test_different_seeds_give_different_patients(hospital: DemoHospital) -> None:
    one = [c.patient for c in generate_charts(hospital, 1, 20, TODAY)]
    two = [c.patient for c in generate_charts(hospital, 2, 20, TODAY)]
    assert (
        sum(
            a.family_name == b.family_name and a.birth_on == b.birth_on
            for a, b in zip(one, two, strict=True)
        )
        < 3
    )


def test_charts_are_streamed_not_built_all_at_once(hospital: DemoHospital) -> None:
    stream = generate_charts(hospital, SEED, 10**9, TODAY)
    assert next(stream).patient.facility == FACILITY


# -- roster and patients ----------------------------------------------------------------------


def test_the_roster_has_varied_specialties_residents_and_valid_npis(
    hospital: DemoHospital,
) -> None:
    staff = hospital.clinicians
    assert [c.id for c in staff] == list(range(1, len(staff) + 1))
    assert 38 <= len(staff) <= 50
    assert len({c.npi for c in staff}) == len(staff)
    assert all(len(c.npi) == 10 and c.npi.isdigit() for c in staff)
    assert all(int(c.npi[-1]) == npi_check_digit(c.npi[:9]) for c in staff)
    specialties = {c.specialty for c in staff}
    assert {
        "Hospital Medicine",
        "General Surgery",
        "Orthopedic Surgery",
        "Radiology",
        "Pathology",
        "Emergency Medicine",
        "Cardiology",
    } <= specialties
    assert sum(c.is_resident for c in staff) >= 4


def test_patients_have_varied_names_ages_and_valid_identifiers(charts: list[DemoChart]) -> None:
    patients = [c.patient for c in charts]
    assert len({p.family_name for p in patients}) > 250
    assert len({p.given_name for p in patients}) > 250
    assert any("'" in p.family_name for p in patients)
    assert any("-" in p.family_name for p in patients)
    assert sum(bool(p.middle_name) for p in patients) > len(patients) // 2
    ages = [p.age_on(TODAY) for p in patients]
    assert min(ages) == 0 and 90 <= max(ages) <= 95
    assert {p.sex.value for p in patients} >= {"F", "M"}
    for p in patients:
        assert p.ssn == "" or normalize_ssn(p.ssn) == p.ssn
        assert normalize_phone(p.phone) == p.phone and p.phone.startswith("(555) 0")
        assert p.address.state in US_STATES and re.fullmatch(r"\d{5}", p.address.postal_code)
        assert re.fullmatch(r"M\d{7}", p.mrn)


def test_mrns_and_account_numbers_are_unique(charts: list[DemoChart]) -> None:
    mrns = [c.patient.mrn for c in charts]
    accounts = [s.encounter.account_number for _, s in _stays(charts)]
    assert len(set(mrns)) == len(mrns)
    assert len(set(accounts)) == len(accounts)


def test_values_fit_the_storage_columns(charts: list[DemoChart], hospital: DemoHospital) -> None:
    for c in hospital.clinicians:
        assert max(len(c.family_name), len(c.given_name), len(c.specialty)) <= 60
    for chart in charts:
        p = chart.patient
        assert (
            max(len(p.family_name), len(p.given_name), len(p.middle_name), len(p.address.city))
            <= 60
        )
        assert len(p.address.line) <= 120 and len(p.mrn) <= 20 and len(p.facility) <= 20
        for a in chart.allergies:
            assert max(len(a.substance), len(a.reaction)) <= 120 and len(a.severity) <= 20
        for _, stay in _stays([chart]):
            assert len(stay.encounter.account_number) <= 20 and len(stay.encounter.service) <= 40
            assert all(len(d.title) <= 200 for d in stay.documents)
            assert all(
                len(d.description) <= 200 and len(d.laterality) <= 10 for d in stay.diagnoses
            )
            assert all(
                len(m.dose) <= 40 and len(m.route) <= 20 and len(m.frequency) <= 40
                for m in stay.medications
            )
            assert all(len(o.display) <= 120 and len(o.unit) <= 20 for o in stay.observations)


# -- encounters, documents, results -----------------------------------------------------------


def test_all_times_are_utc_aware_and_within_three_years_before_today(
    charts: list[DemoChart],
) -> None:
    def check(moment: datetime | None) -> None:
        if moment is not None:
            assert moment.utcoffset() == timedelta(0)
            assert HORIZON - timedelta(days=3 * 365 + 1) <= moment < HORIZON

    for _, stay in _stays(charts):
        check(stay.encounter.admitted_at)
        check(stay.encounter.discharged_at)
        for d in stay.documents:
            for moment in (d.authored_at, d.signed_at, d.cosigned_at):
                check(moment)
        for o in stay.observations:
            check(o.observed_at)
        for x in stay.diagnoses:
            check(x.documented_at)
        for p in stay.procedures:
            check(p.performed_at)


def test_patients_have_one_to_six_encounters_of_every_class(charts: list[DemoChart]) -> None:
    assert all(1 <= len(c.encounters) <= 6 for c in charts)
    classes = Counter(s.encounter.encounter_class for _, s in _stays(charts))
    assert set(classes) == set(EncounterClass)
    in_progress = [
        s for _, s in _stays(charts) if s.encounter.status is EncounterStatus.IN_PROGRESS
    ]
    assert in_progress and all(s.encounter.discharged_at is None for s in in_progress)
    assert all(
        not any(d.document_type is T.DISCHARGE_SUMMARY for d in s.documents) for s in in_progress
    )
    documents = sum(1 for _ in _documents(charts))
    assert 7 * len(charts) <= documents <= 14 * len(charts)


def test_every_inpatient_stay_has_documents_authored_by_roster_clinicians(
    charts: list[DemoChart], hospital: DemoHospital
) -> None:
    roster = {c.id for c in hospital.clinicians}
    for _, stay in _stays(charts):
        assert stay.documents and stay.diagnoses
        assert sum(d.is_principal for d in stay.diagnoses) == 1
        assert stay.encounter.attending_id in roster
        for d in stay.documents:
            assert {
                d.author_id,
                d.signed_by_id or d.author_id,
                d.cosigned_by_id or d.author_id,
            } <= roster
        if stay.encounter.encounter_class is EncounterClass.INPATIENT:
            # (a note planted as filed twice is still one note)
            progress = {body_of(d) for d in stay.documents if d.document_type is T.PROGRESS_NOTE}
            assert 1 <= len(progress) <= 4
            assert stay.encounter.service and stay.observations


def test_history_and_physical_comes_within_a_day_of_admission(charts: list[DemoChart]) -> None:
    for _, stay in _stays(charts):
        for d in stay.documents:
            if d.document_type is T.HISTORY_AND_PHYSICAL:
                assert d.authored_at - stay.encounter.admitted_at <= timedelta(hours=24)


def test_operations_removing_tissue_get_a_pathology_report(charts: list[DemoChart]) -> None:
    with_tissue = [s for _, s in _stays(charts) if any(p.tissue_removed for p in s.procedures)]
    assert len(with_tissue) > 20
    for stay in with_tissue:
        kinds = {d.document_type for d in stay.documents}
        assert T.PATHOLOGY_REPORT in kinds


def test_notes_read_like_clinical_prose(charts: list[DemoChart]) -> None:
    text = "\n".join(d.text for d in _documents(charts[:300]))
    for phrase in (
        "CHIEF COMPLAINT",
        "HISTORY OF PRESENT ILLNESS",
        "Family history is notable",
        "with a history of",
        "denies",
        "No evidence of",
        "Negative for",
        "ASSESSMENT AND PLAN",
        "HOSPITAL COURSE",
        "IMPRESSION",
        "FINAL DIAGNOSIS",
    ):
        assert phrase in text, phrase
    assert re.search(r"\b(left|right) (hip|knee|lower limb|femur|femoral)", text)


def test_medications_fit_diagnoses_and_allergies(charts: list[DemoChart]) -> None:
    penicillins = {
        "piperacillin-tazobactam",
        "amoxicillin",
        "cefazolin",
        "ceftriaxone",
        "cephalexin",
    }
    for chart, stay in _stays(charts):
        names = {m.name for m in stay.medications}
        described = " ".join(d.description.lower() for d in stay.diagnoses)
        if stay.encounter.encounter_class is EncounterClass.INPATIENT:
            if "diabetes" in described:
                assert "insulin glargine" in names
            if "heart failure" in described:
                assert names & {"furosemide", "ethacrynic acid"}
        if any(a.substance == "Penicillin" for a in chart.allergies):
            assert not names & penicillins
        if any(a.substance.startswith("Sulfonamide") for a in chart.allergies):
            assert "furosemide" not in names


def test_abnormal_flags_agree_with_reference_ranges(charts: list[DemoChart]) -> None:
    results = [o for _, s in _stays(charts) for o in s.observations]
    assert {o.flag for o in results} >= {
        AbnormalFlag.NORMAL,
        AbnormalFlag.LOW,
        AbnormalFlag.HIGH,
        AbnormalFlag.CRITICAL_LOW,
    }
    for o in results:
        test = LAB_TESTS[o.code]
        assert (o.reference_low, o.reference_high, o.unit) == (test.low, test.high, test.unit)
        assert o.reference_low is not None and o.reference_high is not None
        if o.flag is AbnormalFlag.NORMAL:
            assert o.reference_low <= o.value <= o.reference_high
        elif o.flag in (AbnormalFlag.LOW, AbnormalFlag.CRITICAL_LOW):
            assert o.value < o.reference_low
        else:
            assert o.value > o.reference_high


def test_inpatient_results_trend_over_several_draws(charts: list[DemoChart]) -> None:
    for _, stay in _stays(charts):
        if stay.encounter.encounter_class is EncounterClass.INPATIENT:
            assert len({o.observed_at for o in stay.observations}) >= 2


# -- planted problems -------------------------------------------------------------------------


def test_planted_problems_are_present_and_listed(
    charts: list[DemoChart], hospital: DemoHospital
) -> None:
    residents = {c.id for c in hospital.clinicians if c.is_resident}
    for chart, stay in _stays(charts):
        planted = {
            p.kind for p in chart.problems if p.account_number == stay.encounter.account_number
        }
        assert _problems_found(chart, stay, residents) == planted, stay.encounter.account_number
    assert all(p.mrn == c.patient.mrn and p.detail for c in charts for p in c.problems)


def test_each_kind_of_problem_is_planted_in_a_few_percent_of_stays(
    charts: list[DemoChart],
) -> None:
    stays = sum(1 for _, s in _stays(charts) if _finished_inpatient(s))
    kinds = Counter(p.kind for c in charts for p in c.problems)
    assert set(kinds) == set(ProblemKind)
    for kind, count in kinds.items():
        assert 0.025 <= count / stays <= 0.09, (kind, count / stays)


def test_clean_charts_have_signed_discharge_summaries(charts: list[DemoChart]) -> None:
    clean = [c for c in charts if not c.problems]
    assert len(clean) > len(charts) // 2
    for chart in clean:
        for stay in filter(_finished_inpatient, chart.encounters):
            summaries = [d for d in stay.documents if d.document_type is T.DISCHARGE_SUMMARY]
            assert len(summaries) == 1
            summary = summaries[0]
            assert summary.status is DocumentStatus.SIGNED and summary.signed_at is not None
            assert summary.signed_at - (stay.encounter.discharged_at or HORIZON) <= timedelta(
                hours=48
            )


def test_some_charts_are_restricted_and_some_notes_are_labelled_behavioral_health(
    charts: list[DemoChart],
) -> None:
    from himdesk.domain.sensitivity import SensitiveCategory

    restricted = {c for chart in charts for c in chart.restrictions}
    labelled = [
        d for _chart, stay in _stays(charts) for d in stay.documents
        if d.sensitivity is SensitiveCategory.BEHAVIORAL_HEALTH
    ]  # fmt: skip
    assert restricted == {SensitiveCategory.VIP, SensitiveCategory.EMPLOYEE}
    assert labelled and all(d.text.count("MRN:") == 1 for d in labelled)
    assert all(d.signed_at and d.signed_at >= d.authored_at for d in labelled)
