"""Foundation benchmark: demo-load time, server-side search and chart latency, peak RSS.

Loads N synthetic patients (default 100,000, ~1M documents) into a SQLite file, starts
`himdesk serve` in a subprocess, drives it over HTTP, and reads each request's server-side
time from its Server-Timing header. Patient search is compared, in the same run, with a
naive `LIKE '%name%'` query on the same database (latency and whether the patient is found).

    python bench/run.py [--patients 100000] [--requests 300] [--db var/bench.db] [--fresh]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
HIMDESK = [sys.executable, "-m", "himdesk.cli.main"]
TIMING = re.compile(r"app;dur=([0-9.]+)")
PASSWORD = "hit-demo-password"  # noqa: S105 - the printed demo login


def main() -> None:
    args = _arguments()
    db = Path(args.db).resolve()
    env = {**os.environ, "HIMDESK_DEMO_MODE": "1", "HIMDESK_DATABASE_URL": f"sqlite:///{db}"}
    load = _load(db, env, args.patients, args.fresh)
    sample = _sample(db, args.requests)
    port = _free_port()
    server = subprocess.Popen(
        [*HIMDESK, "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = _signed_in(port)
        search = _measure_search(client, sample)
        chart = _measure_chart(client, sample)
        peak_rss_mb = _peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=20)
    naive = _measure_naive(db, sample)
    _report(load, search, chart, naive, peak_rss_mb, db)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--db", default=str(ROOT / "var" / "bench.db"))
    parser.add_argument("--fresh", action="store_true", help="reload even when the db exists")
    return parser.parse_args()


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*HIMDESK, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"himdesk {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def _load(db: Path, env: dict[str, str], patients: int, fresh: bool) -> dict[str, float]:
    if fresh and db.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    if db.exists():
        print(f"reusing {db} (pass --fresh to time the load again)")
        # An older benchmark database gets the current schema and enrolled demo logins.
        _run(env, "db", "upgrade")
        _run(env, "demo", "load", "--if-empty")
        return {}
    db.parent.mkdir(parents=True, exist_ok=True)
    _run(env, "db", "upgrade")
    print(f"loading {patients:,} patients into {db} ...", flush=True)
    return dict(
        json.loads(_run(env, "demo", "load", "--patients", str(patients), "--seed", "7", "--json"))
    )


def _typo(name: str, rng: random.Random) -> str:
    if len(name) < 5:
        return name
    i = rng.randrange(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def _sample(db: Path, n: int) -> list[dict[str, str | int]]:
    with sqlite3.connect(db) as c:
        total = c.execute("SELECT max(id) FROM patients").fetchone()[0]
        rng = random.Random(11)
        ids = rng.sample(range(1, total + 1), min(n, total))
        rows = c.execute(
            f"SELECT id, mrn, family_name, given_name, birth_on FROM patients "  # noqa: S608
            f"WHERE id IN ({','.join(map(str, ids))})"
        ).fetchall()
    queries = []
    for i, (pid, mrn, family, given, born) in enumerate(rows):
        kind = i % 4
        text = [f"{_typo(family, rng)}, {given}", f"{given} {family}", mrn, f"{family} {born}"][
            kind
        ]
        queries.append(
            {
                "id": pid,
                "text": text,
                "family": family,
                "given": given,
                "kind": ["typo", "given-first", "mrn", "name+dob"][kind],
            }
        )
    return queries


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _signed_in(port: int) -> httpx.Client:
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    deadline = time.monotonic() + 30
    while True:
        try:
            form = client.get("/login")
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                sys.exit("the server did not start")
            time.sleep(0.2)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    answer = client.post(
        "/login",
        data={
            "username": "demo_hit",
            "password": PASSWORD,
            "csrf_token": token.group(1),
            "next": "/",
        },
    )
    if answer.status_code != 303 or not answer.headers["location"].startswith("/login/second"):
        sys.exit("could not log in as demo_hit")
    return _second_factor(client, answer.headers["location"])


def _second_factor(client: httpx.Client, location: str) -> httpx.Client:
    """Enter the demo authenticator's current code, as `himdesk user totp demo_hit` prints it."""
    import pyotp

    from himdesk.domain.access import Role
    from himdesk.services.hospital import demo_totp_secret

    form = client.get(location)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    totp = pyotp.TOTP(demo_totp_secret(Role.HIT))
    answer = client.post(location, data={"code": totp.now(), "csrf_token": token.group(1)})
    if answer.status_code == 401:
        # A code works once: a run moments ago used this one, so wait for the next.
        time.sleep(totp.interval - time.time() % totp.interval + 1)
        answer = client.post(location, data={"code": totp.now(), "csrf_token": token.group(1)})
    if answer.status_code != 303:
        sys.exit("demo_hit's authenticator code was refused")
    return client


def _server_ms(response: httpx.Response) -> float:
    match = TIMING.search(response.headers.get("server-timing", ""))
    assert match and response.status_code == 200, response.status_code
    return float(match.group(1))


def _measure_search(client: httpx.Client, sample: list[dict[str, str | int]]) -> dict[str, float]:
    times, found = [], 0
    for q in sample:
        response = client.get("/patients", params={"q": q["text"]})
        times.append(_server_ms(response))
        found += f'href="/patients/{q["id"]}"' in response.text
    return _summary(times) | {"found": found / len(sample)}


def _measure_chart(client: httpx.Client, sample: list[dict[str, str | int]]) -> dict[str, float]:
    return _summary([_server_ms(client.get(f"/patients/{q['id']}")) for q in sample])


def _measure_naive(db: Path, sample: list[dict[str, str | int]]) -> dict[str, float]:
    """The baseline: what a quick implementation does — substring LIKE on both name columns."""
    times, found = [], 0
    with sqlite3.connect(db) as c:
        for q in sample:
            words = [w for w in re.split(r"[\s,]+", str(q["text"])) if w]
            where = " AND ".join(
                "(family_name LIKE ? OR given_name LIKE ? OR mrn = ?)" for _ in words
            )
            params: list[str] = []
            for w in words:
                params += [f"%{w}%", f"%{w}%", w]
            started = time.perf_counter()
            rows = c.execute(f"SELECT id FROM patients WHERE {where} LIMIT 25", params).fetchall()  # noqa: S608
            times.append((time.perf_counter() - started) * 1000)
            found += any(r[0] == q["id"] for r in rows)
    return _summary(times) | {"found": found / len(sample)}


def _summary(times: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(times, n=100)
    return {"n": len(times), "p50": statistics.median(times), "p95": cuts[94], "max": max(times)}


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}"


def _report(
    load: dict[str, float],
    search: dict[str, float],
    chart: dict[str, float],
    naive: dict[str, float],
    rss: float,
    db: Path,
) -> None:
    with sqlite3.connect(db) as c:
        patients = c.execute("SELECT count(*) FROM patients").fetchone()[0]
        documents = c.execute("SELECT count(*) FROM documents").fetchone()[0]
    size_mb = db.stat().st_size / 1e6
    print(f"\nmachine: {_machine()}")
    print(f"data: {patients:,} patients, {documents:,} documents, SQLite file {size_mb:,.0f} MB")
    if load:
        rate = load["patients"] / load["seconds"]
        print(f"demo load: {load['seconds']:.0f} s ({rate:,.0f} patients/s)")
    print(f"\n{'measure':<38}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'found':>8}")
    for name, row in (
        ("patient search (himdesk, server)", search),
        ("patient search (naive LIKE, SQL only)", naive),
        ("open chart (server)", chart),
    ):
        found = f"{row['found']:.0%}" if "found" in row else ""
        figures = f"{row['n']:>5.0f}{row['p50']:>9.1f}{row['p95']:>9.1f}{row['max']:>9.1f}"
        print(f"{name:<38}{figures}{found:>8}")
    targets = "targets: search p95 < 50 ms, chart p95 < 100 ms, RSS < 400 MB"
    print(f"\npeak server RSS: {rss:.0f} MB ({targets})")


if __name__ == "__main__":
    main()
