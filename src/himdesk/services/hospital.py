"""Loading a whole synthetic hospital (the demo and benchmark data) in batches."""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Protocol

import pyotp

from himdesk.demo.model import DemoChart, DemoHospital
from himdesk.domain.access import USER_ROLES, Action, Actor, Role
from himdesk.domain.records import Clinician, DocumentStatus
from himdesk.domain.sign_in import requires_second_factor
from himdesk.services import audit
from himdesk.services.authentication import hash_password
from himdesk.services.completeness import analyze_encounters, every_discharged
from himdesk.services.errors import Conflict, NotFound
from himdesk.services.ports import UnitOfWork, UnitOfWorkFactory, User


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
        # Analysis runs at discharge; the loaded stays were discharged before they arrived.
        for _ in analyze_encounters(uow, actor.username, every_discharged(uow)):
            pass
        audit.record(uow, actor, "hospital.load", object_type="patients", object_id=patients)
        uow.commit()
    busiest = drafts.most_common(1)[0][0] if drafts else None
    return LoadReport(patients=patients, documents=documents, busiest_drafter=busiest)


def _draft_authors(charts: Sequence[DemoChart]) -> Iterable[int]:
    for chart in charts:
        for stay in chart.encounters:
            for document in stay.documents:
                if document.status is DocumentStatus.DRAFT and document.author_id is not None:
                    yield document.author_id


DEMO_PASSWORD_SUFFIX = "-demo-password"  # noqa: S105 - demo logins are printed on purpose


def demo_password(role: Role) -> str:
    return f"{role.value.replace('_', '-')}{DEMO_PASSWORD_SUFFIX}"


def demo_totp_secret(role: Role) -> str:
    """The demo login's authenticator secret: fixed and public, so demo mode only."""
    digest = hashlib.sha256(f"himdesk-demo-totp:{role.value}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()


def add_demo_users(
    uow_factory: UnitOfWorkFactory, actor: Actor, clinician_id: int | None
) -> list[User]:
    """One login per role (password '<role>-demo-password'); existing ones are kept.

    Logins that need a second factor come enrolled with their demo authenticator secret.
    """
    created: list[User] = []
    with uow_factory() as uow:
        for role in USER_ROLES:
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
    enroll_demo_users(uow_factory, actor)
    return created


def enroll_demo_users(uow_factory: UnitOfWorkFactory, actor: Actor) -> int:
    """Give demo logins without an authenticator their demo one (demos made before MFA)."""
    enrolled = 0
    with uow_factory() as uow:
        for role in filter(requires_second_factor, USER_ROLES):
            user = uow.users.find_by_username(f"demo_{role.value}")
            if user is None or user.role is not role or uow.authenticators.find(user.id):
                continue
            uow.authenticators.enroll(user.id, demo_totp_secret(role), uow.clock())
            audit.record(uow, actor, "user.mfa.enroll", object_type="user", object_id=user.id)
            enrolled += 1
        uow.commit()
    return enrolled


def demo_totp_code(uow: UnitOfWork, actor: Actor, username: str, demo_mode: bool) -> str:
    """A demo login's current authenticator code; refused outside demo mode and for real users."""
    audit.require(uow, actor, Action.MANAGE_USERS)
    if not demo_mode:
        raise Conflict(
            "Refused: authenticator codes are printed only in demo mode (HIMDESK_DEMO_MODE=1). "
            "Real users read their code from their own authenticator app."
        )
    user = uow.users.find_by_username(username.strip().lower())
    if user is None:
        raise NotFound("user", username)
    factor = uow.authenticators.find(user.id)
    if factor is None or factor.secret != demo_totp_secret(user.role):
        raise Conflict(
            f"{user.username} does not use a demo authenticator; its codes are on its owner's "
            "authenticator app only."
        )
    audit.record(uow, actor, "user.mfa.demo_code", object_type="user", object_id=user.id)
    uow.commit()
    return pyotp.TOTP(factor.secret).at(uow.clock())
