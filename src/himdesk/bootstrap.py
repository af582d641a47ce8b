"""The composition root: builds engines, unit-of-work factories and the web app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import Engine

from himdesk.config import Settings
from himdesk.domain.audit_checkpoints import CheckpointSigner
from himdesk.services.code_reference import CodeReference
from himdesk.services.ports import Clock, UnitOfWork
from himdesk.storage.crypto import FieldCipher
from himdesk.storage.database import make_engine
from himdesk.storage.unit_of_work import SqlUnitOfWork


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Himdesk:
    """Everything wired together for one process (the CLI, the web app, a test)."""

    settings: Settings
    clock: Clock = system_clock

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @cached_property
    def cipher(self) -> FieldCipher:
        return FieldCipher.from_secret(self.settings.field_key, self.settings.retired_field_keys)

    @cached_property
    def checkpoint_signer(self) -> CheckpointSigner:
        settings = self.settings
        return CheckpointSigner.from_secret(settings.audit_key, settings.audit_checkpoint_every)

    def unit_of_work(self) -> UnitOfWork:
        return SqlUnitOfWork(
            self.engine,
            self.cipher,
            self.clock,
            checkpoint_signer=self.checkpoint_signer,
            completeness_rules=self.settings.rule_book,
        )

    @cached_property
    def code_reference(self) -> CodeReference:
        """The code sets, loaded from the database on first use and kept for the process."""
        from himdesk.codesets.cms_code_editor import make_medicare_editor
        from himdesk.codesets.cms_grouper import make_grouper
        from himdesk.storage.code_sets import load_library, releases_stamp

        return CodeReference(
            lambda: load_library(self.engine),
            grouper=lambda: make_grouper(self.settings.codeset_dir),
            medicare_editor=make_medicare_editor,
            stamp=lambda: releases_stamp(self.engine),
        )

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
