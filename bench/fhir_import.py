"""FHIR import speed: every shared Synthea bundle into a fresh SQLite database, with the raw limit.

The himdesk arm reads each bundle with `interop.fhir.inbound.read_fhir` and applies it with
`services.imports.import_submission` (matching, source links, the record rows, the receipt
and the audit event; one transaction per bundle), as `himdesk import` does, into a freshly
migrated SQLite file under a temporary directory. The raw arm, in the same run, is the limit
for the same input: orjson parse, then each bundle's resources as JSON rows into one table
with `executemany` and one commit per bundle, under the same SQLite settings (WAL,
synchronous=NORMAL). Both arms read the files from disk; the page cache is warmed first.
Reports the machine, the data size, wall time, resources/s, MB/s and the ratio. Target:
at least 5,000 resources/s on one core.

    python bench/fhir_import.py [--bundles DIR] [--limit N] [--keep DIR] [--database URL]

`--database URL` imports into that empty database instead (e.g. PostgreSQL; it is migrated
first); the raw arm stays the SQLite limit.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from himdesk.bootstrap import Himdesk
from himdesk.config import Settings
from himdesk.domain.access import Actor, PurposeOfUse, Role
from himdesk.domain.incoming import Rejected
from himdesk.interop.fhir.inbound import read_fhir
from himdesk.services.imports import import_submission
from himdesk.storage.migrate import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from run import ROOT, _machine  # noqa: E402

BUNDLES = ROOT.parent / "shared" / "data" / "synthea_fhir_r4" / "bundles"
TARGET = 5_000  # resources/s
ACTOR = Actor(0, "bench:fhir-import", Role.HIM_MANAGER, "bench", PurposeOfUse.OPERATIONS)


@dataclass
class Arm:
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    backend: str = "SQLite"

    def add(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


def main() -> None:
    args = _arguments()
    files = sorted(Path(args.bundles).glob("*.json"))[: args.limit or None]
    if not files:
        sys.exit(f"no bundles in {args.bundles}")
    size = sum(f.stat().st_size for f in files)
    resources = _resource_count(files)  # also warms the page cache for both arms
    with tempfile.TemporaryDirectory(prefix="himdesk-fhir-bench-") as scratch:
        where = Path(args.keep or scratch)
        where.mkdir(parents=True, exist_ok=True)
        raw = _raw_arm(files, where / "raw.db")
        ours = _himdesk_arm(files, args.database or f"sqlite:///{where / 'himdesk.db'}")
        _report(files, size, resources, ours, raw, where / "himdesk.db")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundles", default=str(BUNDLES), help="directory of bundle .json files")
    parser.add_argument("--limit", type=int, default=0, help="only the first N bundles")
    parser.add_argument("--keep", default="", help="write the databases here and keep them")
    parser.add_argument("--database", default="", help="import into this empty database URL")
    return parser.parse_args()


def _resource_count(files: list[Path]) -> int:
    return sum(len(orjson.loads(f.read_bytes()).get("entry", [])) for f in files)


def _himdesk_arm(files: list[Path], database_url: str) -> Arm:
    himdesk = Himdesk(Settings(database_url=database_url, demo_mode=True))
    upgrade(himdesk.engine)
    arm = Arm(backend="PostgreSQL" if himdesk.engine.dialect.name == "postgresql" else "SQLite")
    started = time.perf_counter()
    for path in files:
        for item in read_fhir(path.read_bytes(), path.name):
            if isinstance(item, Rejected):
                arm.add("rejected")
                print(f"  rejected {path.name}: {item}", file=sys.stderr)
                continue
            try:
                with himdesk.unit_of_work() as uow:
                    outcome = import_submission(uow, ACTOR, item)
            except Rejected as err:
                arm.add("rejected")
                print(f"  rejected {path.name}: {err}", file=sys.stderr)
                continue
            arm.add(outcome.status)
            for kind, n in outcome.counts.items():
                arm.add(kind, n)
            for kind, n in outcome.not_held.items():
                arm.add(f"not held: {kind}", n)
    arm.seconds = time.perf_counter() - started
    himdesk.close()
    return arm


def _raw_arm(files: list[Path], db: Path) -> Arm:
    """The limit: parse, then insert each resource as one JSON row (one commit per bundle)."""
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(
        "CREATE TABLE resources (id INTEGER PRIMARY KEY, resource_type TEXT NOT NULL, "
        "resource_id TEXT NOT NULL, body TEXT NOT NULL)"
    )
    arm = Arm()
    started = time.perf_counter()
    for path in files:
        bundle = orjson.loads(path.read_bytes())
        rows = [
            (r["resourceType"], r.get("id", ""), orjson.dumps(r).decode())
            for r in (entry["resource"] for entry in bundle.get("entry", []))
        ]
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "INSERT INTO resources (resource_type, resource_id, body) VALUES (?, ?, ?)", rows
        )
        connection.execute("COMMIT")
        arm.add("rows", len(rows))
    arm.seconds = time.perf_counter() - started
    connection.close()
    return arm


def _report(files: list[Path], size: int, resources: int, ours: Arm, raw: Arm, db: Path) -> None:
    megabytes = size / 1e6
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nmachine: {_machine()}")
    print(f"data: {len(files)} Synthea bundles, {megabytes:,.1f} MB, {resources:,} resources")
    stored = sum(f.stat().st_size for f in (db, db.with_name(db.name + "-wal")) if f.exists())
    if stored:
        print(f"himdesk database after import: {stored / 1e6:,.1f} MB (SQLite, with its WAL)")
    print(f"\n{'arm':<44}{'wall s':>9}{'resources/s':>13}{'MB/s':>8}")
    for name, arm in ((f"himdesk on {ours.backend} (read_fhir + import)", ours),
                      ("raw limit (orjson + executemany JSON rows)", raw)):  # fmt: skip
        rate = resources / arm.seconds
        print(f"{name:<44}{arm.seconds:>9.2f}{rate:>13,.0f}{megabytes / arm.seconds:>8.1f}")
    ratio = raw.seconds / ours.seconds
    slower = ours.seconds / raw.seconds
    print(f"\nhimdesk runs at {ratio:.1%} of the raw limit ({slower:.1f}x its time)")
    verdict = "meets" if resources / ours.seconds >= TARGET else "MISSES"
    print(f"target >= {TARGET:,} resources/s: {verdict}; peak RSS {peak:,.0f} MB")
    print("\nimport outcome: " + ", ".join(f"{k} {v:,}" for k, v in sorted(ours.counts.items())))


if __name__ == "__main__":
    main()
