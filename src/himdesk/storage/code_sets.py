"""PLACEHOLDER: replaced by the code-set helper."""

from __future__ import annotations

from sqlalchemy import Engine

from himdesk.domain.coding.code_set import CodeSetLibrary


def load_library(engine: Engine) -> CodeSetLibrary:
    raise NotImplementedError
