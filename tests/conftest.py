"""Each test gets its own database, on every backend the suite runs on.

Tests that take the `himdesk` fixture run once on SQLite and once on PostgreSQL. The
PostgreSQL cluster is started by `scripts/with-postgres` (as `make test` does); without it
those tests fail rather than skip, unless HIMDESK_TEST_BACKENDS=sqlite is set on purpose.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from himdesk.bootstrap import Himdesk
from himdesk.config import Settings
from himdesk.storage.database import make_engine
from himdesk.storage.migrate import upgrade
from tests.fakes import FakeClock

pytest_plugins = ["tests.coding_fixtures"]

BACKENDS = tuple(os.environ.get("HIMDESK_TEST_BACKENDS", "sqlite,postgresql").split(","))
POSTGRES_URL = os.environ.get("HIMDESK_TEST_POSTGRES_URL", "")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS, scope="session")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template() -> str:
    if not POSTGRES_URL:
        pytest.fail(
            "HIMDESK_TEST_POSTGRES_URL is not set: run the suite with `make test`, which starts "
            "a throwaway PostgreSQL, or set HIMDESK_TEST_BACKENDS=sqlite to run SQLite only."
        )
    name = f"himdesk_template_{uuid.uuid4().hex[:8]}"
    _admin_sql(f'CREATE DATABASE "{name}"')
    engine = make_engine(_with_database(name))
    upgrade(engine)
    engine.dispose()
    return name


def _with_database(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _admin_sql(statement: str) -> None:
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / "himdesk.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"himdesk_test_{uuid.uuid4().hex[:12]}"
    _admin_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield _with_database(name)
    _admin_sql(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def himdesk(database_url: str, clock: FakeClock) -> Iterator[Himdesk]:
    app = Himdesk(Settings(database_url=database_url, demo_mode=True), clock=clock)
    yield app
    app.close()


SHARED_DATA = Path(
    os.environ.get(
        "HIMDESK_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared/data"
    )
)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only sample data beside the repository (`../shared/data`, or HIMDESK_SHARED_DATA).

    Missing data fails the test: a skipped import test would hide a broken set-up.
    """
    if not (SHARED_DATA / "synthea_fhir_r4").is_dir():
        pytest.fail(f"shared sample data not found at {SHARED_DATA}; set HIMDESK_SHARED_DATA")
    return SHARED_DATA
