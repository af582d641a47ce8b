"""The import review queues as a list to work from or look back at: what waits (open), what
was decided or handled, or both.

The open list is the work, oldest hold first; a list that includes handled items is a
history, newest first. Each list shows at most `LIST_LIMIT` items.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from himdesk.domain.access import Action, Actor
from himdesk.domain.import_records import ImportHold, InterfaceRejection, QueueStatus
from himdesk.services import audit
from himdesk.services.ports import UnitOfWork

LIST_LIMIT = 200


class QueueView(enum.StrEnum):
    OPEN = "open"
    HANDLED = "handled"  # holds imported or discarded; rejections marked handled
    ALL = "all"


_HANDLED = (QueueStatus.RESOLVED, QueueStatus.DISCARDED)
_STATUSES = {QueueView.OPEN: (QueueStatus.OPEN,), QueueView.HANDLED: _HANDLED,
             QueueView.ALL: (QueueStatus.OPEN, *_HANDLED)}  # fmt: skip


def held_imports(uow: UnitOfWork, actor: Actor, view: QueueView) -> Sequence[ImportHold]:
    """Held imports in the view (their labels and reasons; no patient is named)."""
    audit.require(uow, actor, Action.REVIEW_IMPORTS)
    found = [h for s in _STATUSES[view] for h in uow.import_reviews.holds(s, LIST_LIMIT)]
    if view is QueueView.OPEN:
        found.sort(key=lambda h: (h.held_at, h.id))
    else:
        found.sort(key=lambda h: (h.resolved_at or h.held_at, h.id), reverse=True)
    found = found[:LIST_LIMIT]
    audit.record(uow, actor, "import.holds.read", object_type="import-hold",
                 object_id=len(found))  # fmt: skip
    uow.commit()
    return found


def rejected_inputs(uow: UnitOfWork, actor: Actor, view: QueueView) -> Sequence[InterfaceRejection]:
    """Rejected input in the view, newest first (labels and reasons; payloads stay sealed)."""
    audit.require(uow, actor, Action.REVIEW_IMPORTS)
    statuses = [s for s in _STATUSES[view] if s is not QueueStatus.DISCARDED]
    found = [r for s in statuses for r in uow.import_reviews.rejections(s, LIST_LIMIT)]
    found.sort(key=lambda r: (r.received_at, r.id), reverse=True)
    found = found[:LIST_LIMIT]
    audit.record(uow, actor, "import.rejections.read", object_type="interface-rejection",
                 object_id=len(found))  # fmt: skip
    uow.commit()
    return found
