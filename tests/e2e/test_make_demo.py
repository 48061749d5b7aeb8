"""`make demo` itself, as a newcomer runs it: against the Heron of `make run` (bootstrapped data dir, org `heron`).

The first run creates project `fieldsprout` with `heron project create`; the second finds it and reuses its DSN.
What FieldSprout's traffic leaves in Heron is checked in detail by test_fieldsprout_demo.py; here the point is
the command: it finds Heron, gets a DSN, sends traffic, waits for the digest and lists what Heron holds.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import HeronServer

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def made_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeronServer]:
    """A Heron set up the way `make run` sets it up: `heron bootstrap`, then `heron serve`."""
    server = HeronServer(tmp_path_factory.mktemp("make-run"))
    bootstrap = subprocess.run(
        [str(ROOT / ".venv/bin/heron"), "bootstrap"], env=server.env, capture_output=True, text=True, timeout=60
    )
    assert bootstrap.returncode == 0, bootstrap.stderr
    server.start()
    yield server
    server.stop()


def make_demo(server: HeronServer, seconds: int) -> subprocess.CompletedProcess[str]:
    environment = {name: value for name, value in server.env.items() if not name.startswith("SENTRY_")}
    return subprocess.run(
        ["make", "--no-print-directory", "demo", f"DEMO_SECONDS={seconds}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )


def issue_titles(output: str) -> list[str]:
    listed = output.split("unresolved issues for heron/fieldsprout:", 1)[1].split("\n\nDashboard:", 1)[0]
    return [line.split("events", 1)[1].strip() for line in listed.strip().splitlines()]


def test_make_demo_creates_the_project_then_reuses_it_and_lists_the_issues(made_run: HeronServer) -> None:
    first = make_demo(made_run, 4)
    assert first.returncode == 0, first.stderr
    assert "Sending 4 s of FieldSprout traffic" in first.stdout
    titles = issue_titles(first.stdout)
    assert any(title.startswith("ZeroDivisionError") for title in titles)
    assert any(title.startswith("PaymentDeclined") for title in titles)
    assert f"Dashboard: {made_run.url}/organizations/heron/issues/?project=" in first.stdout

    second = make_demo(made_run, 1)
    assert second.returncode == 0, second.stderr
    dsn_lines = [line for line in (first.stdout + second.stdout).splitlines() if "FieldSprout traffic to" in line]
    assert len(dsn_lines) == 2 and dsn_lines[0].split(" to ")[1] == dsn_lines[1].split(" to ")[1]


def test_make_demo_says_what_to_do_when_heron_is_not_running(tmp_path: Path) -> None:
    absent = HeronServer(tmp_path)  # never started: nothing listens on its port
    run = make_demo(absent, 1)
    assert run.returncode != 0
    assert f"Heron is not reachable at {absent.url}" in run.stderr
    assert "make run" in run.stderr
