"""MS-DRG grouping throughput: himdesk's grouper beside drgpy on the same claims.

The claims are tests/drg_cases.py (realistic inpatient stays across 22 MDCs, v43.0 and v43.1
discharges). Three arms, each over every claim, several rounds, best and median reported:

- himdesk: `CmsDrgGrouper.group` as the coding screen calls it (validity checks, drivers,
  notes, Table 5 weight, and the regroupings behind the "what would change the DRG" hints);
- msdrg alone: the native grouper on the same requests, without any of that;
- drgpy: `DRGEngineAllVers.get_drg` (the pure-Python grouper used as the cross-check).

It also prints the start-up cost of each, agreement with drgpy, the machine and data size.

    python bench/drg_grouping.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from drgpy.msdrg_allvers import DRGEngineAllVers

from himdesk.codesets.cms_grouper import make_grouper, msdrg_request
from himdesk.codesets.msdrg_native import native_grouper
from himdesk.domain.coding.claims import Claim
from himdesk.domain.coding.grouping import grouper_release_for

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))
from run import _machine  # noqa: E402
from tests.drg_cases import drg_cases  # noqa: E402
from tests.integration.test_drg_cross_check import drgpy_drg  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    claims = [case.claim for case in drg_cases()]

    started = time.perf_counter()
    grouper = make_grouper()
    ours_ready = time.perf_counter() - started
    started = time.perf_counter()
    engine = DRGEngineAllVers()
    for day in sorted({c.discharged_on for c in claims if c.discharged_on}):
        engine.get_drg(["I5021"], [], day)  # loads each version's data
    drgpy_ready = time.perf_counter() - started

    native = native_grouper()
    requests = [msdrg_request(c, grouper_release_for(c.discharged_on)[0]) for c in claims]
    arms: dict[str, Callable[[], object]] = {
        "himdesk (drivers, hints, weights)": lambda: [grouper.group(c) for c in claims],
        "msdrg alone": lambda: [native.group(r) for r in requests],
        "drgpy": lambda: [drgpy_drg(engine, c) for c in claims],
    }
    timings = {name: _rounds(run, rounds) for name, run in arms.items()}

    ours = [grouper.group(c).drg for c in claims]
    theirs = [drgpy_drg(engine, c) for c in claims]
    agreeing = sum(a == b for a, b in zip(ours, theirs, strict=True))
    _report(claims, timings, agreeing, ours_ready, drgpy_ready, rounds)


def _rounds(run: Callable[[], object], rounds: int) -> list[float]:
    run()  # warm caches
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return seconds


def _report(
    claims: list[Claim],
    timings: dict[str, list[float]],
    agreeing: int,
    ours_ready: float,
    drgpy_ready: float,
    rounds: int,
) -> None:
    diagnoses = sum(len(c.diagnoses) for c in claims)
    procedures = sum(len(c.procedures) for c in claims)
    print(f"machine: {_machine()}")
    print(f"claims: {len(claims)} ({diagnoses} diagnoses, {procedures} procedures), "
          f"{rounds} rounds")  # fmt: skip
    print(f"start-up: himdesk grouper {ours_ready * 1000:.1f} ms, "
          f"drgpy (v43.0 + v43.1 data) {drgpy_ready * 1000:.0f} ms")  # fmt: skip
    print(f"{'arm':<36} {'best claims/s':>14} {'median claims/s':>16} {'µs/claim':>9}")
    for name, seconds in timings.items():
        best, median = min(seconds), statistics.median(seconds)
        print(f"{name:<36} {len(claims) / best:>14,.0f} {len(claims) / median:>16,.0f} "
              f"{best / len(claims) * 1e6:>9.1f}")  # fmt: skip
    share = agreeing / len(claims)
    print(f"agreement with drgpy: {agreeing} of {len(claims)} ({share:.1%}); "
          "disagreements explained in tests/integration/test_drg_cross_check.py")  # fmt: skip


if __name__ == "__main__":
    main()
