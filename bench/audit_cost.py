"""Cost of auditing: chart-open latency with and without the audit write, in the same run.

Opens the same charts through the real service (`open_chart`) twice per patient, alternating
a normal unit of work with one whose audit trail discards events, so both see the same cache
state. Uses the database that `bench/run.py` loads (default var/bench.db, 100,000 patients).

    python bench/audit_cost.py [--db var/bench.db] [--charts 300]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from himdesk.bootstrap import Himdesk
from himdesk.config import Settings
from himdesk.domain.access import Actor, Role
from himdesk.domain.audit import GENESIS_HASH, AuditEntry, SealedAuditEvent, seal
from himdesk.services.charts import open_chart
from himdesk.storage.migrate import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from run import ROOT, _machine  # noqa: E402

CODER = Actor(user_id=999_001, username="bench_coder", role=Role.CODER)


class DiscardedAudit:
    """An audit trail that seals events but never writes them: the 'without audit' arm."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def append(self, entry: AuditEntry) -> SealedAuditEvent:
        return seal(entry, 0, GENESIS_HASH)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class UnauditedWork:
    def __init__(self, real: Any) -> None:
        self._real = real

    def __enter__(self) -> Any:
        uow = self._real.__enter__()
        uow.audit = DiscardedAudit(uow.audit)
        return uow

    def __exit__(self, *exc: object) -> None:
        self._real.__exit__(*exc)


def _timed(himdesk: Himdesk, patient_id: int, audited: bool) -> float:
    work = himdesk.unit_of_work() if audited else UnauditedWork(himdesk.unit_of_work())
    started = time.perf_counter()
    with work as uow:
        open_chart(uow, CODER, patient_id)
    return (time.perf_counter() - started) * 1000


def _pairs(ids: Sequence[int]) -> Iterator[tuple[int, bool]]:
    for n, patient_id in enumerate(ids):
        first = n % 2 == 0  # alternate which arm goes first
        yield patient_id, first
        yield patient_id, not first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(ROOT / "var" / "bench.db"))
    parser.add_argument("--charts", type=int, default=300)
    args = parser.parse_args()
    db = Path(args.db).resolve()
    if not db.exists():
        sys.exit(f"{db} does not exist: run `python bench/run.py` first to load it")
    himdesk = Himdesk(Settings(database_url=f"sqlite:///{db}", demo_mode=True))
    upgrade(himdesk.engine)
    with sqlite3.connect(db) as c:
        total = c.execute("SELECT max(id) FROM patients").fetchone()[0]
    ids = random.Random(5).sample(range(1, total + 1), min(args.charts, total))
    times: dict[bool, list[float]] = {True: [], False: []}
    for patient_id, audited in _pairs(ids):
        times[audited].append(_timed(himdesk, patient_id, audited))
    _report(times, total, len(ids))


def _report(times: dict[bool, list[float]], patients: int, charts: int) -> None:
    def p(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1]

    print(f"machine: {_machine()}")
    print(f"data: {patients:,} patients; {charts} charts opened in each arm, interleaved")
    print(f"{'chart open (service, in-process)':<36}{'p50 ms':>9}{'p95 ms':>9}")
    for audited, label in ((False, "without audit write"), (True, "with audit write")):
        print(
            f"  {label:<34}{statistics.median(times[audited]):>9.2f}{p(times[audited], 95):>9.2f}"
        )
    overhead = p(times[True], 95) / p(times[False], 95) - 1
    print(f"audit overhead at p95: {overhead:+.1%} (target <= 10%)")


if __name__ == "__main__":
    main()
