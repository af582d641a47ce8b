"""Importing files (the command line, the upload page): each submission its own transaction.

Every rejection — a file no reader knows, a message that does not parse, a submission the
record cannot keep — is counted in the report and put in the review queue with its reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from himdesk.domain.access import Actor
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.incoming import Rejected, SourceFormat, Submission
from himdesk.interop.formats import (
    detect_format,
    is_importable_name,
    read_submissions,
    unit_contents,
)
from himdesk.services.imports import (
    HELD,
    IMPORTED,
    import_submission,
    record_rejection,
    require_importer,
)
from himdesk.services.ports import UnitOfWorkFactory

KEPT_PAYLOAD = 2_000_000  # bytes of a rejected file kept for the reviewer
REJECTED = "rejected"


@dataclass(frozen=True)
class FileRejection:
    label: str
    reason: str
    queue_id: int


@dataclass(frozen=True)
class SubmissionLine:
    """One bundle, message or document of the import and what became of it."""

    label: str
    status: str  # "imported" | "unchanged" | "held" | "rejected"
    patient_ids: tuple[int, ...] = ()  # the charts it wrote to or found unchanged
    hold_id: int | None = None
    rejection_id: int | None = None
    reason: str = ""  # why it was rejected (the JSON names it under "rejections")

    def as_json(self, mrns: Mapping[int, str]) -> dict[str, Any]:
        return {"label": self.label, "status": self.status,
                "patients": [mrns.get(i, "") for i in self.patient_ids],
                "hold": self.hold_id, "rejection": self.rejection_id}  # fmt: skip


@dataclass
class ImportReport:
    files: int = 0
    imported: int = 0
    unchanged: int = 0
    held: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    unchanged_parts: int = 0
    not_held: Counter[str] = field(default_factory=Counter)
    rejections: list[FileRejection] = field(default_factory=list)
    holds: list[int] = field(default_factory=list)
    submissions: list[SubmissionLine] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    @property
    def patient_ids(self) -> tuple[int, ...]:
        """Every chart the import touched, in the order first touched."""
        return tuple(dict.fromkeys(i for line in self.submissions for i in line.patient_ids))

    def as_json(self, mrns: Mapping[int, str]) -> dict[str, Any]:
        """The report for machines; `mrns` names the patients of `submissions` by MRN."""
        return {
            "files": self.files, "imported": self.imported, "unchanged": self.unchanged,
            "held": self.held, "rejected": self.rejected,
            "counts": dict(sorted(self.counts.items())),
            "unchanged_parts": self.unchanged_parts,
            "not_held": dict(sorted(self.not_held.items())), "holds": self.holds,
            "rejections": [{"label": r.label, "reason": r.reason, "queue_id": r.queue_id}
                           for r in self.rejections],
            "submissions": [line.as_json(mrns) for line in self.submissions],
        }  # fmt: skip


Progress = Callable[[int], None]  # called with the bytes of each file done


@dataclass
class ReceivedFile:
    label: str
    content: bytes
    channel: str
    _units: Mapping[str, bytes] | None = field(default=None, init=False, repr=False)

    @property
    def format_name(self) -> str:
        found = detect_format(self.content, self.label)
        return found.value if found else "unknown"

    def unit_of(self, submission: Submission) -> bytes:
        """The submission's own bytes: one message of an HL7 v2 file, else the whole file."""
        if self._units is None:  # split once per file, and only when something is refused
            self._units = unit_contents(self.content, submission.format)
        return self._units.get(submission.fingerprint, self.content)


def import_files(
    unit_of_work: UnitOfWorkFactory,
    actor: Actor,
    files: Iterable[tuple[str, bytes]],
    *,
    channel: str = "file",
    progress: Progress | None = None,
) -> ImportReport:
    """Import each (label, content) pair; the report of everything done and refused.

    Refuses a role that may not import before reading anything, and an upload of no files.
    """
    with unit_of_work() as uow:
        require_importer(uow, actor)
    if isinstance(files, Sequence) and not files:
        raise InvalidInput({"files": "Choose one or more files to import."})
    report = ImportReport()
    for name, content in files:
        report.files += 1
        label = shown_name(name)
        received = ReceivedFile(label, content, channel)
        for item in read_submissions(content, label, detect_format(content, label)):
            if isinstance(item, Rejected):
                _reject(unit_of_work, actor, report, received, item)
            else:
                _import(unit_of_work, actor, report, received, item)
        if progress is not None:
            progress(len(content))
    return report


def shown_name(name: str) -> str:
    """A file's name as labels, reports and the queues keep it: a control character (a NUL in
    an uploaded file's name) or an undecodable byte of a path (a lone surrogate) as "?"."""
    return name if name.isprintable() else "".join(c if c.isprintable() else "?" for c in name)


def _import(
    unit_of_work: UnitOfWorkFactory,
    actor: Actor,
    report: ImportReport,
    received: ReceivedFile,
    submission: Submission,
) -> None:
    try:
        with unit_of_work() as uow:
            outcome = import_submission(uow, actor, submission, channel=received.channel)
    except Rejected as rejected:
        _reject(unit_of_work, actor, report, received, rejected, submission)
        return
    if outcome.status == HELD:
        report.held += 1
        report.holds += [outcome.hold_id] if outcome.hold_id else []
    elif outcome.status == IMPORTED:
        report.imported += 1
    else:
        report.unchanged += 1
    report.counts.update(outcome.counts)
    report.unchanged_parts += outcome.unchanged
    report.not_held.update(outcome.not_held)
    report.submissions.append(
        SubmissionLine(submission.label, outcome.status, outcome.patient_ids, outcome.hold_id)
    )


def _reject(
    unit_of_work: UnitOfWorkFactory,
    actor: Actor,
    report: ImportReport,
    received: ReceivedFile,
    rejected: Rejected,
    submission: Submission | None = None,
) -> None:
    """Queue exactly what was refused: the message (HL7 v2) or the file, with its header."""
    if submission is not None:
        label, payload = submission.label, received.unit_of(submission)
        source_format, kind, control_id = (submission.format.value, submission.message_type,
                                           submission.control_id)  # fmt: skip
    else:
        source_format = received.format_name
        label = f"{received.label} {rejected.unit}" if rejected.unit else received.label
        payload = received.content if rejected.payload is None else rejected.payload
        kind, control_id = rejected.message_type, rejected.control_id
    with unit_of_work() as uow:
        queue_id = record_rejection(
            uow, actor, format=source_format, label=label, channel=received.channel,
            reason=str(rejected), payload=payload[:KEPT_PAYLOAD], message_type=kind,
            control_id=control_id,
        )  # fmt: skip
    report.rejections.append(FileRejection(label, str(rejected), queue_id))
    report.submissions.append(
        SubmissionLine(label, REJECTED, rejection_id=queue_id, reason=str(rejected))
    )


def importable_files(paths: Sequence[Path]) -> list[Path]:
    """The files named, and those under the directories named (recursively), in order.

    In directories only files of the import formats are taken (a .txt when it holds HL7 v2);
    a file named explicitly is always tried, so that a wrong one is reported, not skipped.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += [p for p in sorted(path.rglob("*")) if p.is_file() and _wanted(p)]
        else:
            found.append(path)
    return found


def _wanted(path: Path) -> bool:
    if not is_importable_name(path.name):
        return False
    return path.suffix.lower() != ".txt" or _holds_hl7(path)


def _holds_hl7(path: Path) -> bool:
    with path.open("rb") as handle:
        return detect_format(handle.read(4096)) is SourceFormat.HL7V2


def read_files(paths: Sequence[Path]) -> Iterator[tuple[str, bytes]]:
    """(label, content) of each file, read one at a time."""
    for path in paths:
        yield str(path), path.read_bytes()
