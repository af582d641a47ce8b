"""`himdesk hl7 listen`: the MLLP listener as the operator starts and stops it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from himdesk.bootstrap import Himdesk
from himdesk.cli.main import app
from tests.hl7_feed import adt
from tests.integration.test_hl7_listener import NOT_ACCEPTED, exchange

runner = CliRunner()


@pytest.fixture
def listener(database_url: str, himdesk: Himdesk) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """`himdesk hl7 listen --port 0` as its own process, and the port it says it bound."""
    command = [
        sys.executable,
        "-m",
        "himdesk.cli.main",
        "--db",
        database_url,
        "hl7",
        "listen",
        "--port",
        "0",
    ]
    env = {**os.environ, "HIMDESK_DEMO_MODE": "1", "COLUMNS": "200"}
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = re.search(r"listening for HL7 v2 over MLLP on 127\.0\.0\.1:(\d+)", line)
        assert match, line + process.stderr.read()
        yield process, int(match.group(1))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def test_the_listener_acknowledges_messages_and_stops_gracefully_on_sigterm(
    listener: tuple[subprocess.Popen[str], int],
) -> None:
    process, port = listener
    with socket.create_connection(("127.0.0.1", port), timeout=60) as link:
        assert exchange(link, adt("A01", "C1"))[:2] == ["AA", "C1"]
        assert exchange(link, NOT_ACCEPTED)[:2] == ["AR", "C3"]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    assert process.stderr is not None
    said = process.stderr.read()
    assert "stopped: 1 accepted (AA), 1 rejected (AR), 0 not applied (AE)" in said
    assert "Traceback" not in said


def test_a_port_out_of_range_is_refused_before_listening(database_url: str) -> None:
    result = runner.invoke(app, ["--db", database_url, "hl7", "listen", "--port", "70000"])
    assert result.exit_code == 1
    assert "--port must be between 0 and 65535" in result.stderr
