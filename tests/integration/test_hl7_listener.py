"""The MLLP listener, driven by a real socket client against a listener on a free port."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import select

from himdesk.bootstrap import Himdesk
from himdesk.cli.hl7_commands import interface_actor
from himdesk.interop.hl7v2.acks import END_BLOCK, framed
from himdesk.interop.hl7v2.fields import Delimiters, decode_escapes
from himdesk.interop.hl7v2.mllp import ListenerThread, MessageIntake
from himdesk.storage.tables import audit_events, encounters, interface_rejections
from tests.hl7_feed import adt, oru

NOT_ACCEPTED = b"MSH|^~\\&|ADT1|MERCY|HIMDESK|HIM|20261101083000||ADT^A02^ADT_A02|C3|P|2.5.1\r"


def exchange(link: socket.socket, content: bytes) -> list[str]:
    """Send one framed message; the acknowledgement's MSA fields (code, control id, text)."""
    link.sendall(framed(content))
    answer = b""
    while not answer.endswith(END_BLOCK):
        chunk = link.recv(65536)
        assert chunk, "the listener closed the connection without answering"
        answer += chunk
    segments = answer.strip(b"\x0b\x1c\r").decode().split("\r")
    msa = next(s for s in segments if s.startswith("MSA|")).split("|")
    return [*msa[1:3], decode_escapes(msa[3], Delimiters())]


@pytest.fixture
def link(himdesk: Himdesk) -> Iterator[socket.socket]:
    actor = interface_actor("127.0.0.1", 0)
    intake = MessageIntake(
        himdesk.unit_of_work, lambda peer: replace(actor, client_address=peer), himdesk.clock
    )
    with (
        ListenerThread(intake) as running,
        socket.create_connection(("127.0.0.1", running.port), timeout=60) as connection,
    ):
        yield connection


def test_an_admission_a_discharge_and_an_unaccepted_message_are_answered_aa_aa_ar(
    link: socket.socket, himdesk: Himdesk
) -> None:
    answers = [
        exchange(link, adt("A01", "C1")),
        exchange(link, adt("A03", "C2", discharged="20261101100000", disposition="01")),
        exchange(link, NOT_ACCEPTED),
    ]
    assert [a[:2] for a in answers] == [["AA", "C1"], ["AA", "C2"], ["AR", "C3"]]
    assert "ADT^A02 is not accepted" in answers[2][2]
    with himdesk.engine.connect() as db:
        stay = db.execute(select(encounters).where(encounters.c.account_number == "V5001")).one()
        queued = db.execute(select(interface_rejections)).all()
        by = set(db.execute(select(audit_events.c.username)).scalars())
    assert stay.status == "discharged" and stay.discharge_disposition == "01"
    assert [(r.channel, r.control_id, r.message_type) for r in queued] == [
        ("mllp", "C3", "ADT^A02")
    ]
    assert "MSH-9" in queued[0].reason
    assert "mllp:127.0.0.1:0" in by


def test_results_for_a_visit_nobody_sent_are_answered_ae_and_queued(
    link: socket.socket, himdesk: Himdesk
) -> None:
    code, control_id, _ = exchange(link, oru("LAB9", visit="NEVER-ADMITTED"))
    assert (code, control_id) == ("AE", "LAB9")
    with himdesk.engine.connect() as db:
        queued = db.execute(select(interface_rejections)).one()
    assert (queued.channel, queued.control_id) == ("mllp", "LAB9")


def test_a_resent_message_is_accepted_again_and_changes_nothing(
    link: socket.socket, himdesk: Himdesk
) -> None:
    first = exchange(link, adt("A01", "C1"))
    again = exchange(link, adt("A01", "C1"))
    assert first[0] == again[0] == "AA"
    with himdesk.engine.connect() as db:
        assert len(db.execute(select(encounters)).all()) == 1


def test_a_bad_frame_is_rejected_and_the_connection_goes_on(link: socket.socket) -> None:
    assert exchange(link, b"\x00\x01 this is not HL7 at all")[0] == "AR"
    assert exchange(link, adt("A01", "C1") + adt("A04", "C2", visit="V2"))[0] == "AR"
    assert exchange(link, adt("A01", "C9"))[:2] == ["AA", "C9"]


def test_a_sender_that_hangs_up_mid_frame_does_not_stop_the_listener(
    himdesk: Himdesk,
) -> None:
    actor = interface_actor("127.0.0.1", 0)
    intake = MessageIntake(himdesk.unit_of_work, lambda peer: actor, himdesk.clock)
    with ListenerThread(intake) as running:
        with socket.create_connection(("127.0.0.1", running.port), timeout=60) as rude:
            rude.sendall(b"\x0bMSH|^~\\&|half a message")
        with socket.create_connection(("127.0.0.1", running.port), timeout=60) as polite:
            assert exchange(polite, adt("A01", "C1"))[0] == "AA"


def test_a_frame_larger_than_the_limit_is_refused_and_that_connection_closed(
    himdesk: Himdesk,
) -> None:
    actor = interface_actor("127.0.0.1", 0)
    intake = MessageIntake(himdesk.unit_of_work, lambda peer: actor, himdesk.clock)
    with ListenerThread(intake, frame_limit=4096) as running:
        with socket.create_connection(("127.0.0.1", running.port), timeout=60) as greedy:
            code, _, text = exchange(greedy, adt("A01", "C1") + b"OBX|" + b"x" * 8000 + b"\r")
            assert code == "AR" and "larger than 4096 bytes" in text
            assert greedy.recv(10) == b""  # closed: the rest of that frame cannot be trusted
        with socket.create_connection(("127.0.0.1", running.port), timeout=60) as next_one:
            assert exchange(next_one, adt("A01", "C2"))[0] == "AA"


def test_a_silent_connection_is_closed_after_the_idle_limit(himdesk: Himdesk) -> None:
    actor = interface_actor("127.0.0.1", 0)
    intake = MessageIntake(himdesk.unit_of_work, lambda peer: actor, himdesk.clock)
    with ListenerThread(intake, idle_limit=0.3) as running:
        with socket.create_connection(("127.0.0.1", running.port), timeout=10) as silent:
            silent.sendall(b"\x0bMSH|^~\\&|never finished")
            assert silent.recv(10) == b""  # closed by the listener, not by the test's timeout
        with socket.create_connection(("127.0.0.1", running.port), timeout=60) as next_one:
            assert exchange(next_one, adt("A01", "C1"))[0] == "AA"


def test_connections_beyond_the_cap_are_closed_at_once(himdesk: Himdesk) -> None:
    actor = interface_actor("127.0.0.1", 0)
    intake = MessageIntake(himdesk.unit_of_work, lambda peer: actor, himdesk.clock)
    with (
        ListenerThread(intake, connection_limit=1) as running,
        socket.create_connection(("127.0.0.1", running.port), timeout=60) as first,
    ):
        assert exchange(first, adt("A01", "C1"))[0] == "AA"
        with socket.create_connection(("127.0.0.1", running.port), timeout=10) as extra:
            assert extra.recv(10) == b""
        assert exchange(first, adt("A01", "C2"))[0] == "AA"
