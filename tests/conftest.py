"""Fixtures shared by the suite: databases (SQLite and PostgreSQL) and a really running Heron."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from heron.store.engine import make_engine, make_sessionmaker
from heron.store.migrate import upgrade
from tests.exit_watchdog import pytest_sessionfinish, pytest_unconfigure  # noqa: F401 — hooks, by name
from tests.harness import HeronServer

POSTGRES_ADMIN_URL = os.environ.get("HERON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_available() -> bool:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except OperationalError:
        return False


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session. In CI a missing PostgreSQL fails; locally it skips."""
    if not _postgres_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but {POSTGRES_ADMIN_URL} does not answer")
        pytest.skip("PostgreSQL is not running (set CI=true to make this a failure)")
    name = f"heron_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'heron.sqlite3'}"
    url: str = request.getfixturevalue("postgres_server_url")
    engine = create_engine(url)
    with engine.begin() as connection:  # every test starts from an empty schema
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated engine on SQLite or PostgreSQL."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine):  # type: ignore[no-untyped-def]
    return make_sessionmaker(engine)


@pytest.fixture(scope="module")
def heron(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeronServer]:
    """A running Heron on SQLite, shared by a test module."""
    server = HeronServer(tmp_path_factory.mktemp("heron"))
    server.migrate()
    server.start()
    yield server
    server.stop()
