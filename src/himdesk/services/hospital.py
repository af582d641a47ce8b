"""Loading a whole synthetic hospital (the demo and benchmark data) in batches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Protocol

from himdesk.demo.model import DemoChart, DemoHospital
from himdesk.domain.access import Actor, Role
from himdesk.domain.records import Clinician, DocumentStatus
from himdesk.services import audit
from himdesk.services.authentication import hash_password
from himdesk.services.errors import Conflict
from himdesk.services.ports import UnitOfWorkFactory, User


class HospitalWriter(Protocol):
    def count_patients(self) -> int: ...
    def write_clinicians(self, clinicians: Sequence[Clinician]) -> None: ...
    def write_charts(self, charts: Sequence[DemoChart]) -> int: ...


@dataclass(frozen=True)
class LoadReport:
    patients: int
    documents: int
    # The clinician with the most unsigned documents: the demo clinician signs as them.
    busiest_drafter: int | None = None


def load_hospital(
    writer: HospitalWriter,
    uow_factory: UnitOfWorkFactory,
    actor: Actor,
    hospital: DemoHospital,
    charts: Iterable[DemoChart],
    batch_size: int = 1000,
    on_batch: Callable[[int], None] = lambda _n: None,
) -> LoadReport:
    """Write the hospital; refused when patients already exist (never mixes with real data)."""
    if actor.role is not Role.ADMIN:
        raise Conflict("Only a system administrator may load a hospital.")
    if writer.count_patients():
        raise Conflict("The database already holds patients; load the demo into an empty one.")
    writer.write_clinicians(hospital.clinicians)
    patients = documents = 0
    drafts: Counter[int] = Counter()
    iterator = iter(charts)
    while batch := list(islice(iterator, batch_size)):
        documents += writer.write_charts(batch)
        patients += len(batch)
        drafts.update(_draft_authors(batch))
        on_batch(len(batch))
    with uow_factory() as uow:
        audit.record(uow, actor, "hospital.load", object_type="patients", object_id=patients)
        uow.commit()
    busiest = drafts.most_common(1)[0][0] if drafts else None
    return LoadReport(patients=patients, documents=documents, busiest_drafter=busiest)


def _draft_authors(charts: Sequence[DemoChart]) -> Iterable[int]:
    for chart in charts:
        for stay in chart.encounters:
            for document in stay.documents:
                if document.status is DocumentStatus.DRAFT:
                    yield document.author_id


DEMO_PASSWORD_SUFFIX = "-demo-password"  # noqa: S105 - demo logins are printed on purpose


def demo_password(role: Role) -> str:
    return f"{role.value.replace('_', '-')}{DEMO_PASSWORD_SUFFIX}"


def add_demo_users(
    uow_factory: UnitOfWorkFactory, actor: Actor, clinician_id: int | None
) -> list[User]:
    """One login per role (password '<role>-demo-password'); existing ones are kept."""
    created: list[User] = []
    with uow_factory() as uow:
        for role in Role:
            username = f"demo_{role.value}"
            if uow.users.find_by_username(username):
                continue
            user = uow.users.add(
                User(
                    id=0,
                    username=username,
                    display_name=f"Demo {role.label}",
                    role=role,
                    password_hash=hash_password(demo_password(role)),
                    clinician_id=clinician_id if role is Role.CLINICIAN else None,
                )
            )
            audit.record(uow, actor, "user.manage", object_type="user", object_id=user.id)
            created.append(user)
        uow.commit()
    return created
