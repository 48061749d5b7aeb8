"""Settings come from HERON_* variables; a bad one stops Heron with a message that names it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from heron.config import SettingsError, load_settings


def test_defaults_put_everything_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve() / 'heron.sqlite3'}"
    assert settings.resolved_queue_url == f"sqlite:///{tmp_path.resolve() / 'queue.sqlite3'}"
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert load_settings(data_dir=tmp_path).secret_key == settings.secret_key


def test_postgresql_urls_use_psycopg_3(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, database_url="postgresql://heron@db/heron")
    assert settings.resolved_database_url == "postgresql+psycopg://heron@db/heron"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HERON_PORT", "eighty"),
        ("HERON_PORT", "70000"),
        ("HERON_DATABASE_URL", "mysql://x/y"),
        ("HERON_QUEUE_URL", "kafka://x"),
        ("HERON_DIGEST_BATCH_SIZE", "0"),
    ],
)
def test_an_invalid_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        load_settings(data_dir=tmp_path)


def test_heron_refuses_to_start_with_an_invalid_setting(tmp_path: Path) -> None:
    env = {**os.environ, "HERON_DATA_DIR": str(tmp_path), "HERON_PORT": "eighty"}
    result = subprocess.run([sys.executable, "-m", "heron", "migrate"], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "HERON_PORT" in result.stderr
