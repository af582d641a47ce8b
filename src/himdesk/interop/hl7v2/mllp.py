"""The MLLP listener behind `himdesk hl7 listen`: HL7 v2 messages over TCP, each answered.

MLLP (the HL7 v2 Minimal Lower Layer Protocol) frames every message as 0x0B, the message,
0x1C 0x0D. Each frame is read, imported in its own transaction and acknowledged before the
next frame of that connection is read, so a sender's messages apply in the order sent.
Messages from all connections are applied one at a time, on the event loop's own thread
(SQLite has one writer; an A03 must not overtake its A01): while one is applied the others
wait in their sockets, as they would for a worker thread, without a hand-off to and from
that thread for every message (about 0.06 ms of a 1.6 ms message).

Answers: AA when imported (or already imported, or held for a patient-match review); AR
when the reader rejects the message; AE when the import cannot apply it or fails. Every AR
and AE is kept in the review queue with its reason. A bad frame is answered and the
connection goes on; nothing a sender does stops the listener. Logs name the peer and the
kind of failure, never the message (it holds patient data).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Self

from himdesk.domain.access import Actor
from himdesk.domain.incoming import Rejected, Submission
from himdesk.interop.hl7v2.acks import END_BLOCK, START_BLOCK, AckCode, acknowledgement, framed
from himdesk.interop.hl7v2.reader import message_header, read_hl7
from himdesk.services.imports import import_submission, record_rejection
from himdesk.services.ports import Clock, UnitOfWorkFactory

log = logging.getLogger("himdesk.hl7")
FRAME_LIMIT = 16 * 1024 * 1024  # bytes; a frame larger than this is refused and the link closed
# Anyone who can reach the port could otherwise hold connections (and their buffers) open
# for ever: a connection silent this long is closed (interface engines reconnect), and
# connections beyond the cap are closed at once.
IDLE_LIMIT = 15 * 60.0  # seconds
CONNECTION_LIMIT = 32


class MessageIntake:
    """One frame in, one acknowledgement out: read, import, and queue what is refused."""

    def __init__(
        self, unit_of_work: UnitOfWorkFactory, actor_for: Callable[[str], Actor], clock: Clock
    ) -> None:
        self._unit_of_work = unit_of_work
        self._actor_for = actor_for
        self._clock = clock
        self.answered: Counter[AckCode] = Counter()  # what the senders were told, by code

    def acknowledge(self, content: bytes, peer: str) -> bytes:
        actor, label = self._actor_for(peer), f"MLLP {peer}"
        items = list(read_hl7(content, label))
        if len(items) != 1:
            problem = Rejected(
                "",
                f"an MLLP frame carries one message; this one holds "
                f"{len(items)} parts: send batches as a file (himdesk import)",
            )
            return self._refuse(content, AckCode.REJECT, problem, actor, label)
        item = items[0]
        if isinstance(item, Rejected):
            return self._refuse(content, AckCode.REJECT, item, actor, label)
        try:
            with self._unit_of_work() as uow:
                import_submission(uow, actor, item, channel="mllp")
        except Rejected as not_applied:
            return self._refuse(content, AckCode.ERROR, not_applied, actor, label, item)
        except Exception as err:
            log.error("MLLP message from %s not applied: %s", peer, type(err).__name__)
            failure = Rejected(
                "",
                "himdesk could not apply the message (internal error); it "
                "waits in the review queue",
            )
            return self._refuse(content, AckCode.ERROR, failure, actor, label, item)
        return self._answer(content, AckCode.ACCEPT)

    def refuse_oversized(self, peer: str, limit: int) -> bytes:
        log.warning("MLLP frame from %s larger than %d bytes refused", peer, limit)
        problem = Rejected("", f"the frame is larger than {limit} bytes")
        return self._answer(b"", AckCode.REJECT, problem)

    def _refuse(
        self,
        content: bytes,
        code: AckCode,
        problem: Rejected,
        actor: Actor,
        label: str,
        submission: Submission | None = None,
    ) -> bytes:
        header = message_header(content)
        kind, control_id = "", ""
        if submission is not None:
            kind, control_id = submission.message_type, submission.control_id
        elif header is not None:
            kind, control_id = header.message_type[:40], header.control_id
        try:
            with self._unit_of_work() as uow:
                record_rejection(
                    uow,
                    actor,
                    format="hl7v2",
                    label=label,
                    channel="mllp",
                    reason=str(problem)[:2000],
                    payload=content,
                    message_type=kind,
                    control_id=control_id,
                )
        except Exception as err:  # the sender still gets its answer
            log.error("MLLP rejection from %s not queued: %s", label, type(err).__name__)
        return self._answer(content, code, problem)

    def _answer(self, content: bytes, code: AckCode, problem: Rejected | None = None) -> bytes:
        self.answered[code] += 1
        control_id = uuid.uuid4().hex[:20].upper()
        return acknowledgement(
            message_header(content), code, control_id=control_id, at=self._clock(), problem=problem
        )


class MllpListener:
    """The asyncio TCP server. `stop()` is graceful: no new connections, idle ones closed,
    and a message being applied is finished and acknowledged first."""

    def __init__(
        self,
        intake: MessageIntake,
        host: str,
        port: int,
        frame_limit: int = FRAME_LIMIT,
        idle_limit: float = IDLE_LIMIT,
        connection_limit: int = CONNECTION_LIMIT,
    ) -> None:
        self._intake = intake
        self._frame_limit = frame_limit
        self._idle_limit = idle_limit
        self._connection_limit = connection_limit
        self._host, self._port = host, port
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._busy: set[asyncio.Task[None]] = set()
        self._closing = False

    async def start(self) -> int:
        """Listen; the port bound (useful when asked for port 0)."""
        self._server = await asyncio.start_server(
            self._serve_connection, self._host, self._port, limit=self._frame_limit
        )
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self._closing = True
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            if task not in self._busy:
                task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None  # noqa: S101
        peername = writer.get_extra_info("peername")
        peer = str(peername[0]) if peername else "unknown"
        if len(self._connections) >= self._connection_limit:
            log.warning("MLLP connection from %s refused: %d already open", peer,
                        len(self._connections))  # fmt: skip
            writer.close()
            return
        self._connections.add(task)
        try:
            async for frame in _frames(reader, self._idle_limit):
                self._busy.add(task)
                try:
                    if frame is None:
                        answer = self._intake.refuse_oversized(peer, self._frame_limit)
                    else:  # blocks the loop until applied: one message at a time
                        answer = self._intake.acknowledge(frame, peer)
                    writer.write(framed(answer))
                    await writer.drain()
                finally:
                    self._busy.discard(task)
                if frame is None:
                    await _hang_up(reader, writer)
                if self._closing or frame is None:
                    break
        except (ConnectionError, asyncio.CancelledError, TimeoutError):
            pass  # the sender went away or fell silent, or the listener is stopping
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


async def _hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Close our side and let the sender finish: closing with its bytes unread would reset
    the connection and could lose the answer just sent."""
    with contextlib.suppress(Exception):
        if writer.can_write_eof():
            writer.write_eof()
        async with asyncio.timeout(5):
            while await reader.read(65536):
                pass


async def _frames(reader: asyncio.StreamReader, idle: float) -> AsyncIterator[bytes | None]:
    """Each frame's content (anything before its 0x0B is dropped); None for one too large.
    Raises TimeoutError when no complete frame arrives within `idle` seconds."""
    while True:
        try:
            async with asyncio.timeout(idle):
                block = await reader.readuntil(END_BLOCK)
        except asyncio.IncompleteReadError:
            return  # the connection closed, perhaps mid-frame: that frame was never complete
        except asyncio.LimitOverrunError:
            yield None
            return
        start = block.rfind(START_BLOCK)
        yield block[start + 1 : -len(END_BLOCK)] if start != -1 else block[: -len(END_BLOCK)]


class ListenerThread:
    """The listener on an event loop of its own thread: for tests, benchmarks and embedding.

    `with ListenerThread(intake) as running:` listens on `running.port` until the block ends.
    """

    def __init__(
        self,
        intake: MessageIntake,
        host: str = "127.0.0.1",
        port: int = 0,
        frame_limit: int = FRAME_LIMIT,
        idle_limit: float = IDLE_LIMIT,
        connection_limit: int = CONNECTION_LIMIT,
    ) -> None:
        self._listener = MllpListener(intake, host, port, frame_limit, idle_limit, connection_limit)
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mllp-listener", daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._failure: BaseException | None = None
        self.port = 0

    def __enter__(self) -> Self:
        self._thread.start()
        self._ready.wait(timeout=30)
        if self._failure is not None or not self.port:
            raise RuntimeError(f"the MLLP listener did not start: {self._failure!r}")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=60)

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        try:
            self.port = await self._listener.start()
        except OSError as err:
            self._failure = err
            self._ready.set()
            return
        self._ready.set()
        await self._stop.wait()
        await self._listener.stop()
