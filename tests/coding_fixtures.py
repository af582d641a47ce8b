"""Code-set fixtures: the official files read once per test session (once per xdist worker).

`code_set_library` holds ICD-10-CM FY2026 (the wheel's tabular with the shared FY2025
indexes and tables) and ICD-10-PCS FY2026. The parsed parts are cached, encoded as the
database stores them, under pytest's temporary root keyed by the files' digests, so that
workers after the first decode instead of parsing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.codesets.release_cache import cached_library
from himdesk.domain.coding.code_set import CodeSetLibrary, DiagnosisCodeSet, ProcedureCodeSet
from himdesk.services.code_reference import CodeReference


@pytest.fixture(scope="session")
def codeset_dir(shared_data: Path) -> Path:
    return shared_data / "codesets"


@pytest.fixture(scope="session")
def code_set_library(codeset_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> CodeSetLibrary:
    # The parent of the basetemp is shared by every xdist worker of one run.
    cache = tmp_path_factory.getbasetemp().parent / "himdesk-code-sets"
    return cached_library(codeset_dir, cache)


@pytest.fixture(scope="session")
def cm_code_set(code_set_library: CodeSetLibrary) -> DiagnosisCodeSet:
    """ICD-10-CM FY2026."""
    code_set = code_set_library.latest_diagnoses
    assert code_set is not None
    assert code_set.release.fiscal_year == 2026
    return code_set


@pytest.fixture(scope="session")
def pcs_code_set(code_set_library: CodeSetLibrary) -> ProcedureCodeSet:
    """ICD-10-PCS FY2026."""
    code_set = code_set_library.latest_procedures
    assert code_set is not None
    return code_set


@pytest.fixture
def coding_himdesk(himdesk: Himdesk, code_set_library: CodeSetLibrary) -> Himdesk:
    """The `himdesk` fixture with the session's code sets in its code reference (nothing is
    written to its database), and the real grouper and code editor."""
    from himdesk.codesets.cms_code_editor import make_medicare_editor
    from himdesk.codesets.cms_grouper import make_grouper

    library: Callable[[], CodeSetLibrary] = lambda: code_set_library  # noqa: E731
    himdesk.__dict__["code_reference"] = CodeReference(
        library, grouper=make_grouper, medicare_editor=make_medicare_editor
    )
    return himdesk
