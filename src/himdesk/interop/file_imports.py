"""Importing files (the command line, the upload page): each submission its own transaction.

Every rejection — a file no reader knows, a message that does not parse, a submission the
record cannot keep — is counted in the report and put in the review queue with its reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from himdesk.domain.access import Actor
from himdesk.domain.demographics import InvalidInput
from himdesk.domain.incoming import Rejected, SourceFormat, Submission
from himdesk.interop.formats import detect_format, is_importable_name, read_submissions
from himdesk.services.imports import (
    HELD,
    IMPORTED,
    import_submission,
    record_rejection,
    require_importer,
)
from himdesk.services.ports import UnitOfWorkFactory

KEPT_PAYLOAD = 2_000_000  # bytes of a rejected file kept for the reviewer


@dataclass(frozen=True)
class FileRejection:
    label: str
    reason: str
    queue_id: int


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

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def as_json(self) -> dict[str, Any]:
        return {
            "files": self.files, "imported": self.imported, "unchanged": self.unchanged,
            "held": self.held, "rejected": self.rejected,
            "counts": dict(sorted(self.counts.items())),
            "unchanged_parts": self.unchanged_parts,
            "not_held": dict(sorted(self.not_held.items())), "holds": self.holds,
            "rejections": [{"label": r.label, "reason": r.reason, "queue_id": r.queue_id}
                           for r in self.rejections],
        }  # fmt: skip


Progress = Callable[[int], None]  # called with the bytes of each file done


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
    for label, content in files:
        report.files += 1
        for item in read_submissions(content, label, detect_format(content, label)):
            if isinstance(item, Rejected):
                _reject(unit_of_work, actor, report, (label, content, channel), item)
            else:
                _import(unit_of_work, actor, report, (content, channel), item)
        if progress is not None:
            progress(len(content))
    return report


def _import(
    unit_of_work: UnitOfWorkFactory,
    actor: Actor,
    report: ImportReport,
    received: tuple[bytes, str],
    submission: Submission,
) -> None:
    content, channel = received
    try:
        with unit_of_work() as uow:
            outcome = import_submission(uow, actor, submission, channel=channel)
    except Rejected as rejected:
        _reject(unit_of_work, actor, report, (submission.label, content, channel), rejected,
                submission)  # fmt: skip
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


def _reject(
    unit_of_work: UnitOfWorkFactory,
    actor: Actor,
    report: ImportReport,
    received: tuple[str, bytes, str],
    rejected: Rejected,
    submission: Submission | None = None,
) -> None:
    label, content, channel = received
    source_format = submission.format.value if submission else _format_name(content, label)
    with unit_of_work() as uow:
        queue_id = record_rejection(
            uow, actor, format=source_format, label=label, channel=channel,
            reason=str(rejected), payload=content[:KEPT_PAYLOAD],
            message_type=submission.message_type if submission else "",
            control_id=submission.control_id if submission else "",
        )  # fmt: skip
    report.rejections.append(FileRejection(label, str(rejected), queue_id))


def _format_name(content: bytes, label: str) -> str:
    found = detect_format(content, label)
    return found.value if found else "unknown"


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
