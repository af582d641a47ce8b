"""HL7 v2 through the MLLP listener: messages/s and acknowledgement latency over a real socket.

Starts `himdesk hl7 listen` as its own process on a freshly migrated SQLite file under a
temporary directory, then one client connection sends, per synthetic patient, the shared
samples' admission (ADT^A01), lab results (ORU^R01, 10 results: 8 numeric, 2 pending) and
discharge (ADT^A03) — each rewritten with a unique control id, MRN, name, birth date, visit
and order numbers — and waits for each acknowledgement before sending the next, as an
interface engine does.
Every message is read, matched, written, audited and committed in its own transaction (the
discharge also runs the chart-completeness analysis). Reports the machine, the message
count, messages/s, p50/p95 acknowledgement latency and the listener's CPU time per message
(what it needs of a quiet core), and checks every answer was AA. Target: at least 500
messages/s.

    python bench/hl7_mllp.py [--patients 1000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import HIMDESK, ROOT, _machine  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "data" / "hl7v2" / "microsoft_fhir_converter" / "messages"
TARGET = 500  # messages/s
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "da", "be", "go", "ha", "ji", "pe"]
START, END = b"\x0b", b"\x1c\r"


def main() -> None:
    args = _arguments()
    admit, results, discharge = (
        _segments(SAMPLES / name) for name in ("ADT-A01-02.hl7", "LAB-ORU-1.hl7", "ADT-A03-02.hl7")
    )
    feed = [
        message
        for i in range(args.patients)
        for message in _patient_feed(i, admit, results, discharge)
    ]
    with tempfile.TemporaryDirectory(prefix="himdesk-hl7-bench-") as scratch:
        where = Path(args.keep or scratch)
        where.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "HIMDESK_DEMO_MODE": "1",
            "HIMDESK_DATABASE_URL": f"sqlite:///{where / 'hl7.db'}",
        }
        subprocess.run([*HIMDESK, "db", "upgrade"], env=env, check=True, capture_output=True)
        listener = subprocess.Popen(
            [*HIMDESK, "hl7", "listen", "--port", "0"], env=env, stderr=subprocess.PIPE, text=True
        )
        try:
            port = _bound_port(listener)
            cpu_before = _cpu_seconds(listener.pid)
            wall, latencies, codes = _send(port, feed)
            server_cpu = _cpu_seconds(listener.pid) - cpu_before
        finally:
            listener.terminate()
            listener.wait(timeout=120)
    _report(len(feed), wall, latencies, codes)
    _report_cpu(len(feed), server_cpu)
    if codes.get("AA", 0) != len(feed):
        sys.exit("not every message was accepted (AA)")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000, help="3 messages per patient")
    parser.add_argument("--keep", default="", help="write the database here and keep it")
    return parser.parse_args()


def _segments(path: Path) -> list[list[str]]:
    text = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode()
    return [line.split("|") for line in re.split(r"\r\n|\r|\n", text) if line.strip()]


def _patient_feed(
    i: int, admit: list[list[str]], results: list[list[str]], discharge: list[list[str]]
) -> list[bytes]:
    """Admission, results and discharge for patient i, from the samples, made unique."""
    rng = random.Random(i)
    name = "".join(SYLLABLES[(i // 14**k) % 14] for k in range(4)).capitalize()
    birth = f"{rng.randint(1930, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    visit = f"BV{i:07d}"
    given = f"{SYLLABLES[i % 14].upper()}ANA"
    pid = _with_fields(
        next(s for s in admit if s[0] == "PID"),
        {2: "", 3: f"B{i:07d}^^^BENCH^MR", 4: "", 5: f"{name}^{given}", 7: birth, 18: "", 19: ""},
    )
    feed = []
    for n, sample in enumerate((admit, results, discharge)):
        segments = [pid if s[0] == "PID" else s for s in sample]
        segments = _replaced(segments, "MSH", {4: "BENCH", 10: f"B{i:07d}-{n}"})
        segments = _replaced(segments, "PV1", {19: visit})
        # Each patient's own orders: results are known by filler order number (OBR-3).
        segments = [_with_fields(s, {2: f"{s[2]}-{i}", 3: f"{s[3]}-{i}"}) if s[0] == "OBR"
                    else s for s in segments]  # fmt: skip
        feed.append(START + ("\r".join("|".join(s) for s in segments) + "\r").encode() + END)
    return feed


def _with_fields(segment: list[str], values: dict[int, str]) -> list[str]:
    """The segment with fields replaced (MSH counts its separator as field 1)."""
    shift = 1 if segment[0] == "MSH" else 0
    changed = list(segment)
    for field, value in values.items():
        changed += [""] * (field - shift + 1 - len(changed))
        changed[field - shift] = value
    return changed


def _replaced(segments: list[list[str]], name: str, values: dict[int, str]) -> list[list[str]]:
    return [_with_fields(s, values) if s[0] == name else s for s in segments]


def _bound_port(listener: subprocess.Popen[str]) -> int:
    assert listener.stderr is not None
    line = listener.stderr.readline()
    match = re.search(r"on [\d.]+:(\d+)", line)
    if not match:
        sys.exit(f"the listener did not start: {line}{listener.stderr.read()}")
    return int(match.group(1))


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process used so far; 0 where /proc is missing.

    On a shared machine wall time counts the waits for a core; the listener's own CPU time
    per message is what it would take on a quiet core.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _send(port: int, feed: list[bytes]) -> tuple[float, list[float], dict[str, int]]:
    latencies: list[float] = []
    codes: dict[str, int] = {}
    with socket.create_connection(("127.0.0.1", port), timeout=120) as link:
        link.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        started = time.perf_counter()
        for message in feed:
            sent = time.perf_counter()
            link.sendall(message)
            answer = b""
            while not answer.endswith(END):
                answer += link.recv(65536)
            latencies.append((time.perf_counter() - sent) * 1000)
            code = re.search(rb"\rMSA\|(\w\w)\|", answer)
            key = code.group(1).decode() if code else "?"
            codes[key] = codes.get(key, 0) + 1
        wall = time.perf_counter() - started
    return wall, latencies, codes


def _report(count: int, wall: float, latencies: list[float], codes: dict[str, int]) -> None:
    cuts = statistics.quantiles(latencies, n=100)
    rate = count / wall
    print(f"machine: {_machine()}")
    print(f"messages: {count} (ADT^A01, ORU^R01, ADT^A03 per patient) over one MLLP connection")
    print(f"answers: {codes}")
    print(f"wall: {wall:.1f} s, {rate:,.0f} messages/s (target >= {TARGET})")
    print(f"ack latency: p50 {cuts[49]:.2f} ms, p95 {cuts[94]:.2f} ms, max {max(latencies):.1f} ms")
    for n, kind in enumerate(("ADT^A01", "ORU^R01", "ADT^A03")):
        print(f"  {kind}: p50 {statistics.median(latencies[n::3]):.2f} ms")


def _report_cpu(count: int, seconds: float) -> None:
    if seconds <= 0:
        return
    per_message = seconds / count * 1000
    print(
        f"listener CPU: {seconds:.1f} s, {per_message:.2f} ms a message "
        f"(quiet-core equivalent {1000 / per_message:,.0f} messages/s); load {_load()}"
    )


def _load() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


if __name__ == "__main__":
    main()
