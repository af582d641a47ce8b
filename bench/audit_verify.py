"""Audit-trail verification speed: `himdesk audit verify` over millions of sealed events.

Writes N audit events (default 1,000,000; `--events 10000000` for the big check) straight
into a fresh, migrated SQLite file under var/ — a valid hash chain sealed with the same
canonical form the application uses, with a checkpoint signed every 1,000 events under the
benchmark's audit key — then times `himdesk audit verify --json` as a subprocess (its own
start-up included) and reports events/s, the verifier's peak RSS, the machine and the data
size. The target: 10M events in under a minute on a 2-core machine.

    python bench/audit_verify.py [--events 1000000] [--runs 3] [--db var/audit-bench.db]
                                 [--reuse]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from himdesk.domain.audit import GENESIS_HASH, hash_canonical
from himdesk.domain.audit_checkpoints import CheckpointSigner
from himdesk.storage.database import make_engine
from himdesk.storage.migrate import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from run import HIMDESK, ROOT, _machine  # noqa: E402

AUDIT_KEY = "audit-verify-benchmark-key-not-for-real-use"
EVERY = 1000
STARTED_AT = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
ACTIONS = ("chart.read", "patient.search", "document.read", "chart.read", "user.login")
ROLES = ("hit", "coder", "clinician", "him_manager", "privacy_officer")
PURPOSES = ("HOPERAT", "HPAYMT", "TREAT", "HOPERAT", "HOPERAT")
_INSERT_EVENT = (
    "INSERT INTO audit_events (sequence, occurred_at, user_id, username, role, action, outcome, "
    "patient_id, object_type, object_id, client_address, purpose, previous_hash, event_hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_CHECKPOINT = (
    "INSERT INTO audit_checkpoints (number, sequence, event_hash, event_count, created_at, "
    "signature) VALUES (?, ?, ?, ?, ?, ?)"
)


def main() -> None:
    args = _arguments()
    db = Path(args.db).resolve()
    if not (args.reuse and _event_count(db) == args.events):
        _generate(db, args.events)
    env = {
        **os.environ,
        "HIMDESK_DEMO_MODE": "1",  # the demo field key: these events name no patient data
        "HIMDESK_AUDIT_KEY": AUDIT_KEY,
        "HIMDESK_AUDIT_CHECKPOINT_EVERY": str(EVERY),
        "HIMDESK_DATABASE_URL": f"sqlite:///{db}",
    }
    runs = [_verify(env) for _ in range(args.runs)]
    _report(db, args.events, runs)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="timed verifications")
    parser.add_argument("--db", default=str(ROOT / "var" / "audit-bench.db"))
    parser.add_argument(
        "--reuse", action="store_true", help="keep the file when it already holds --events"
    )
    args = parser.parse_args()
    if args.events < 1 or args.runs < 1:
        parser.error("--events and --runs must be at least 1")
    return args


def _event_count(db: Path) -> int:
    if not db.exists():
        return -1
    with sqlite3.connect(db) as c:
        return int(c.execute("SELECT count(*) FROM audit_events").fetchone()[0])


def _generate(db: Path, events: int) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    engine.dispose()
    print(f"writing {events:,} audit events into {db} ...", flush=True)
    started = time.perf_counter()
    signer = CheckpointSigner.from_secret(AUDIT_KEY, EVERY)
    c = sqlite3.connect(db, isolation_level=None)
    try:
        # A throwaway file: no journal, no fsync, and a cache that holds the indexes (random
        # patient ids would otherwise miss the cache on most inserts).
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000"):
            c.execute(f"PRAGMA {pragma}")
        c.execute("BEGIN")
        batch: list[tuple[Any, ...]] = []
        for row, checkpoint in _sealed_rows(events, signer):
            batch.append(row)
            if checkpoint:
                c.execute(_INSERT_CHECKPOINT, checkpoint)
            if len(batch) == 50_000:
                c.executemany(_INSERT_EVENT, batch)
                batch.clear()
        c.executemany(_INSERT_EVENT, batch)
        c.execute("COMMIT")
        c.execute("PRAGMA journal_mode=WAL")  # as himdesk runs it
    finally:
        c.close()
    seconds = time.perf_counter() - started
    print(f"written in {seconds:.0f} s ({events / seconds:,.0f} events/s)", flush=True)


def _sealed_rows(
    events: int, signer: CheckpointSigner
) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...] | None]]:
    """Rows as the audit_events table holds them, sealed in order onto the chain."""
    previous = GENESIS_HASH
    for sequence in range(1, events + 1):
        # Every time has microseconds, to exercise the whole canonical time form.
        at = STARTED_AT + timedelta(microseconds=sequence * 2_345_677)
        iso = at.isoformat(timespec="microseconds")
        user_id, kind = sequence * 7919 % 500 + 1, sequence % 5
        patient_id = sequence * 104_729 % 100_000 + 1 if kind != 4 else None
        fields = (
            sequence, previous, iso, user_id, f"user{user_id:03d}", ROLES[user_id % 5],
            ACTIONS[kind], "success" if sequence % 97 else "denied", patient_id,
            "chart" if patient_id else "user", str(patient_id or user_id),
            f"10.20.{user_id % 250}.{sequence % 250}", PURPOSES[user_id % 5],
        )  # fmt: skip
        event_hash = hash_canonical(fields)
        stored_time = iso[:10] + " " + iso[11:26]  # SQLAlchemy's SQLite form, UTC
        row = (sequence, stored_time, *fields[3:], previous, event_hash)
        checkpoint = None
        if signer.is_due(sequence):
            signed = signer.sign(sequence // EVERY, sequence, event_hash, STARTED_AT)
            created = signed.created_at.isoformat(timespec="microseconds")
            checkpoint = (signed.number, sequence, event_hash, sequence, created[:10] + " "
                          + created[11:26], signed.signature)  # fmt: skip
        yield row, checkpoint
        previous = event_hash


def _verify(env: dict[str, str]) -> dict[str, float]:
    started = time.perf_counter()
    verifier = subprocess.Popen(
        [*HIMDESK, "audit", "verify", "--json"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    verifier_mb, worker_mb = _watch_memory(verifier)
    out, err = verifier.communicate()
    wall = time.perf_counter() - started
    if verifier.returncode:
        sys.exit(f"himdesk audit verify failed ({verifier.returncode}):\n{out}{err}")
    report = json.loads(out)
    print(f"verified {report['checked']:,} events in {wall:.1f} s", flush=True)
    return {
        "wall": wall,
        "inside": report["seconds"],
        "checkpoints": report["checkpoints_checked"],
        "verifier_mb": verifier_mb,
        "worker_mb": worker_mb,
    }


def _watch_memory(process: subprocess.Popen[str]) -> tuple[float, float]:
    """Peak RSS of the verifier and of its largest worker, read from /proc while they run.

    (getrusage's children figure is no use here: a child starts out charged with this
    process's own peak, which the generation above made large.)
    """
    peaks: dict[int, float] = {}
    while process.poll() is None:
        for pid in (process.pid, *_children(process.pid)):
            peaks[pid] = max(peaks.get(pid, 0.0), _high_water_mb(pid))
        time.sleep(0.05)
    workers = [mb for pid, mb in peaks.items() if pid != process.pid]
    return peaks.get(process.pid, 0.0), max(workers, default=0.0)


def _children(pid: int) -> list[int]:
    try:
        return [
            int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ]
    except OSError:
        return []


def _high_water_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _report(db: Path, events: int, runs: list[dict[str, float]]) -> None:
    wall = statistics.median(run["wall"] for run in runs)
    inside = statistics.median(run["inside"] for run in runs)
    files = [Path(f"{db}{suffix}") for suffix in ("", "-wal")]
    size_gb = sum(f.stat().st_size for f in files if f.exists()) / 1e9
    verifier_mb = max(run["verifier_mb"] for run in runs)
    worker_mb = max(run["worker_mb"] for run in runs)
    print(f"\nmachine: {_machine()}")
    print(
        f"data: {events:,} audit events, {int(runs[0]['checkpoints']):,} signed checkpoints, "
        f"SQLite file {size_gb:,.2f} GB"
    )
    print(f"\n{'measure':<46}{'seconds':>9}{'events/s':>12}")
    print(f"{'himdesk audit verify (wall, with start-up)':<46}{wall:>9.1f}{events / wall:>12,.0f}")
    print(f"{'  of which the verification itself':<46}{inside:>9.1f}{events / inside:>12,.0f}")
    walls = ", ".join(f"{run['wall']:.1f}" for run in runs)
    print(f"\nruns: {walls} s (median shown)")
    print(f"peak RSS: verifier {verifier_mb:.0f} MB, largest worker {worker_mb:.0f} MB")
    print("target: 10M events in under 60 s")


if __name__ == "__main__":
    main()
