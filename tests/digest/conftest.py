"""The digest fixture shared by the digest tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.digest.test_pipeline import Digest


@pytest.fixture
def digest(tmp_path: Path, engine: Engine, sessions: sessionmaker[Session]) -> Iterator[Digest]:
    """A spool and a digest worker on the database under test (SQLite or PostgreSQL)."""
    d = Digest(tmp_path, engine, sessions)
    yield d
    d.queue.close()
