"""Chart analysis: `himdesk chart analyze` over the whole hospital, and re-analysis after one
document change, with loading part by part (the first version) as the baseline.

Uses a copy of the database that `bench/run.py` loads (default var/bench.db, 100,000 patients;
migrated first), so the benchmark database stays as it was:

1. Full analysis: `himdesk chart analyze --json` as a subprocess (an audit event per
   encounter, the deficiency tracking writes, one commit) over every discharged encounter,
   twice: the first run opens the deficiencies (unless the load already analysed them, as a
   fresh `demo load` does), the second is the steady state. Wall and CPU time, peak RSS.
2. Baseline, same run: the same analysis over a sample of encounters, once with himdesk's
   batched loading and once loading each encounter part by part, a query per part (patient,
   documents, procedures, results, diagnoses, medications, allergies); both rolled back.
3. Incremental: for discharged encounters with a draft document, `sign_document` end to end
   (the re-analysis runs inside it) and `reanalyze_encounter` alone, each rolled back.

    python bench/chart_analysis.py [--db var/bench.db] [--sample 3000] [--signatures 200]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from himdesk.bootstrap import Himdesk
from himdesk.config import Settings
from himdesk.domain.access import Actor, PurposeOfUse, Role
from himdesk.domain.completeness import EncounterRecord
from himdesk.domain.records import Encounter
from himdesk.services.completeness import analyze_charts, reanalyze_encounter
from himdesk.services.documents import sign_document
from himdesk.services.ports import PatientsById
from himdesk.storage.migrate import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from run import HIMDESK, ROOT, _machine, _summary  # noqa: E402

HIM = Actor(user_id=999_003, username="bench_him", role=Role.HIM_MANAGER,
            purpose=PurposeOfUse.OPERATIONS)  # fmt: skip


class RolledBack:
    """A unit of work whose commit does nothing: every write still runs in the transaction,
    which rolls back at exit, so each measurement starts from the same database."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __enter__(self) -> Any:
        uow = self._real.__enter__()
        uow.commit = lambda: None
        return uow

    def __exit__(self, *exc: object) -> None:
        self._real.__exit__(*exc)


class PartByPartChart:
    """The baseline: the chart repository, but each encounter is loaded with a query per
    part, the way the analysis first did."""

    def __init__(self, uow: Any, sample: Sequence[Encounter]) -> None:
        self._uow, self._chart, self._sample = uow, uow.chart, sample

    def discharged_encounters(
        self, encounter_id: int | None = None, *, after: int = 0, limit: int | None = None
    ) -> Sequence[Encounter]:
        return [e for e in self._sample if (e.id or 0) > after][:limit]

    def encounter_records(
        self, encounters: Sequence[Encounter], patients: PatientsById
    ) -> list[EncounterRecord]:
        return [self._record(e) for e in encounters]

    def _record(self, e: Encounter) -> EncounterRecord:
        chart, patient_id = self._chart, e.patient_id
        assert e.id is not None  # noqa: S101

        def this_stay(items: Sequence[Any]) -> list[Any]:
            return [item for item in items if item.encounter_id == e.id]

        return EncounterRecord(
            patient=self._uow.patients.get(patient_id), encounter=e,
            documents=chart.encounter_documents(e.id),
            procedures=chart.encounter_procedures(e.id),
            observations=this_stay(chart.observations(patient_id)),
            diagnoses=this_stay(chart.diagnoses(patient_id)),
            medications=this_stay(chart.medications(patient_id)),
            allergies=chart.allergies(patient_id),
        )  # fmt: skip

    def __getattr__(self, name: str) -> Any:
        return getattr(self._chart, name)


class SampleChart(PartByPartChart):
    """himdesk's own loading, limited to the sample."""

    def encounter_records(
        self, encounters: Sequence[Encounter], patients: PatientsById
    ) -> list[EncounterRecord]:
        return list(self._chart.encounter_records(encounters, patients))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(ROOT / "var" / "bench.db"))
    parser.add_argument("--sample", type=int, default=3000, help="encounters in each arm")
    parser.add_argument("--signatures", type=int, default=200, help="draft documents signed")
    parser.add_argument("--keep-copy", action="store_true", help="keep the analysed copy")
    args = parser.parse_args()
    db = Path(args.db).resolve()
    if not db.exists():
        sys.exit(f"{db} does not exist: run `python bench/run.py` first to load it")
    upgrade(Himdesk(_settings(db)).engine)  # an older benchmark database gets the schema
    copy = _copy(db)
    try:
        before = _counts(copy)
        runs = [_full_analysis(copy, before["discharged"]) for _ in range(2)]
        himdesk = Himdesk(_settings(copy))
        sample = _sample(himdesk, args.sample)
        arms = {name: _timed_arm(himdesk, sample, chart) for name, chart in
                (("himdesk", SampleChart), ("baseline", PartByPartChart))}  # fmt: skip
        incremental = _incremental(himdesk, copy, args.signatures)
    finally:
        if not args.keep_copy:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)
    _report(before, runs, arms, incremental)


def _settings(db: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{db}", demo_mode=True)


def _copy(db: Path) -> Path:
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    copy = db.with_name(f"{db.stem}-chart-analysis.db")
    for suffix in ("-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    shutil.copyfile(db, copy)
    print(f"copied {db.name} to {copy.name} in {time.perf_counter() - started:.0f} s", flush=True)
    return copy


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as c:
        query = {
            "patients": "SELECT count(*) FROM patients",
            "documents": "SELECT count(*) FROM documents",
            "discharged": "SELECT count(*) FROM encounters WHERE discharged_at IS NOT NULL",
            "deficiencies": "SELECT count(*) FROM deficiencies",
            "audit_events": "SELECT count(*) FROM audit_events",
        }
        return {name: c.execute(sql).fetchone()[0] for name, sql in query.items()}


def _full_analysis(db: Path, discharged: int) -> dict[str, float]:
    """One `himdesk chart analyze --json` in a child process: its wall, CPU and peak RSS."""
    env = {**os.environ, "HIMDESK_DEMO_MODE": "1", "HIMDESK_DATABASE_URL": f"sqlite:///{db}"}
    before = _counts(db)
    print("himdesk chart analyze --json ...", flush=True)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen([*HIMDESK, "chart", "analyze", "--json"], env=env, cwd=ROOT,
                                 stdout=out, stderr=err)  # fmt: skip
        _, status, usage = os.wait4(child.pid, 0)  # this child's own CPU time and peak RSS
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            err.seek(0)
            sys.exit(f"himdesk chart analyze failed:\n{err.read().decode()}")
        out.seek(0)
        findings = len(json.load(out))
    after = _counts(db)
    if after["audit_events"] - before["audit_events"] < discharged:
        sys.exit("himdesk chart analyze did not audit every encounter it analysed")
    return {"encounters": discharged, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024, "findings": findings,
            "new": after["deficiencies"] - before["deficiencies"]}  # fmt: skip


def _sample(himdesk: Himdesk, n: int) -> list[Encounter]:
    with himdesk.unit_of_work() as uow:
        encounters = list(uow.chart.discharged_encounters())
    picked = random.Random(3).sample(encounters, min(n, len(encounters)))
    return sorted(picked, key=lambda e: e.id or 0)


def _timed_arm(himdesk: Himdesk, sample: Sequence[Encounter], chart: type) -> float:
    """Encounters/s of `analyze_charts` over the sample, with the given loading."""
    with RolledBack(himdesk.unit_of_work()) as uow:
        uow.chart = chart(uow, sample)
        started = time.perf_counter()
        analyze_charts(uow, HIM)
        return len(sample) / (time.perf_counter() - started)


def _drafts(db: Path, n: int) -> list[tuple[int, int, int, int]]:
    """Draft documents of discharged encounters (unlabelled, of unrestricted patients)."""
    with sqlite3.connect(db) as c:
        rows = c.execute(
            "SELECT d.id, d.patient_id, d.encounter_id, d.author_id FROM documents d "
            "JOIN encounters e ON e.id = d.encounter_id WHERE d.status = 'draft' "
            "AND e.discharged_at IS NOT NULL AND d.sensitivity IS NULL AND d.patient_id "
            "NOT IN (SELECT patient_id FROM patient_restrictions) ORDER BY d.id"
        ).fetchall()
    return sorted(random.Random(9).sample(rows, min(n, len(rows))))


def _incremental(himdesk: Himdesk, db: Path, n: int) -> dict[str, list[float]]:
    """Per draft: re-analysis alone, then signing end to end; each in its own rolled-back
    transaction, timed from the service call to its return. The first draft is done once
    more beforehand, unmeasured: a process's first call compiles its queries."""
    times: dict[str, list[float]] = {"reanalyze": [], "sign": []}
    drafts = _drafts(db, n)
    for k, (document_id, patient_id, encounter_id, author_id) in enumerate(drafts[:1] + drafts):
        author = Actor(user_id=999_004, username="bench_clinician", role=Role.CLINICIAN,
                       clinician_id=author_id)  # fmt: skip
        steps: dict[str, Callable[[Any], object]] = {
            "reanalyze": partial(reanalyze_encounter, by="bench", encounter_id=encounter_id),
            "sign": partial(
                sign_document, actor=author, patient_id=patient_id, document_id=document_id
            ),
        }
        for name, step in steps.items():
            with RolledBack(himdesk.unit_of_work()) as uow:
                started = time.perf_counter()
                step(uow)
                if k:
                    times[name].append((time.perf_counter() - started) * 1000)
    return times


def _report(
    before: dict[str, int],
    runs: list[dict[str, float]],
    arms: dict[str, float],
    incremental: dict[str, list[float]],
) -> None:
    print(f"\nmachine: {_machine()}")
    print(f"data: {before['patients']:,} patients, {before['discharged']:,} discharged "
          f"encounters, {before['documents']:,} documents; {before['deficiencies']:,} "
          "deficiencies tracked before the first run")  # fmt: skip
    columns = ("encounters", "wall s", "CPU s", "enc/s", "RSS MB", "new", "findings")
    print(f"\n{'himdesk chart analyze --json':<30}" + "".join(f"{c:>11}" for c in columns))
    for i, run in enumerate(runs, 1):
        label = "run 1 (opens deficiencies)" if i == 1 else f"run {i} (steady state)"
        figures = (run["encounters"], run["wall"], run["cpu"], run["encounters"] / run["wall"],
                   run["rss_mb"], run["new"], run["findings"])  # fmt: skip
        print(f"  {label:<28}" + "".join(_figure(f) for f in figures))
    print(f"\n{'same sample, in-process, rolled back':<62}{'enc/s':>8}")
    for name, label in (("himdesk", "himdesk: batched, a few queries per 500 encounters"),
                        ("baseline", "baseline: a query per part of each encounter")):  # fmt: skip
        print(f"  {label:<60}{arms[name]:>8,.0f}")
    print(f"\n{'re-analysis after one document change':<40}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'max ms':>9}")  # fmt: skip
    for name, label in (("sign", "sign_document, end to end"), ("reanalyze", "reanalyze alone")):
        row = _summary(incremental[name])
        print(f"  {label:<38}{row['n']:>5.0f}{row['p50']:>9.1f}{row['p95']:>9.1f}"
              f"{row['max']:>9.1f}")  # fmt: skip
    print("\ntargets: >= 1,000 encounters/s on one core; re-analysis < 50 ms")


def _figure(value: float) -> str:
    return f"{value:>11,.0f}" if value >= 100 or value == int(value) else f"{value:>11.1f}"


if __name__ == "__main__":
    main()
