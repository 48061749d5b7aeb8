"""`make demo`: FieldSprout sends about a minute of traffic to the Heron that `make run` serves.

    python examples/fieldsprout/demo.py [--heron-url http://127.0.0.1:8000] [--duration 60]

It checks that Heron answers, gets the DSN of project `fieldsprout` in the organization `make run` created
(creating the project with `heron project create` the first time, reading its key through the API after
that), runs traffic.py with that DSN, waits until Heron has digested everything, and lists the issues.
Run it from the directory `make run` runs in: the API token is read from its data dir (HERON_DATA_DIR).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ORGANIZATION = "heron"  # the organization `make run` (`heron bootstrap`) creates
PROJECT = "fieldsprout"
TRAFFIC = Path(__file__).with_name("traffic.py")


class DemoError(Exception):
    """Something the user has to fix first; the message says what."""


def get_json(url: str, token: str | None = None) -> Any:
    """The JSON Heron answers to a GET; an error status is a DemoError that quotes Heron's answer."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        raise DemoError(f"GET {url}: {error.code} {error.read().decode(errors='replace')}") from None


def queue_depth(heron_url: str) -> int:
    """Envelopes Heron has accepted but not digested yet, from its `/_health`."""
    try:
        return int(get_json(f"{heron_url}/_health")["queue"]["depth"])
    except (OSError, ValueError, KeyError) as error:
        raise DemoError(
            f"Heron is not reachable at {heron_url} ({error}).\n"
            "Start it in another terminal with `make run` (or set HERON_URL to where it runs), then run "
            "`make demo` again."
        ) from None


def admin_token(data_dir: Path) -> str:
    """The API token `make run` printed, from the data dir it keeps it in."""
    try:
        return (data_dir / "initial-admin.txt").read_text().split()[1]
    except (OSError, IndexError):
        raise DemoError(f"no API token in {data_dir}/initial-admin.txt: run `make run` from this directory") from None


def project_dsn(heron_url: str, token: str) -> str:
    """The DSN of the demo project: created with `heron project create` the first time, read from the API later."""
    created = subprocess.run(
        [sys.executable, "-m", "heron", "project", "create", ORGANIZATION, PROJECT, "--platform", "python"],
        capture_output=True,
        text=True,
        env={**os.environ, "HERON_URL": heron_url},
    )
    if created.returncode == 0:
        print(created.stdout.strip())
        return created.stdout.strip().splitlines()[-1]
    if "already" not in created.stderr:
        raise DemoError(f"heron project create failed:\n{created.stderr.strip()}")
    keys = get_json(f"{heron_url}/api/0/projects/{ORGANIZATION}/{PROJECT}/keys/", token)
    if not keys:
        raise DemoError(f"project {ORGANIZATION}/{PROJECT} has no DSN key")
    dsn: str = keys[0]["dsn"]["public"]
    return dsn


def wait_for_digest(heron_url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while queue_depth(heron_url) > 0 and time.monotonic() < deadline:
        time.sleep(0.2)


def issue_lines(heron_url: str, token: str) -> list[str]:
    issues = get_json(f"{heron_url}/api/0/projects/{ORGANIZATION}/{PROJECT}/issues/", token)
    lines = [f"Heron holds {len(issues)} unresolved issues for {ORGANIZATION}/{PROJECT}:"]
    for issue in issues:
        lines.append(f"  {issue['shortId']:<16} {issue['level']:<8} {issue['count']:>5} events  {issue['title']}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--heron-url",
        default=os.environ.get("HERON_URL", "http://127.0.0.1:8000"),
        help="where Heron serves (default: HERON_URL, else http://127.0.0.1:8000)",
    )
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of traffic (default: 60)")
    args = parser.parse_args(argv)
    heron_url = args.heron_url.rstrip("/")
    try:
        queue_depth(heron_url)
        token = admin_token(Path(os.environ.get("HERON_DATA_DIR", "heron-data")))
        dsn = project_dsn(heron_url, token)
        print(f"Sending {args.duration:.0f} s of FieldSprout traffic to {dsn}")
        traffic = subprocess.run([sys.executable, str(TRAFFIC), "--dsn", dsn, "--duration", str(args.duration)])
        if traffic.returncode != 0:
            return traffic.returncode
        wait_for_digest(heron_url)
        print("\n".join(issue_lines(heron_url, token)))
    except DemoError as error:
        print(error, file=sys.stderr)
        return 1
    project_id = dsn.rsplit("/", 1)[1]
    api = f"{heron_url}/api/0/projects/{ORGANIZATION}/{PROJECT}"
    print(
        f"\nDashboard: {heron_url}/organizations/{ORGANIZATION}/issues/?project={project_id}\n"
        "  (sign in with the login `make run` printed)\n"
        f'Through the API: curl -H "Authorization: Bearer {token}" {api}/issues/'
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
