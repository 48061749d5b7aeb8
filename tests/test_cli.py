"""The `heron` commands a newcomer runs: create a user, an organization, a project (DSN), a token, a test event."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.harness import HeronServer


def heron(server: HeronServer, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "heron", *args], env=server.env, input=stdin, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_newcomer_goes_from_nothing_to_an_issue_with_the_cli(tmp_path: Path) -> None:
    server = HeronServer(tmp_path)
    assert "created user ann@example.com" in heron(
        server, "user", "create", "Ann@Example.com", "--password-stdin", stdin="s3cret-enough\n"
    )
    heron(server, "org", "create", "acme", "--owner", "ann@example.com")
    dsn = heron(server, "project", "create", "acme", "shop", "--platform", "python-flask").splitlines()[-1]
    token = heron(server, "token", "create", "ann@example.com").strip()
    assert dsn.startswith("http://") and dsn.endswith("/1")
    server.start()
    try:
        assert "sent event" in heron(server, "send-test-event", dsn)
        server.wait_for_digest()
        issues = httpx.get(
            f"{server.url}/api/0/projects/acme/shop/issues/", headers={"Authorization": f"Bearer {token}"}
        ).json()
    finally:
        server.stop()
    assert [issue["title"] for issue in issues] == ["This is a test event sent by heron send-test-event."]
    # A fresh event outlives the retention sweep.
    assert heron(server, "cleanup").strip() == "deleted 0 events, 0 issues, 0 transactions"


def test_bootstrap_creates_the_demo_once_and_prints_the_same_dsn(tmp_path: Path) -> None:
    server = HeronServer(tmp_path)
    first = heron(server, "bootstrap").splitlines()
    second = heron(server, "bootstrap").splitlines()
    assert first == second
    assert first[1].startswith("Login:     admin@heron.local / ")
    assert first[3].startswith("DSN:       http://")


def test_commands_refuse_clearly(tmp_path: Path) -> None:
    server = HeronServer(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "heron", "project", "create", "nope", "shop"],
        env=server.env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "no organization with slug nope" in result.stderr


def test_migrate_gives_an_empty_spool_of_an_older_page_size_the_current_one(tmp_path: Path) -> None:
    import sqlite3

    from heron.queue.sqlite import PAGE_SIZE, SqliteQueue

    server = HeronServer(tmp_path)
    spool = tmp_path / "queue.sqlite3"
    older = sqlite3.connect(spool)
    older.execute("PRAGMA journal_mode=WAL")  # as a Heron from before 2026-12-06 left it: 4 KiB pages, empty
    older.close()
    SqliteQueue(str(spool)).close()  # its tables
    assert sqlite3.connect(spool).execute("PRAGMA page_size").fetchone()[0] == 4096
    heron(server, "migrate")
    connection = sqlite3.connect(spool)
    try:
        assert connection.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        connection.close()
