"""New MRNs and account numbers stay unique when two imports run at once (the web upload and
the MLLP listener can), on every backend."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

from himdesk.bootstrap import Himdesk
from himdesk.domain.incoming import IncomingChart, IncomingEncounter, Submission
from himdesk.domain.records import EncounterClass, EncounterStatus
from himdesk.services.imports import ImportOutcome, import_submission
from tests.submissions import ADMITTED, IMPORTER, a_patient, a_submission, ref


class Rendezvous:
    """A clock whose first reading in each thread waits (up to a second) for the other
    thread's: an import reads the clock only after numbering its patient and encounter, so
    both imports have numbered before either commits, unless numbering makes one wait."""

    def __init__(self, clock: Callable[[], datetime], parties: int) -> None:
        self._clock = clock
        self._barrier = threading.Barrier(parties)
        self._seen = threading.local()

    def __call__(self) -> datetime:
        if not getattr(self._seen, "waited", False):
            self._seen.waited = True
            with contextlib.suppress(threading.BrokenBarrierError):
                self._barrier.wait(timeout=1.0)
        return self._clock()


def a_new_stay(key: str, family: str, born: date) -> IncomingChart:
    """A new patient with a visit that brings no account number (himdesk numbers it)."""
    return IncomingChart(
        patient=a_patient(key=key, family=family, given="Noor", born=born),
        encounters=(
            IncomingEncounter(ref("Encounter", f"{key}-visit"), EncounterClass.OUTPATIENT,
                              ADMITTED, EncounterStatus.IN_PROGRESS, account_number=""),
        ),
    )  # fmt: skip


def test_two_imports_of_new_patients_at_once_both_get_their_own_numbers(
    himdesk: Himdesk,
) -> None:
    submissions = [
        a_submission(a_new_stay("p1", "Haddad", date(1971, 2, 3)), label="one", clinicians=()),
        a_submission(a_new_stay("p2", "Moreau", date(1984, 9, 30)), label="two", clinicians=()),
    ]
    racing = Himdesk(himdesk.settings, clock=Rendezvous(himdesk.clock, parties=2))

    def run(submission: Submission) -> ImportOutcome:
        with racing.unit_of_work() as uow:
            return import_submission(uow, IMPORTER, submission)

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(pool.map(run, submissions))
    finally:
        racing.close()
    assert [o.status for o in outcomes] == ["imported", "imported"]
    with himdesk.unit_of_work() as uow:
        patients = [uow.patients.get(o.patient_ids[0]) for o in outcomes]
        stays = [stay for p in patients for stay in uow.chart.encounters(p.id or 0)]
    assert sorted(p.mrn for p in patients) == ["M0000001", "M0000002"]
    assert sorted(s.account_number for s in stays) == ["I000000001", "I000000002"]
