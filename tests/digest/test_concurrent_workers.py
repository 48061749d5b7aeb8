"""Several digest workers on one queue and one database (SQLite and PostgreSQL): nothing is created twice.

Each worker has its own engine and claims small batches, so their batches interleave: the same new issue arrives
in batches that two workers prepare at the same time. What they store must equal what one worker would store.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from heron.config import load_settings
from heron.digest.worker import DigestWorker
from heron.store.engine import make_engine, make_sessionmaker
from heron.store.models import Event, IssueTagValue, Release
from tests.digest.test_pipeline import Digest, envelope, error_event

WORKERS = 3
ISSUES = 40
EVENTS_PER_ISSUE = 6


def test_workers_digesting_at_once_store_each_issue_once(tmp_path: Path, engine: Engine) -> None:
    digest = Digest(tmp_path, engine, make_sessionmaker(engine))
    # Consecutive envelopes share new issues, so batches claimed at the same time both create the same ones.
    bodies = [
        envelope(
            error_event(
                f"step_{i // EVENTS_PER_ISSUE}",
                value=f"value {i}",
                release=f"shop@{i % 3}",
                tags={"shard": str(i % 4)},
                user={"id": f"u{i % 4}"},
            )
        )
        for i in range(ISSUES * EVENTS_PER_ISSUE)
    ]
    digest.spool(*bodies)

    url = engine.url.render_as_string(hide_password=False)
    settings = load_settings(data_dir=tmp_path, database_url=url, digest_batch_size=4)
    engines = [make_engine(url, writer=True) for _ in range(WORKERS)]
    errors: list[BaseException] = []

    def run(sessions: sessionmaker[Session]) -> None:
        try:
            DigestWorker(settings, digest.queue, sessions).drain()
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(make_sessionmaker(e),)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for e in engines:
        e.dispose()

    assert errors == []
    issues = digest.issues()
    assert sorted(issue.times_seen for issue in issues) == [EVENTS_PER_ISSUE] * ISSUES
    assert sorted(issue.short_id for issue in issues) == list(range(1, ISSUES + 1))
    # Each issue's six events come from four users, added up across batches stored by different workers.
    assert {issue.user_count for issue in issues} == {4}
    assert digest.count(Event) == ISSUES * EVENTS_PER_ISSUE
    assert digest.count(Release) == 3
    with digest.sessions() as session:
        shard_counts = session.scalars(select(func.sum(IssueTagValue.times_seen)).where(IssueTagValue.key == "shard"))
        assert shard_counts.one() == ISSUES * EVENTS_PER_ISSUE
    assert digest.queue.depth() == 0
    digest.queue.close()
