"""Dashboard page-speed benchmark: the issue stream, filtered streams and issue pages of a big project, served by a
real `heron serve` to a signed-in browser session.

Usage (from the repository root, with the virtualenv):

    .venv/bin/python bench/pages.py                                  # 1,000,000 events in 10,000 issues, SQLite
    .venv/bin/python bench/pages.py --events 20000 --issues 500      # a quick run
    .venv/bin/python bench/pages.py --keep /tmp/heron-pages          # seed into DIR and keep it...
    .venv/bin/python bench/pages.py --keep /tmp/heron-pages          # ...so that the next run measures, no reseed
    .venv/bin/python bench/pages.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/heron_pages

What it does:

1. Captures real events with the sentry-sdk (the "shop" application of bench/ingest.py: 50 exception types raised
   through 3 call paths each) and makes --issues issue templates of them: each gets a call path of its own (its
   innermost in-app function renamed) and a message of its own, and goes through the digest's `normalize_event` and
   `prepare_event`, so its hashes, title, culprit, metadata and tags are the digest's.
2. Plans --events events over the issues with a skew (the issue of rank r gets events in proportion to 1/r: the
   biggest about 10 %, the median about 20) and timestamps over the last 30 days (the biggest 1 % throughout, the
   others starting, and a third of them stopping, at random). Each event is its issue's template with its own
   event id, timestamp, user (20,000 customers, a quarter of them known by email only), environment (production,
   staging, development), release (a new one every 2.5 days; some events still on the one before), order URL,
   region, customer tier and trace id; its tags are derived by the digest's `event_tags`, its body compressed by
   `compress_json`. Bodies are built in forked processes while the main process stores.
3. Stores the events in time order through the digest's own store step (`heron.digest.pipeline.store_events`, then
   `add_outcomes`), 10,000 events per transaction: issues, grouping hashes, events, per-issue tag value counts,
   distinct users, releases, environments and outcomes are written by the code that writes them in production.
   Then triages as people would, through `heron.store.triage`: resolves most issues that stopped happening, ignores
   a few, assigns some to the owner, and comments on the biggest issue. On PostgreSQL it runs ANALYZE after each
   batch and VACUUM ANALYZE at the end (what autovacuum does as tables grow); SQLite gets nothing Heron would not
   do itself.
4. Starts `heron serve --no-worker` (tests.harness.HeronServer; nothing digests while measuring), signs in through
   the sign-in form as the organization's owner, and requests each page over HTTP with that session: the sign-in
   form without a session (what any page costs), the stream (`is:unresolved`, last seen), the stream sorted by
   events, a filtered stream (`is:unresolved level:error environment:production release:<the one before the
   latest> "order"`), the stream of the email-only customer seen in the most issues and of one seen in the fewest
   (`user.email:…`), the page of the biggest issue and of the median one. --warmup requests, then --requests timed
   ones, one at a time. Prints p50/p95/max milliseconds per page (request sent to last byte read, over the
   loopback: the server's time plus well under a millisecond), the mean CPU milliseconds per request of `heron
   serve` and, on PostgreSQL, of its backends (on a busy machine the wall clock also counts waiting for a core),
   the database and the load average.
5. Exits 1 if any page answered anything but 200.

--keep DIR keeps the data dir (and the PostgreSQL database's tables) with a note of what was seeded; a later run
with the same DIR, --events, --issues and --seed measures again without seeding. Without --keep, PostgreSQL runs need
an empty database and leave it empty again.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import shutil
import sys
import tempfile
import time
from bisect import bisect_right
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import closing, contextmanager, suppress
from dataclasses import asdict, dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlencode

import httpx
import orjson
import psutil
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session

from heron.digest.dictionaries import EventCompression
from heron.digest.normalize import event_user_key, normalize_event
from heron.digest.pipeline import PreparedEvent, prepare_event, store_events
from heron.digest.tags import event_tags
from heron.digest.unpack import RawEvent
from heron.grouping.metadata import IssueMetadata
from heron.store.bodies import compress_json
from heron.store.comments import add_comment
from heron.store.engine import make_engine, make_sessionmaker, transaction
from heron.store.models import Issue, IssueUser, Release, User
from heron.store.outcomes import add_outcomes
from heron.store.projects import DigestProject, digest_projects
from heron.store.triage import IssueUpdate, apply_issue_update
from heron.store.types import utc_from_timestamp
from ingest import _harness, _percentile, capture_templates

ORG = "bench"
PASSWORD = "correct horse battery staple"  # what tests.harness gives the tenant's owner
SEED_NOTE = "pages-seed.json"
DAY = 86_400.0
DAYS = 30
BATCH = 10_000  # events per store transaction
CUSTOMERS = 20_000
ENVIRONMENTS = {"production": 0.75, "staging": 0.2, "development": 0.05}
LEVELS = {"error": 0.8, "warning": 0.08, "fatal": 0.07, "info": 0.05}
REGIONS = ("eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-1")
TIERS = ("free", "plus", "business")
RELEASES = 13  # shop@4.0.0 … shop@4.12.0, one every 2.5 days, the last a day before seeding
RELEASE_EVERY = 2.5 * DAY
STILL_ON_PREVIOUS_RELEASE = 0.1
# Renamed innermost functions give each issue of a call path its own grouping hash and culprit.
NOUNS = (
    "cart", "checkout", "invoice", "refund", "coupon", "basket", "shipment", "ledger", "profile", "session",
    "export", "report", "search", "webhook", "template", "supplier", "warehouse", "voucher", "tax", "address",
)  # fmt: skip
FILTER_TEXT = "order"  # the free text of the filtered stream (titles and culprits of orders)


# ---------------------------------------------------------------------------------------------------------------
# Issue templates: SDK events, one call path and message per issue, prepared by the digest.
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IssueTemplate:
    """An issue's event as the digest prepared it. `event["tags"]` holds only the tags the SDK sent: the derived
    ones (environment, release, url, user…) are derived again for each event."""

    event: dict[str, Any]
    hashes: list[str]
    grouping_config: str
    metadata: IssueMetadata


def issue_templates(count: int, project: DigestProject, rng: random.Random) -> list[IssueTemplate]:
    """`count` issue templates from events the sentry-sdk captured."""
    groups, _options = capture_templates("http://public@127.0.0.1:9/1", 3, 1, rng)
    payloads = [orjson.loads(group[0].event) for group in groups]
    levels = list(LEVELS)
    level_weights = list(LEVELS.values())
    templates = []
    compression = EventCompression()  # bodies are compressed per event below; this one only serves prepare_event
    for index in range(count):
        payload = _issue_payload(payloads[index % len(payloads)], index // len(payloads), rng)
        payload["level"] = rng.choices(levels, level_weights)[0]
        raw = RawEvent(project.id, payload["event_id"], payload, time.time(), None, "203.0.113.7")
        sdk_tags = normalize_event(payload, event_id=raw.event_id, received=raw.received)["tags"]
        prepared = prepare_event(raw, project, compression)
        event = {**prepared.event, "tags": sdk_tags}
        templates.append(IssueTemplate(event, prepared.hashes, prepared.grouping_config, prepared.metadata))
    return templates


def _issue_payload(template: dict[str, Any], variant: int, rng: random.Random) -> dict[str, Any]:
    """The SDK payload with the innermost in-app function renamed for `variant` (another call path, another issue)
    and the numbers of the raised exception's message redrawn."""
    payload: dict[str, Any] = orjson.loads(orjson.dumps(template))
    raised = payload["exception"]["values"][-1]
    if variant:
        noun = NOUNS[variant % len(NOUNS)]
        suffix = f"_for_{noun}" + (f"_{variant // len(NOUNS)}" if variant >= len(NOUNS) else "")
        innermost = [frame for frame in raised["stacktrace"]["frames"] if frame.get("in_app")][-1]
        innermost["function"] += suffix
    raised["value"] = re.sub(r"\d+", lambda _: str(rng.randint(1, 99_999)), raised.get("value") or "")
    payload["event_id"] = f"{rng.getrandbits(128):032x}"
    return payload


# ---------------------------------------------------------------------------------------------------------------
# The plan: how many events each issue gets and when.
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    """Every event's (timestamp, issue index), in time order, and the moment the plan ends at."""

    now: float
    moments: list[tuple[float, int]]


def plan_events(events: int, issues: int, now: float, rng: random.Random) -> Plan:
    """Skewed counts per issue (rank r gets events in proportion to 1/r, at least 1 each), over the last 30 days."""
    weights = [1 / (rank + 1) for rank in range(issues)]
    spare = events - issues
    counts = [1 + int(spare * w / sum(weights)) for w in weights]
    for rank in range(events - sum(counts)):  # what rounding left over goes to the biggest issues
        counts[rank % issues] += 1
    ranks = list(range(issues))
    rng.shuffle(ranks)  # which issue (and so which template) has which rank
    start_of_all = now - DAYS * DAY
    moments: list[tuple[float, int]] = []
    for issue, rank in enumerate(ranks):
        if rank < max(1, issues // 100):
            start, end = start_of_all, now
        else:
            start = now - DAYS * DAY * rng.random()
            end = now if rng.random() < 0.65 else start + (now - start) * rng.random()
        moments.extend((rng.uniform(start, end), issue) for _ in range(counts[rank]))
    moments.sort()
    return Plan(now, moments)


def release_deploys(now: float) -> list[float]:
    """When each release went out: every 2.5 days, the last one a day before `now`."""
    return [now - DAY - RELEASE_EVERY * (RELEASES - 1 - index) for index in range(RELEASES)]


def release_version(index: int) -> str:
    return f"shop@4.{index}.0"


# ---------------------------------------------------------------------------------------------------------------
# Events: built (varied, tagged, compressed) in forked processes that inherit the templates.
# ---------------------------------------------------------------------------------------------------------------


class BuiltEvent(NamedTuple):
    """What the main process needs of an event built in a pool process (the whole event is in `body`)."""

    event_id: str
    timestamp: float
    received: float
    environment: str
    release: str
    tags: list[list[str]]
    user_key: str | None
    trace_id: str
    body: bytes


@dataclass(frozen=True, slots=True)
class EventMaker:
    """What every event is made from: the templates, the release calendar and the customers' weights."""

    templates: list[IssueTemplate]
    deploys: list[float]
    customer_weights: list[float]  # cumulative


# The maker of each pool process, set before forking (inherited, never pickled).
_maker: EventMaker | None = None


def build_events(moments: Sequence[tuple[float, int]], seed: int) -> list[BuiltEvent]:
    """The events at `moments` ((timestamp, issue index) pairs), each a variation of its issue's template."""
    assert _maker is not None
    rng = random.Random(seed)
    environments, environment_weights = list(ENVIRONMENTS), list(accumulate(ENVIRONMENTS.values()))
    built: list[BuiltEvent] = []
    for timestamp, issue in moments:
        template = _maker.templates[issue].event
        release = max(0, bisect_right(_maker.deploys, timestamp) - 1)
        if release and rng.random() < STILL_ON_PREVIOUS_RELEASE:
            release -= 1
        customer = rng.choices(range(CUSTOMERS), cum_weights=_maker.customer_weights)[0]
        event = dict(template)
        event_id, trace_id = f"{rng.getrandbits(128):032x}", f"{rng.getrandbits(128):032x}"
        received = timestamp + rng.uniform(0.05, 2.0)
        event.update(
            event_id=event_id,
            timestamp=timestamp,
            received=received,
            environment=rng.choices(environments, cum_weights=environment_weights)[0],
            release=release_version(release),
            user=_customer(customer),
            request={**template["request"], "url": f"https://shop.example.com/api/orders/{rng.randint(10**5, 10**6)}"},
            contexts={**template["contexts"], "trace": {**template["contexts"]["trace"], "trace_id": trace_id}},
        )
        shift = timestamp - template["timestamp"]
        crumbs = template.get("breadcrumbs")
        if crumbs:
            values = [{**crumb, "timestamp": crumb["timestamp"] + shift} for crumb in crumbs["values"]]
            event["breadcrumbs"] = {**crumbs, "values": values}
        sdk_tags = {"region": rng.choice(REGIONS), "customer_tier": rng.choice(TIERS)}
        event["tags"] = [[key, sdk_tags.get(key, value)] for key, value in template["tags"]]
        user_key = event_user_key(event)
        event["tags"] = event_tags(event, user_key)
        built.append(
            BuiltEvent(
                event_id,
                timestamp,
                received,
                event["environment"],
                event["release"],
                event["tags"],
                user_key,
                trace_id,
                compress_json(event),
            )
        )
    return built


def _customer(number: int) -> dict[str, str]:
    """Customer `number` as the SDK reports them; every fourth is known by email only (a `email:` user key)."""
    email = f"customer{number}@example.com"
    return {"email": email} if number % 4 == 0 else {"id": str(number), "email": email}


def prepared_event(project_id: int, template: IssueTemplate, event: BuiltEvent) -> PreparedEvent:
    """A built event as the digest hands it to `store_events`.

    `store_events` reads only these keys of `PreparedEvent.event` (the rest of the event is in `body`), so the
    whole event is not sent back from the process that built it.
    """
    described = template.event
    light = {
        "level": described["level"],
        "environment": event.environment,
        "release": event.release,
        "tags": event.tags,
        "culprit": described.get("culprit"),
        "transaction": described.get("transaction"),
        "contexts": {"trace": {"trace_id": event.trace_id}},
    }
    return PreparedEvent(
        project_id=project_id,
        event_id=event.event_id,
        event=light,
        body=event.body,
        hashes=template.hashes,
        grouping_config=template.grouping_config,
        metadata=template.metadata,
        timestamp=utc_from_timestamp(event.timestamp),
        received=utc_from_timestamp(event.received),
        user_key=event.user_key,
    )


# ---------------------------------------------------------------------------------------------------------------
# Seeding: the digest's store step, a transaction per batch, then triage.
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeedNote:
    """What a kept data dir holds, so a later run can reuse it."""

    database_url: str
    events: int
    issues: int
    seed: int
    seeded_at: float
    seconds: float


def seed(server: Any, args: argparse.Namespace) -> SeedNote:
    """Seed the server's database with the tenant, the events and the triage; returns what was seeded."""
    global _maker
    started = time.perf_counter()
    rng = random.Random(args.seed)
    tenant = server.create_tenant(ORG)
    engine = make_engine(server.settings().resolved_database_url, writer=True)
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        projects = digest_projects(session, {tenant.project_id})
    project = projects[tenant.project_id]
    now = time.time()
    templates = issue_templates(args.issues, project, rng)
    plan = plan_events(args.events, args.issues, now, rng)
    customer_weights = list(accumulate(1 / (n + 1) ** 0.8 for n in range(CUSTOMERS)))
    _maker = EventMaker(templates, release_deploys(now), customer_weights)
    print(f"seeding: {args.issues:,} issue templates and the plan ready in {time.perf_counter() - started:.1f} s")
    stored = 0
    for built in _built_batches(plan, args.seed):
        prepared = [prepared_event(project.id, templates[issue], event) for event, (_ts, issue) in built]
        outcomes: Counter[Any] = Counter()
        with transaction(sessions) as session:
            store_events(session, prepared, projects, outcomes)
            add_outcomes(session, outcomes)
        stored += len(prepared)
        _keep_statistics(engine, vacuum=False)
        if stored % (10 * BATCH) == 0 or stored == args.events:
            print(f"  stored {stored:,} of {args.events:,} events ({time.perf_counter() - started:.0f} s)", flush=True)
    _maker = None
    with transaction(sessions) as session:
        triage_as_people_do(session, project.organization_id, tenant.email, now, rng)
    _keep_statistics(engine, vacuum=True)
    engine.dispose()
    return SeedNote(server.database_url, args.events, args.issues, args.seed, now, time.perf_counter() - started)


def _keep_statistics(engine: Engine, *, vacuum: bool) -> None:
    """On PostgreSQL, what autovacuum does as tables grow: without statistics the planner scans a project's events
    for each batch's duplicate check. (The PostgreSQL of a test machine may run with autovacuum off.)"""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE" if vacuum else "ANALYZE"))


def _built_batches(plan: Plan, seed: int) -> Iterator[list[tuple[BuiltEvent, tuple[float, int]]]]:
    """Batches of built events in time order, each event with its planned moment; a few batches built ahead."""
    chunks = [plan.moments[start : start + BATCH] for start in range(0, len(plan.moments), BATCH)]
    workers = max(1, (os.cpu_count() or 2) - 1)
    with ProcessPoolExecutor(workers, multiprocessing.get_context("fork")) as pool:
        waiting = iter(enumerate(chunks))
        ahead: deque[tuple[list[tuple[float, int]], Future[list[BuiltEvent]]]] = deque()

        def submit_next() -> None:
            for index, chunk in waiting:
                ahead.append((chunk, pool.submit(build_events, chunk, seed * 1_000_003 + index)))
                return

        for _ in range(workers + 1):
            submit_next()
        while ahead:
            chunk, future = ahead.popleft()
            submit_next()
            yield list(zip(future.result(), chunk, strict=True))


def triage_as_people_do(
    session: Session, organization_id: int, owner_email: str, now: float, rng: random.Random
) -> None:
    """Resolve 80 % of the issues that stopped more than two days ago, ignore 5 % of the others, assign 15 % of the
    unresolved to the owner, and comment on the biggest issue — through the triage the pages and the API use."""
    owner = session.scalars(select(User).where(User.email == owner_email)).one()
    issues = list(session.scalars(select(Issue).order_by(Issue.id)))
    quiet_since = utc_from_timestamp(now - 2 * DAY)
    stopped = [issue for issue in issues if issue.last_seen < quiet_since]
    resolved = {issue.id for issue in stopped if rng.random() < 0.8}
    others = [issue for issue in issues if issue.id not in resolved]
    ignored = {issue.id for issue in others if rng.random() < 0.05}
    assigned = [issue for issue in others if issue.id not in ignored and rng.random() < 0.15]
    moment = utc_from_timestamp(now)
    for chosen, update in (
        ([i for i in issues if i.id in resolved], IssueUpdate(status="resolved")),
        ([i for i in issues if i.id in ignored], IssueUpdate(status="ignored")),
        (assigned, IssueUpdate(assign=True, assignee=owner.email)),
    ):
        for start in range(0, len(chosen), 500):
            apply_issue_update(session, chosen[start : start + 500], update, organization_id, moment, actor_id=owner.id)
    biggest = max(issues, key=lambda issue: issue.times_seen)
    for comment in ("Started after the 4.11 deploy.", "Payments team is looking at it.", "Fix is in review."):
        add_comment(session, biggest.id, owner.id, comment, moment)


# ---------------------------------------------------------------------------------------------------------------
# Measuring: a signed-in session against `heron serve`.
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    """A page to time."""

    name: str
    path: str


@dataclass(frozen=True, slots=True)
class Timing:
    """What the timed requests of a page took: wall seconds each (sorted) and the server's CPU seconds in all."""

    page: Page
    statuses: Counter[int]
    seconds: list[float]
    cpu_seconds: float
    size: int

    @property
    def ok(self) -> bool:
        return set(self.statuses) == {200}


def pages_to_time(engine: Engine) -> list[Page]:
    """The pages: the sign-in form (what any page costs), the stream five ways, and two issue pages."""
    with make_sessionmaker(engine)() as session:
        biggest = session.execute(select(Issue.id, Issue.times_seen).order_by(Issue.times_seen.desc()).limit(1)).one()
        issues = session.scalar(select(func.count()).select_from(Issue)) or 0
        typical = session.execute(
            select(Issue.id, Issue.times_seen).order_by(Issue.times_seen, Issue.id).offset(issues // 2).limit(1)
        ).one()
        versions = list(session.scalars(select(Release.version).order_by(Release.id.desc()).limit(2)))
        issues_per_user = (
            select(IssueUser.user_key, func.count().label("issues"))
            .where(IssueUser.user_key.like("email:%"))
            .group_by(IssueUser.user_key)
            .subquery()
        )
        by_issues = select(issues_per_user.c.user_key).limit(1)
        frequent_user = session.scalars(by_issues.order_by(issues_per_user.c.issues.desc(), "user_key")).one()
        rare_user = session.scalars(by_issues.order_by(issues_per_user.c.issues, "user_key")).one()
    stream = f"/organizations/{ORG}/issues/"
    filtered = f'is:unresolved level:error environment:production release:{versions[-1]} "{FILTER_TEXT}"'
    return [
        Page("sign-in form, no session", "/auth/login/"),
        Page("stream", stream),
        Page("stream, sort=freq", f"{stream}?{urlencode({'sort': 'freq'})}"),
        Page("stream, filtered", f"{stream}?{urlencode({'query': filtered})}"),
        Page("stream, user.email (most issues)", f"{stream}?{urlencode({'query': _user_search(frequent_user)})}"),
        Page("stream, user.email (fewest)", f"{stream}?{urlencode({'query': _user_search(rare_user)})}"),
        Page(f"issue, biggest ({biggest.times_seen:,} events)", f"{stream}{biggest.id}/"),
        Page(f"issue, median ({typical.times_seen:,} events)", f"{stream}{typical.id}/"),
    ]


def _user_search(user_key: str) -> str:
    return f"user.email:{user_key.removeprefix('email:')}"


def signed_in_client(base_url: str, email: str) -> httpx.Client:
    """A client holding a session cookie, signed in through the form as a browser does."""
    client = httpx.Client(base_url=base_url, timeout=30, follow_redirects=False)
    form = client.get("/auth/login/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    if token is None:
        raise RuntimeError("the sign-in page has no CSRF token")
    answer = client.post(
        "/auth/login/", data={"csrf_token": token.group(1), "email": email, "password": PASSWORD, "next": "/"}
    )
    if answer.status_code != 303 or "heron_session" not in client.cookies:
        raise RuntimeError(f"sign-in failed: {answer.status_code} {answer.text[:300]}")
    return client


def time_page(client: httpx.Client, page: Page, warmup: int, requests: int, cpu: ServerCpu) -> Timing:
    """`warmup` requests, then `requests` timed ones, one at a time."""
    statuses: Counter[int] = Counter()
    seconds: list[float] = []
    size = 0
    for _ in range(warmup):
        client.get(page.path)
    cpu_before = cpu.sample()
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(page.path)
        seconds.append(time.perf_counter() - started)
        statuses[response.status_code] += 1
        size = len(response.content)
    return Timing(page, statuses, sorted(seconds), cpu.since(cpu_before), size)


@dataclass(frozen=True, slots=True)
class ServerCpu:
    """CPU seconds of `heron serve` and, on PostgreSQL, of the database's backends (its connections): on a busy
    machine, what serving cost when the wall clock also counts waiting for a core."""

    pid: int
    engine: Engine | None  # PostgreSQL's, to find the backends; None on SQLite

    def sample(self) -> dict[int, float]:
        """CPU seconds so far per process (PostgreSQL's parallel workers come and go between samples: not counted)."""
        server = psutil.Process(self.pid)
        pids = [server.pid, *(child.pid for child in server.children(recursive=True))]
        if self.engine is not None:
            with self.engine.connect() as connection:
                pids += connection.execute(
                    text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                        "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                    )
                ).scalars()
        spent: dict[int, float] = {}
        for pid in pids:
            with suppress(psutil.Error):
                times = psutil.Process(pid).cpu_times()
                spent[pid] = times.user + times.system
        return spent

    def since(self, before: dict[int, float]) -> float:
        return sum(seconds - before.get(pid, 0.0) for pid, seconds in self.sample().items())


def print_timings(timings: list[Timing], requests: int, warmup: int) -> None:
    width = max(len(t.page.name) for t in timings)
    print(f"\n{requests} requests a page, one at a time, after {warmup}; wall ms from sending to the last byte")
    print(f"{'page':<{width}}  {'p50':>6} {'p95':>6} {'max':>6}  {'CPU/req':>7}  {'KiB':>4}")
    for timing in timings:
        p50, p95 = (_percentile(timing.seconds, q) * 1000 for q in (0.5, 0.95))
        cpu = timing.cpu_seconds / len(timing.seconds) * 1000
        flag = "" if timing.ok else f"  FAILED: {dict(timing.statuses)}"
        flag += "  over 100 ms" if timing.ok and p95 >= 100 else ""
        print(
            f"{timing.page.name:<{width}}  {p50:6.1f} {p95:6.1f} {timing.seconds[-1] * 1000:6.1f}  {cpu:7.1f}  "
            f"{timing.size / 1024:4.0f}{flag}"
        )
    print("CPU/req: mean CPU ms of heron serve (and its PostgreSQL backends) per request")
    for timing in timings:
        print(f"  {timing.page.name}: {timing.page.path}")


def database_description(engine: Engine, data_dir: Path) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            version = connection.execute(text("SHOW server_version")).scalar_one()
            size = connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
            return f"PostgreSQL {version}, database {engine.url.database} ({size / 2**30:.1f} GiB)"
        version = connection.execute(text("SELECT sqlite_version()")).scalar_one()
    size = sum(path.stat().st_size for path in data_dir.glob("heron.sqlite3*"))
    return f"SQLite {version}, {data_dir / 'heron.sqlite3'} ({size / 2**30:.1f} GiB with its WAL)"


def count_stored(engine: Engine) -> tuple[int, int]:
    """(events, issues) in the database."""
    with engine.connect() as connection:
        events = connection.execute(text("SELECT count(*) FROM events")).scalar_one()
        issues = connection.execute(text("SELECT count(*) FROM issues")).scalar_one()
    return int(events), int(issues)


# ---------------------------------------------------------------------------------------------------------------
# The run: a data dir (kept or not), seeding unless a kept seed matches, then the server and the pages.
# ---------------------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    data_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="heron-pages-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    server = _harness().HeronServer(data_dir=data_dir, database_url=args.database_url, serve_args=["--no-worker"])
    url = server.settings().resolved_database_url
    note = _reusable_seed(data_dir, args)
    try:
        with _emptied_unless_kept(url, keep=bool(args.keep)):
            if note is None:
                _refuse_a_database_in_use(url)
                server.migrate()
                note = seed(server, args)
                print(f"seeded in {note.seconds / 60:.1f} min")
                if args.keep:
                    (data_dir / SEED_NOTE).write_text(json.dumps(asdict(note), indent=2) + "\n")
            else:
                hours = (time.time() - note.seeded_at) / 3600
                print(f"reusing the seed in {data_dir} ({hours:.1f} hours old; reseed into a new DIR when charts age)")
            failed = measure(server, args, data_dir)
    finally:
        server.stop()
        if args.keep:
            print(f"data dir kept: {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 1 if failed else 0


def measure(server: Any, args: argparse.Namespace, data_dir: Path) -> bool:
    """Start the server, time every page, print the figures; returns whether a page failed."""
    engine = make_engine(server.settings().resolved_database_url)
    events, issues = count_stored(engine)
    pages = pages_to_time(engine)
    print(f"database: {database_description(engine, data_dir)}; {events:,} events in {issues:,} issues")
    server.start(timeout=120)
    cpu = ServerCpu(server.process.pid, engine if engine.dialect.name == "postgresql" else None)
    load = os.getloadavg()[0]
    with closing(httpx.Client(base_url=server.url, timeout=30)) as anonymous:
        timings = [time_page(anonymous, pages[0], args.warmup, args.requests, cpu)]
    with closing(signed_in_client(server.url, f"owner@{ORG}.example")) as client:
        timings += [time_page(client, page, args.warmup, args.requests, cpu) for page in pages[1:]]
    engine.dispose()
    print_timings(timings, args.requests, args.warmup)
    print(f"load average before {load:.2f}, after {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    return not all(timing.ok for timing in timings)


def _reusable_seed(data_dir: Path, args: argparse.Namespace) -> SeedNote | None:
    path = data_dir / SEED_NOTE
    if not args.keep or not path.exists():
        return None
    note = SeedNote(**json.loads(path.read_text()))
    wanted = (args.database_url, args.events, args.issues, args.seed)
    if (note.database_url, note.events, note.issues, note.seed) != wanted:
        raise SystemExit(f"{data_dir} holds another seed ({path}); give another --keep DIR")
    return note


def _refuse_a_database_in_use(url: str) -> None:
    engine = make_engine(url)
    tables = inspect(engine).get_table_names()
    engine.dispose()
    if tables:
        raise SystemExit(f"{url} has tables already: give an empty database (or the --keep DIR of its seed)")


@contextmanager
def _emptied_unless_kept(url: str, *, keep: bool) -> Iterator[None]:
    """Without --keep, a PostgreSQL database is left as empty as it was found (SQLite goes with the data dir)."""
    try:
        yield
    finally:
        if not keep and url.startswith("postgresql"):
            engine = make_engine(url)
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000, help="Events to seed.")
    parser.add_argument("--issues", type=int, default=10_000, help="Issues they belong to.")
    parser.add_argument("--database-url", default="", help="Main database URL (default: SQLite in the data dir).")
    parser.add_argument("--keep", metavar="DIR", help="Data dir to seed into and keep; reused when it holds this seed.")
    parser.add_argument("--requests", type=int, default=30, help="Timed requests per page.")
    parser.add_argument("--warmup", type=int, default=5, help="Untimed requests per page before those.")
    parser.add_argument("--seed", type=int, default=7, help="Seed of the data generator.")
    args = parser.parse_args(argv)
    if not 0 < args.issues <= args.events:
        parser.error("need 0 < --issues <= --events")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
