"""A really running Heron for flow tests: `heron serve` in a child process on a free port, own data dir."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from heron.config import load_settings
from heron.protocol.dsn import build_dsn
from heron.store.accounts import add_member, create_organization, create_token, create_user
from heron.store.engine import make_engine, make_sessionmaker, transaction
from heron.store.migrate import upgrade
from heron.store.projects import create_project


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Tenant:
    """An organization with one project, an owner and a token of that owner."""

    org_slug: str
    project_slug: str
    project_id: int
    dsn: str
    token: str
    email: str
    public_key: str


@dataclass
class HeronServer:
    """`heron serve` with its own data dir (and database URL, when given)."""

    data_dir: Path
    database_url: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)
    serve_args: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HERON_")}
        env.update(
            HERON_DATA_DIR=str(self.data_dir),
            HERON_URL=self.url,
            HERON_PORT=str(self.port),
            HERON_DATABASE_URL=self.database_url,
            **self.extra_env,
        )
        return env

    def settings(self) -> Any:
        return load_settings(data_dir=self.data_dir, database_url=self.database_url, url=self.url)

    def migrate(self) -> None:
        engine = make_engine(self.settings().resolved_database_url)
        upgrade(engine)
        engine.dispose()

    def start(self, timeout: float = 30.0) -> HeronServer:
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "heron", "serve", *self.serve_args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"heron serve exited: {self.log_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/_health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"heron serve did not answer in {timeout} s: {self.log_text()[-3000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None:
            return
        if sig == signal.SIGKILL:
            # The worker is a child of the server: kill the whole group, as a crash of the machine would.
            _kill_children(self.process.pid)
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def log_text(self) -> str:
        path = self.data_dir / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def create_tenant(self, org_slug: str, project_slug: str = "app", email: str | None = None) -> Tenant:
        """An organization, an owner with a token, and a project with its DSN — written straight to the database."""
        settings = self.settings()
        engine = make_engine(settings.resolved_database_url, writer=True)
        email = email or f"owner@{org_slug}.example"
        with transaction(make_sessionmaker(engine)) as session:
            user = create_user(session, email, "correct horse battery staple")
            organization = create_organization(session, org_slug)
            add_member(session, organization, user, "owner")
            project, key = create_project(session, organization.id, project_slug, platform="python")
            token = create_token(
                session,
                user,
                (
                    "org:read",
                    "project:read",
                    "project:write",
                    "project:releases",
                    "event:read",
                    "event:write",
                    "event:admin",
                    "member:read",
                    "team:read",
                ),
            )
            tenant = Tenant(
                org_slug,
                project_slug,
                project.id,
                build_dsn(self.url, key.public_key, project.id),
                token,
                email,
                key.public_key,
            )
        engine.dispose()
        return tenant

    def api(self, token: str) -> httpx.Client:
        return httpx.Client(base_url=f"{self.url}/api/0", headers={"Authorization": f"Bearer {token}"}, timeout=10)

    def wait_for_digest(self, timeout: float = 30.0) -> None:
        """Until the queue is empty (everything acknowledged has been digested)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if httpx.get(f"{self.url}/_health", timeout=5).json()["queue"]["depth"] == 0:
                return
            time.sleep(0.05)
        raise TimeoutError(f"queue not drained in {timeout} s")


def _kill_children(pid: int) -> None:
    for child in psutil.Process(pid).children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
