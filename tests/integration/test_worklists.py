"""The completeness worklist and the delinquency measure, on every backend."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import count

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, PermissionDenied, Role
from himdesk.domain.chart_review import Resolution
from himdesk.domain.completeness import Deficiency
from himdesk.domain.completeness import DeficiencyKind as K
from himdesk.domain.records import (
    Clinician,
    DischargeDisposition,
    Encounter,
    EncounterClass,
    EncounterStatus,
)
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.services.completeness import analyze_charts, complete_review
from himdesk.services.ports import UnitOfWork
from himdesk.services.worklists import completeness_worklist, delinquency_report
from tests.fakes import T0, ChartBuilder, FakeClock

HIT = Actor(user_id=5, username="hana", role=Role.HIT)
MANAGER = Actor(user_id=6, username="mia", role=Role.HIM_MANAGER)
TODAY = T0.date()
_NUMBERS = count(1)  # each stay its own patient


def _stay(
    uow: UnitOfWork, doctor: Clinician, discharged_at: datetime, service: str = "Medicine"
) -> int:
    """An inpatient stay with no documents: its H&P and discharge summary are missing."""
    n = next(_NUMBERS)
    patient = ChartBuilder(uow).patient(mrn=f"M{n:07d}", family=f"Family{n}", ssn="")
    assert patient.id is not None
    stay = uow.chart.add_encounter(
        Encounter(
            patient_id=patient.id, encounter_class=EncounterClass.INPATIENT,
            admitted_at=discharged_at - timedelta(days=3), discharged_at=discharged_at,
            account_number=f"A{n}", status=EncounterStatus.DISCHARGED,
            attending_id=doctor.id, service=service,
            discharge_disposition=DischargeDisposition.HOME,
        )
    )  # fmt: skip
    assert stay.id is not None
    return stay.id


def _days_ago(days: int, at: time = time(12)) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days), at, tzinfo=UTC)


@pytest.fixture
def stays(himdesk: Himdesk) -> dict[int, int]:
    """Analysed stays discharged 2, 10, 20 and 45 days ago (days ago -> encounter id)."""
    with himdesk.unit_of_work() as uow:
        doctor = ChartBuilder(uow).clinician()
        made = {days: _stay(uow, doctor, _days_ago(days)) for days in (20, 2, 45, 10)}
        uow.commit()
    with himdesk.unit_of_work() as uow:
        analyze_charts(uow, HIT)
    return made


def test_charts_to_analyze_come_oldest_discharge_first_with_their_open_deficiencies(
    himdesk: Himdesk, stays: dict[int, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        found = completeness_worklist(uow, HIT)
    charts = found.to_analyze.charts
    assert [c.encounter_id for c in charts] == [stays[45], stays[20], stays[10], stays[2]]
    assert [c.open_deficiencies for c in charts] == [2, 2, 2, 2]
    assert charts[0].attending == "William Osler, MD" and charts[0].service == "Medicine"
    assert charts[0].patient_name.startswith("Family") and charts[0].mrn.startswith("M")
    assert found.incomplete.charts == [] and found.incomplete.total == 0


def test_a_reviewed_chart_with_open_deficiencies_moves_to_the_incomplete_list(
    himdesk: Himdesk, stays: dict[int, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        complete_review(uow, HIT, stays[20])
    with himdesk.unit_of_work() as uow:
        found = completeness_worklist(uow, HIT)
    assert stays[20] not in [c.encounter_id for c in found.to_analyze.charts]
    assert [c.encounter_id for c in found.incomplete.charts] == [stays[20]]
    assert found.incomplete.charts[0].status.value == "incomplete"


def test_a_long_list_shows_the_oldest_and_counts_the_rest(
    himdesk: Himdesk, stays: dict[int, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        found = completeness_worklist(uow, HIT, limit=3)
    assert [c.encounter_id for c in found.to_analyze.charts] == [stays[45], stays[20], stays[10]]
    assert (found.to_analyze.total, found.to_analyze.not_shown) == (4, 1)


def test_open_deficiencies_are_counted_per_kind_and_days_since_discharge(
    himdesk: Himdesk, stays: dict[int, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        found = completeness_worklist(uow, HIT)
    [row] = found.by_age
    assert (row.kind, row.counts) == ("missing_document", (2, 2, 2, 2))
    assert found.open_deficiencies == 8 and found.band_totals == (2, 2, 2, 2)


@pytest.mark.parametrize(
    ("discharged_at", "band"),
    [(_days_ago(7, time(0)), 0), (_days_ago(8, time(23, 59)), 1), (_days_ago(14, time(0)), 1),
     (_days_ago(30, time(0)), 2), (_days_ago(31, time(23, 59)), 3)],
)  # fmt: skip
def test_the_age_bands_change_at_midnight_of_the_discharge_day(
    himdesk: Himdesk, discharged_at: datetime, band: int
) -> None:
    with himdesk.unit_of_work() as uow:
        _stay(uow, ChartBuilder(uow).clinician(), discharged_at)
        uow.commit()
    with himdesk.unit_of_work() as uow:
        analyze_charts(uow, HIT)
    with himdesk.unit_of_work() as uow:
        [row] = completeness_worklist(uow, HIT).by_age
    assert row.counts == tuple(2 if i == band else 0 for i in range(4))


def test_deficiencies_age_as_the_clock_moves_on(
    himdesk: Himdesk, stays: dict[int, int], clock: FakeClock
) -> None:
    clock.advance(days=6)  # 2 -> 8, 10 -> 16, 20 -> 26, 45 -> 51 days since discharge
    with himdesk.unit_of_work() as uow:
        [row] = completeness_worklist(uow, HIT).by_age
    assert row.counts == (0, 2, 4, 2)


def test_a_vip_chart_stays_on_the_list_without_a_name_for_the_technician(
    himdesk: Himdesk, stays: dict[int, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        vip = uow.chart.encounter(stays[10])
        assert vip is not None
        uow.access.add_restriction(vip.patient_id, SensitiveCategory.VIP, "Board member", "pia", T0)
        uow.commit()
    with himdesk.unit_of_work() as uow:
        shown = {c.encounter_id: c for c in completeness_worklist(uow, HIT).to_analyze.charts}
    with himdesk.unit_of_work() as uow:
        managed = {c.encounter_id: c for c in completeness_worklist(uow, MANAGER).to_analyze.charts}
    assert shown[stays[10]].restricted and shown[stays[10]].patient_name == ""
    assert not shown[stays[2]].restricted and shown[stays[2]].patient_name
    assert managed[stays[10]].patient_name.startswith("Family")


def test_the_worklist_is_one_audited_read_without_a_patient(
    himdesk: Himdesk, stays: dict[int, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        before = uow.audit.count()
        completeness_worklist(uow, HIT)
    with himdesk.unit_of_work() as uow:
        new = [e.entry for e in uow.audit.iterate() if e.sequence > before]
    assert [(e.action, e.patient_id, e.object_id) for e in new] == [
        ("completeness.worklist", None, "4")
    ]


def test_coders_and_clinicians_do_not_get_the_worklist_nor_technicians_the_delinquency(
    himdesk: Himdesk,
) -> None:
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        completeness_worklist(uow, Actor(7, "cody", Role.CODER))
    with himdesk.unit_of_work() as uow, pytest.raises(PermissionDenied):
        delinquency_report(uow, HIT)


@pytest.fixture
def delinquent(himdesk: Himdesk) -> dict[str, int]:
    """Two delinquent records (Osler's medicine stay, Halsted's surgery stay), one recent
    stay, and one from over a year ago whose deficiencies were waived."""
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        osler = build.clinician()
        halsted = build.clinician("Halsted", npi="1000000002")
        made = {
            "late_medicine": _stay(uow, osler, _days_ago(45)),
            "late_surgery": _stay(uow, halsted, _days_ago(35), "Surgery"),
            "recent": _stay(uow, osler, _days_ago(10)),
            "last_year": _stay(uow, osler, _days_ago(400)),
        }
        uow.commit()
    with himdesk.unit_of_work() as uow:
        analyze_charts(uow, HIT)
        old = [t.id for t in uow.chart_reviews.history(made["last_year"])]
        uow.chart_reviews.clear(old, T0, "hana", Resolution.WAIVED, "Paper chart on file.")
        uow.commit()
    assert osler.id and halsted.id
    return made | {"osler": osler.id, "halsted": halsted.id}


def test_delinquent_records_are_measured_against_the_years_average_monthly_discharges(
    himdesk: Himdesk, delinquent: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        report = delinquency_report(uow, MANAGER)
    o = report.overall
    assert (o.delinquent_records, o.discharges) == (2, 3)  # last year's stay is outside
    assert o.average_monthly_discharges == Decimal("0.25") and o.rate == Decimal("8.0000")
    assert o.flagged
    assert (report.measured_on, report.period_start) == (TODAY, date(2025, 11, 3))


def test_delinquency_is_shown_per_clinician_and_per_service(
    himdesk: Himdesk, delinquent: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        report = delinquency_report(uow, MANAGER)
    by_clinician = [(c.clinician_id, c.delinquent_records, c.deficiencies, c.oldest_due_on)
                    for c in report.by_clinician]  # fmt: skip
    assert by_clinician == [
        (delinquent["osler"], 1, 2, TODAY - timedelta(days=15)),
        (delinquent["halsted"], 1, 2, TODAY - timedelta(days=5)),
    ]
    assert report.by_clinician[1].clinician == "William Halsted, MD"
    by_service = {s.service: (s.rate.delinquent_records, s.deficiencies, s.rate.discharges)
                  for s in report.by_service}  # fmt: skip
    assert by_service == {"Medicine": (1, 2, 2), "Surgery": (1, 2, 1)}


def test_a_record_is_no_longer_delinquent_once_its_last_overdue_deficiency_clears(
    himdesk: Himdesk, delinquent: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        overdue = [t.id for t in uow.chart_reviews.history(delinquent["late_surgery"])]
        uow.chart_reviews.clear(overdue[:1], T0, "hana", Resolution.WAIVED, "Not required.")
        uow.commit()
    with himdesk.unit_of_work() as uow:
        assert delinquency_report(uow, MANAGER).overall.delinquent_records == 2
    with himdesk.unit_of_work() as uow:
        uow.chart_reviews.clear(overdue, T0, "hana", Resolution.WAIVED, "Not required.")
        uow.commit()
    with himdesk.unit_of_work() as uow:
        report = delinquency_report(uow, MANAGER)
    assert report.overall.delinquent_records == 1
    assert [c.clinician_id for c in report.by_clinician] == [delinquent["osler"]]


def test_a_deficiency_due_today_is_not_yet_delinquent(himdesk: Himdesk, clock: FakeClock) -> None:
    with himdesk.unit_of_work() as uow:
        _stay(uow, ChartBuilder(uow).clinician(), _days_ago(30))
        uow.commit()
    with himdesk.unit_of_work() as uow:
        analyze_charts(uow, HIT)
    with himdesk.unit_of_work() as uow:
        assert delinquency_report(uow, MANAGER).overall.delinquent_records == 0
    clock.advance(days=1)
    with himdesk.unit_of_work() as uow:
        assert delinquency_report(uow, MANAGER).overall.delinquent_records == 1


def test_a_late_signature_or_a_discrepancy_does_not_make_a_record_delinquent(
    himdesk: Himdesk,
) -> None:
    """The discharge summary signed late is there (the record is complete), and a finding
    for a query is not documentation the clinician owes: neither counts as delinquent."""
    with himdesk.unit_of_work() as uow:
        doctor = ChartBuilder(uow).clinician()
        stay = _stay(uow, doctor, _days_ago(60))
        uow.commit()
    with himdesk.unit_of_work() as uow:
        analyze_charts(uow, HIT)
        missing = [t.id for t in uow.chart_reviews.history(stay)]
        uow.chart_reviews.clear(missing, T0, "hana", Resolution.WAIVED, "Paper chart on file.")
        encounter = uow.chart.encounter(stay)
        assert encounter is not None and doctor.id is not None
        due = TODAY - timedelta(days=30)
        late = Deficiency(
            K.LATE_DOCUMENT,
            "discharge_summary_timely",
            "Discharge summary signed 39 days after discharge.",
            doctor.id,
            due,
        )
        sodium = Deficiency(K.RESULT_WITHOUT_DIAGNOSIS, "abnormal_result_explained",
                            "Sodium 124 with no hyponatremia documented.", doctor.id, due,
                            subject="result sodium low")  # fmt: skip
        uow.chart_reviews.add([(stay, encounter.patient_id, late),
                               (stay, encounter.patient_id, sodium)], T0, "hana")  # fmt: skip
        uow.commit()
    with himdesk.unit_of_work() as uow:
        report = delinquency_report(uow, MANAGER)
        tracked = uow.chart_reviews.history(stay)
    assert report.overall.delinquent_records == 0
    assert report.by_clinician == []
    assert not any(t.is_delinquent(TODAY) for t in tracked)
