"""The Sentry JavaScript SDKs the tests drive (tests/node: @sentry/node, and @sentry/browser with esbuild to bundle
it for a page). Without node and npm the tests that need them skip locally and fail in CI. `tests/setup.sh`
installs the packages; it is run here when they are missing or older than the lock file, so `pytest` alone works."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
NODE_PROJECT = TESTS / "node"


def node_with_sdks() -> str:
    """The node executable, with tests/node's packages installed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        if os.environ.get("CI"):
            pytest.fail("node and npm are required in CI (tests/setup.sh installs the Sentry SDKs with npm)")
        pytest.skip("node or npm is not installed (set CI=true to make this a failure)")
    installed = NODE_PROJECT / "node_modules" / ".package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < (NODE_PROJECT / "package-lock.json").stat().st_mtime:
        subprocess.run([str(TESTS / "setup.sh")], check=True, timeout=300)
    return node


def bundle_browser_sdk(outfile: Path) -> None:
    """@sentry/browser bundled as a page would ship it (tests/node/browser/entry.mjs: `window.Sentry`)."""
    node_with_sdks()
    esbuild = NODE_PROJECT / "node_modules" / ".bin" / "esbuild"
    command = [
        str(esbuild),
        "browser/entry.mjs",
        "--bundle",
        "--format=iife",
        f"--outfile={outfile}",
        "--log-level=error",
    ]
    subprocess.run(command, cwd=NODE_PROJECT, check=True, timeout=120)
