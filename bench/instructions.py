"""Instruction counts: what one event costs the digest and `heron serve`, counted by valgrind's callgrind.

Usage (from the repository root, with the virtualenv; needs Debian's `valgrind` package):

    .venv/bin/python bench/instructions.py                          # both parts, 500 events each (~4 minutes)
    .venv/bin/python bench/instructions.py --part digest --top 25   # one part, and its 25 costliest C functions
    PYTHONPATH=/tmp/base/src .venv/bin/python bench/instructions.py # another commit's code (a `git worktree`)

Why: the machines this project is measured on change speed by ±20 % from one minute to the next (the same code
did 1,836 and 2,842 events/s within the hour, docs/performance.md), so a change worth a few percent is invisible in
events/s. Callgrind counts the instructions a process executes instead of timing it: the same code, workload and
interpreter count the same within ~0.2 % (the digest) to ~1 % (`serve`: how many requests share a group commit
depends on when they arrive), whatever else the machine does.

How: builds the workload of `bench/ingest.py` (real sentry-sdk envelopes, same seed), prepares a data dir (a
migrated SQLite database, one tenant), then runs each part twice under `valgrind --tool=callgrind`, once with one
event and once with N + 1, from copies of the same data dir, and prints the difference divided by N: interpreter
start, imports and migrations cancel out.

- **digest**: the N + 1 envelopes are spooled as ingest spools them (decoded), after a first 500 were digested
  so that the database is not empty; a `DigestWorker` claims and digests them in one batch (commit and
  acknowledgement included).
- **serve**: `heron serve --no-worker` answers N + 1 envelope requests from the bench's load generator (32 keep-alive
  connections, outside valgrind), then stops on SIGTERM.

Only user-space instructions count: the kernel's share of a part (socket reads and writes, file writes, fsync:
about a quarter of `heron serve`'s CPU) is not in these figures, and an instruction is not a fixed amount of
time (a cache miss costs more than a hundred). Compare counts of one interpreter only (`sys.executable` is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import ingest  # noqa: E402 - bench/ingest.py, the workload and the load generator

WARM_EVENTS = 500  # digested before the measured batch, so that it lands in a database that is not empty
SERVE_CONNECTIONS = 32
COLLECTED_RE = re.compile(r"Collected : (\d+)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--part", choices=["digest", "serve", "both"], default="both")
    parser.add_argument("--events", type=int, default=500, help="events measured per part (default 500)")
    parser.add_argument("--top", type=int, default=0, help="also print the costliest C functions per event")
    parser.add_argument("--seed", type=int, default=7, help="seed of the workload (bench/ingest.py's default)")
    parser.add_argument("--child", nargs=2, metavar=("DATA_DIR", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _digest_child(Path(args.child[0]), int(args.child[1]))
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2

    import heron

    print(f"interpreter {sys.executable} ({sys.version.split()[0]}); heron from {Path(heron.__file__).parent}")
    with tempfile.TemporaryDirectory(prefix="heron-instructions-") as scratch:
        root = Path(scratch)
        template = _prepare(root / "template", args.events + 1, args.seed)
        parts = ["digest", "serve"] if args.part == "both" else [args.part]
        for part in parts:
            measure = _measure_digest if part == "digest" else _measure_serve
            one, many = measure(root, template, 1), measure(root, template, args.events + 1)
            per_event = (many[0] - one[0]) / args.events
            counts = f"{one[0]:,} with one event, {many[0]:,} with {args.events + 1}"
            print(f"{part}: {per_event:,.0f} instructions per event ({counts})")
            if args.top:
                _print_top(one[1], many[1], args.events, args.top)
    return 0


# ---------------------------------------------------------------------------------------------------------------
# The data dir both parts start from
# ---------------------------------------------------------------------------------------------------------------


def _prepare(data_dir: Path, count: int, seed: int) -> Path:
    """A migrated data dir with one tenant: `requests.pickle` holds `count` requests (warm-up ones spooled and
    digested already), and `count` envelopes wait in the spool for the digest part."""
    from heron.digest.worker import DigestWorker
    from heron.queue import open_queue
    from heron.store.engine import make_engine, make_sessionmaker

    harness = ingest._harness()
    server = harness.HeronServer(data_dir=data_dir, database_url="")
    server.migrate()
    tenant = server.create_tenant("bench")
    workload = ingest.build_workload(tenant.dsn, WARM_EVENTS + count, 3, 4, seed)
    settings = server.settings()
    warm, measured = workload.requests[:WARM_EVENTS], workload.requests[WARM_EVENTS:]
    ingest.spool_requests(settings, tenant.project_id, warm)
    queue = open_queue(settings.resolved_queue_url)
    engine = make_engine(settings.resolved_database_url, writer=True)
    DigestWorker(settings, queue, make_sessionmaker(engine)).drain()
    queue.close()
    engine.dispose()
    ingest.spool_requests(settings, tenant.project_id, measured)
    (data_dir / "requests.pickle").write_bytes(pickle.dumps(measured))
    return data_dir


# ---------------------------------------------------------------------------------------------------------------
# The two parts, each under callgrind
# ---------------------------------------------------------------------------------------------------------------


def _callgrind(out_file: Path, command: list[str]) -> list[str]:
    return ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", *command]


def _environment(data_dir: Path, **extra: str) -> dict[str, str]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("HERON_")}
    environment.update(HERON_DATA_DIR=str(data_dir), PYTHONHASHSEED="0", **extra)
    return environment


def _fresh_copy(root: Path, template: Path) -> Path:
    data_dir = root / "run"
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.copytree(template, data_dir)
    return data_dir


def _measure_digest(root: Path, template: Path, count: int) -> tuple[int, Path]:
    data_dir = _fresh_copy(root, template)
    out_file = root / f"digest.{count}.callgrind"
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(data_dir), str(count)]
    run = subprocess.run(
        _callgrind(out_file, command), env=_environment(data_dir), capture_output=True, text=True, check=False
    )
    if run.returncode != 0:
        raise SystemExit(f"the digest under callgrind failed ({run.returncode}):\n{run.stderr[-3000:]}")
    return _collected(run.stderr), out_file


def _digest_child(data_dir: Path, count: int) -> int:
    """Runs under callgrind: one worker claims `count` spooled envelopes and digests them in one batch."""
    from heron.config import load_settings
    from heron.digest.worker import DigestWorker
    from heron.queue import open_queue
    from heron.store.engine import make_engine, make_sessionmaker

    settings = load_settings(data_dir=data_dir, digest_batch_size=count)
    queue = open_queue(settings.resolved_queue_url)
    engine = make_engine(settings.resolved_database_url, writer=True)
    digested = DigestWorker(settings, queue, make_sessionmaker(engine)).run_once()
    queue.close()
    engine.dispose()
    return 0 if digested == count else 1


def _measure_serve(root: Path, template: Path, count: int) -> tuple[int, Path]:
    data_dir = _fresh_copy(root, template)
    out_file = root / f"serve.{count}.callgrind"
    port = ingest._harness().free_port()
    url = f"http://127.0.0.1:{port}"
    environment = _environment(data_dir, HERON_HOST="127.0.0.1", HERON_PORT=str(port), HERON_URL=url)
    log = data_dir / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            _callgrind(out_file, [sys.executable, "-m", "heron", "serve", "--no-worker"]),
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(url, server)
            requests = pickle.loads((data_dir / "requests.pickle").read_bytes())[:count]
            sent = asyncio.run(ingest.send_all("127.0.0.1", port, requests, SERVE_CONNECTIONS, 0))
            if sent.statuses.get("200", 0) != count:
                raise SystemExit(f"heron serve under callgrind answered {dict(sent.statuses)}")
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=300)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return _collected(log.read_text()), out_file


def _wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 600.0) -> None:
    """Until `/_health` answers: under callgrind, starting and migrating takes a minute or two."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"heron serve under callgrind exited with {server.returncode}")
        try:
            if httpx.get(f"{url}/_health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise SystemExit("heron serve under callgrind did not start")


def _collected(valgrind_output: str) -> int:
    counts = COLLECTED_RE.findall(valgrind_output)
    if not counts:
        raise SystemExit(f"no instruction count in valgrind's output:\n{valgrind_output[-3000:]}")
    return int(counts[-1])


# ---------------------------------------------------------------------------------------------------------------
# Where they go
# ---------------------------------------------------------------------------------------------------------------


ANNOTATE_LINE = re.compile(r"\s*([\d,]+) \([\s\d.]+%\)\s+(.*?) \[(.*)\]$")


def _print_top(one: Path, many: Path, events: int, top: int) -> None:
    """The C functions whose own instructions grew most from one event to many, per event."""
    before, after = _own_instructions(one), _own_instructions(many)
    spent = {name: after.get(name, 0) - before.get(name, 0) for name in after.keys() | before.keys()}
    total = sum(spent.values()) or 1
    for name, count in sorted(spent.items(), key=lambda item: -item[1])[:top]:
        print(f"  {count / events:12,.0f} {count / total:6.1%}  {name}")


def _own_instructions(callgrind_file: Path) -> dict[str, int]:
    """Instructions per function (`function  [object file]`), the source path left out."""
    annotated = subprocess.run(
        ["callgrind_annotate", "--inclusive=no", "--threshold=100", str(callgrind_file)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    own: dict[str, int] = {}
    for line in annotated.splitlines():
        match = ANNOTATE_LINE.match(line)
        if match:
            function = match.group(2).rsplit(":", 1)[-1].removesuffix("'2")
            name = f"{function}  [{Path(match.group(3)).name}]"
            own[name] = own.get(name, 0) + int(match.group(1).replace(",", ""))
    return own


if __name__ == "__main__":
    sys.exit(main())
