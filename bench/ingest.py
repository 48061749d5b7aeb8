"""Ingest benchmark: real sentry-sdk envelopes against a real `heron serve`, measured end to end.

Usage (from the repository root, with the virtualenv):

    .venv/bin/python bench/ingest.py --events 30000 --connections 32 --rate 0     # max throughput
    .venv/bin/python bench/ingest.py --events 30000 --connections 32 --rate 1000  # latency at 1,000 events/s
    .venv/bin/python bench/ingest.py --database-url postgresql://user@host/db     # main database on PostgreSQL
    .venv/bin/python bench/ingest.py --profile digest --events 5000   # cProfile of the digest on spooled envelopes
    .venv/bin/python bench/ingest.py --profile ingest --events 20000  # cProfile of the ingest ASGI app, no HTTP

What it does:

1. Generates a small "shop" application as real source files (so the SDK reads context lines), with 50 exception
   types each raised through a few distinct call paths of different depths, functions, modules and local variables.
   A `sentry_sdk.Client` with a capturing transport records what the SDK would send (breadcrumbs, tags, user, a
   request as the Flask integration sets it, the modules list…). Each envelope sent is one of those events with a
   fresh event id, timestamp, trace id and user, rebuilt as a `sentry_sdk.envelope.Envelope` and serialized and
   compressed by the SDK's own `HttpTransport` (brotli quality 4 when brotli is importable, else gzip 9), with the
   headers the SDK sends. Events per issue follow a skewed distribution, so most events hit existing issues.
2. Starts `heron serve` (tests.harness.HeronServer: SQLite in a temporary data dir unless --database-url) with one
   tenant, then sends every envelope over C keep-alive HTTP/1.1 connections (raw asyncio on uvloop: the load
   generator shares the machine, so its per-request work is a write and a small read), paced to --rate if given.
3. Prints accepted events/s, ingest latency percentiles, end-to-end digested events/s (first send until the queue
   is empty and every accepted event is stored), status counts, the server's peak memory (PSS and RSS summed over
   serve and its digest processes, sampled every 250 ms) and CPU seconds per process, and the peak queue depth.
4. Exits 1 if any request failed or the number of stored events differs from the number accepted.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib
import io
import itertools
import multiprocessing
import os
import pstats
import random
import shutil
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
import psutil
import sentry_sdk
import uvloop
from sentry_sdk.envelope import Envelope as SdkEnvelope
from sentry_sdk.transport import HttpTransport, Transport
from sentry_sdk.utils import format_timestamp
from shop_breadcrumbs import shop_breadcrumb

REPO_ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
RAW_SIZE_SAMPLE = 20  # envelopes per chunk of 1,000 whose uncompressed size is measured

# ---------------------------------------------------------------------------------------------------------------
# The application whose errors are captured: generated as source files so frames carry real context lines.
# ---------------------------------------------------------------------------------------------------------------

MODULES: dict[str, tuple[str, ...]] = {
    "shop.web.views": ("order_detail", "checkout", "account_page", "search_page", "admin_report", "cart_update"),
    "shop.api.orders": ("create_order", "update_order", "cancel_order", "apply_coupon", "split_shipment", "confirm"),
    "shop.api.payments": ("authorize", "capture_payment", "refund", "validate_card", "compute_fees", "retry_charge"),
    "shop.services.inventory": ("reserve_stock", "release_stock", "pick_warehouse", "sync_supplier", "lock_sku"),
    "shop.services.users": ("load_profile", "check_permissions", "merge_accounts", "resolve_session", "verify_email"),
    "shop.services.search": ("build_query", "rank_results", "apply_filters", "paginate", "expand_synonyms"),
    "shop.services.notifications": ("render_template", "send_email", "queue_sms", "push_webhook", "localize"),
    "shop.services.reports": ("aggregate_sales", "export_csv", "compute_tax", "bucket_by_day", "reconcile_totals"),
    "shop.lib.cache": ("get_or_set", "invalidate", "serialize_entry", "compute_key", "refresh_ttl", "warm_cache"),
    "shop.lib.db": ("execute_query", "begin_transaction", "fetch_rows", "map_row", "retry_deadlock", "acquire"),
    "shop.lib.http": ("request_json", "sign_request", "parse_response", "follow_redirect", "check_status"),
    "shop.workers.jobs": ("run_job", "claim_job", "heartbeat", "finish_job", "reschedule", "dispatch"),
}

LOCAL_STATEMENTS = (
    "order_id = ctx.order_id",
    "user_id = ctx.user_id",
    "items = ctx.items",
    'total = round(sum(item["price"] * item["quantity"] for item in ctx.items), 2)',
    "currency = ctx.currency",
    "attempt = ctx.attempt + 1",
    'query = {"status": "open", "user": ctx.user_id, "limit": 50, "offset": ctx.attempt * 50}',
    'cache_key = f"{__name__}:{ctx.order_id}:{ctx.currency}"',
    'headers = {"X-Request-Id": ctx.request_id, "Accept": "application/json"}',
    "deadline = ctx.started + 2.5",
    "flags = sorted(ctx.flags)",
    "region = ctx.region",
    'skus = [item["sku"] for item in ctx.items]',
    'retry_policy = {"max": 3, "backoff": 0.25 * (ctx.attempt + 1), "jitter": True}',
)

# Builtin exceptions raised the way real code raises them (a failed lookup, a bad parse…).
BUILTIN_FAILURES: dict[str, str] = {
    "KeyError": 'return ctx.settings[f"feature_{ctx.order_id % 13}"]',
    "ValueError": "return int(ctx.raw_quantity)",
    "TypeError": "return ctx.label + ctx.attempt",
    "ZeroDivisionError": "return ctx.total / ctx.zero",
    "AttributeError": "return ctx.coupon.strip()",
    "IndexError": "return ctx.items[len(ctx.items) + 2]",
    "JSONDecodeError": "return json.loads(ctx.raw_body)",
    "UnicodeDecodeError": 'return ctx.raw_bytes.decode("ascii")',
    "FileNotFoundError": 'return open(f"/nonexistent/shop/exports/{ctx.order_id}.csv")',
    "RuntimeError": 'raise RuntimeError(f"event loop is closed while handling order {ctx.order_id}")',
    "TimeoutError": 'raise TimeoutError(f"upstream did not answer in {ctx.timeout} s")',
    "ConnectionError": 'raise ConnectionError(f"connection reset by peer ({ctx.region})")',
    "PermissionError": 'raise PermissionError(f"user {ctx.user_id} may not read order {ctx.order_id}")',
    "NotImplementedError": 'raise NotImplementedError(f"currency {ctx.currency} is not supported yet")',
    "LookupError": 'raise LookupError(f"no price list for region {ctx.region}")',
    "OSError": 'raise OSError(28, "No space left on device")',
}
CUSTOM_EXCEPTIONS = (
    "PaymentDeclined", "CardExpired", "InsufficientStock", "WarehouseUnavailable", "CouponExpired", "OrderLocked",
    "ShipmentSplitFailed", "FraudSuspected", "CurrencyMismatch", "TaxRateMissing", "InvoiceRenderError",
    "SupplierSyncError", "SessionExpired", "AccountMerged", "EmailBounced", "SmsQuotaExceeded", "WebhookRejected",
    "TemplateMissing", "SearchIndexStale", "QueryTooBroad", "CacheCorrupted", "SerializationError", "DeadlockDetected",
    "PoolExhausted", "SignatureMismatch", "RedirectLoop", "UpstreamUnavailable", "JobLeaseLost", "DuplicateJob",
    "ReportTooLarge", "LedgerImbalance", "RefundWindowClosed", "AddressInvalid", "RateLimitedByPartner",
)  # fmt: skip
EXCEPTION_TYPES = (*BUILTIN_FAILURES, *CUSTOM_EXCEPTIONS)
assert len(EXCEPTION_TYPES) == 50

REGIONS = ("eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-1")
FLAGS = ("new-checkout", "fast-search", "beta-reports", "dark-mode", "one-click", "gift-cards", "loyalty")
BREADCRUMB_QUERIES = (
    "SELECT id, status, total FROM orders WHERE user_id = %s ORDER BY created DESC LIMIT 20",
    "UPDATE inventory SET reserved = reserved + %s WHERE sku = %s",
    "SELECT * FROM coupons WHERE code = %s AND expires_at > now()",
    "INSERT INTO payments (order_id, amount, currency, status) VALUES (%s, %s, %s, %s)",
)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def write_shop_app(root: Path, rng: random.Random) -> dict[str, str]:
    """Write the `shop` package under `root`; returns each exception type's raising function as `module:name`."""
    raisers: dict[str, str] = {}
    bodies: dict[str, list[str]] = {module: [] for module in MODULES}
    module_names = list(MODULES)
    for index, name in enumerate(EXCEPTION_TYPES):
        module = module_names[index % len(module_names)]
        function = f"ensure_no_{_snake(name)}"
        raisers[name] = f"{module}:{function}"
        if name in BUILTIN_FAILURES:
            failure = BUILTIN_FAILURES[name]
        elif index % 3 == 0:  # chained: the SDK reports both exceptions
            failure = (
                "try:\n    limit = ctx.limits[ctx.region]\nexcept KeyError as exc:\n"
                f'    raise errors.{name}(f"no limit configured for {{ctx.region}}") from exc'
            )
        else:
            failure = f'raise errors.{name}(f"{name} for order {{ctx.order_id}} (user {{ctx.user_id}})")'
        bodies[module].append(_function_source(function, rng, failure))
    for module, functions in MODULES.items():
        for function in functions:
            bodies[module].append(_function_source(function, rng, "step = ctx.path.pop()\nreturn step(ctx)"))
    package = root / "shop"
    for module, sources in bodies.items():
        path = root / Path(*module.split(".")).with_suffix(".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        header = f'"""{module}: part of the benchmark\'s generated shop."""\n\nimport json\n\nfrom shop import errors\n'
        path.write_text(header + "\n\n" + "\n\n".join(sources))
    for directory in {package, *(p.parent for p in package.rglob("*.py"))}:
        (directory / "__init__.py").touch()
    (package / "errors.py").write_text(
        '"""What the shop raises."""\n\n\nclass ShopError(Exception):\n    """Base of the shop\'s errors."""\n'
        + "".join(f"\n\nclass {name}(ShopError):\n    pass\n" for name in CUSTOM_EXCEPTIONS)
    )
    (package / "app.py").write_text(
        '"""The entry point: dispatch a request and report what it raises, as a framework integration does."""\n\n'
        "import sentry_sdk\n\n\ndef handle_request(ctx):\n    try:\n"
        "        step = ctx.path.pop()\n        return step(ctx)\n    except Exception:\n"
        "        sentry_sdk.capture_exception()\n        return None\n"
    )
    return raisers


def _function_source(name: str, rng: random.Random, tail: str) -> str:
    statements = rng.sample(LOCAL_STATEMENTS, rng.randint(2, 6))
    body = "\n".join([f'"""{name.replace("_", " ").capitalize()}."""', *statements, tail])
    return f"def {name}(ctx):\n{textwrap.indent(body, '    ')}\n"


# ---------------------------------------------------------------------------------------------------------------
# Capturing events with the SDK, then building envelopes exactly as its HttpTransport sends them.
# ---------------------------------------------------------------------------------------------------------------


class CapturingTransport(Transport):
    """Keeps the envelopes the client would send."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self.envelopes: list[SdkEnvelope] = []

    def capture_envelope(self, envelope: SdkEnvelope) -> None:
        self.envelopes.append(envelope)


@dataclass(frozen=True, slots=True)
class Template:
    """One captured event: the envelope headers and the event payload the SDK produced."""

    headers: dict[str, Any]
    event: bytes


def capture_templates(
    dsn: str, paths_per_type: int, variants: int, rng: random.Random
) -> tuple[list[list[Template]], dict[str, Any]]:
    """Raise every exception type through `paths_per_type` call paths.

    Returns the templates grouped per call path (one issue each) and the options of the SDK client that captured them.
    """
    source_root = Path(tempfile.mkdtemp(prefix="heron-bench-shop-"))
    sys.path.insert(0, str(source_root))
    try:
        raisers = write_shop_app(source_root, rng)
        app = importlib.import_module("shop.app")
        intermediates = [(module, function) for module, functions in MODULES.items() for function in functions]
        transport = CapturingTransport()
        sentry_sdk.init(
            dsn=dsn,
            transport=transport,
            release="shop@4.12.0",
            environment="production",
            server_name="web-3",
            in_app_include=["shop"],
            max_breadcrumbs=50,
        )
        groups: list[list[Template]] = []
        for name in EXCEPTION_TYPES:
            raiser_module, raiser_name = raisers[name].split(":")
            for _ in range(paths_per_type):
                chosen = rng.sample(intermediates, rng.randint(1, 7))
                path = [getattr(importlib.import_module(m), f) for m, f in chosen]
                path.append(getattr(importlib.import_module(raiser_module), raiser_name))
                before = len(transport.envelopes)
                for _ in range(variants):
                    _capture_one(app.handle_request, list(reversed(path)), rng)
                groups.append([_template(envelope) for envelope in transport.envelopes[before:]])
        client = sentry_sdk.get_client()
        client.close()
        return groups, dict(client.options)
    finally:
        sys.path.remove(str(source_root))
        for name in [name for name in sys.modules if name == "shop" or name.startswith("shop.")]:
            del sys.modules[name]
        shutil.rmtree(source_root, ignore_errors=True)


class RequestContext(SimpleNamespace):
    """What the shop's functions read. Its repr is short, like a web framework's request object's."""

    def __repr__(self) -> str:
        return f"<RequestContext order={self.order_id} user={self.user_id}>"


def _capture_one(handle_request: Callable[[RequestContext], Any], path: list[Any], rng: random.Random) -> None:
    order_id = rng.randint(100_000, 999_999)
    user_id = rng.randint(1, 5000)
    region = rng.choice(REGIONS)
    items = [
        {"sku": f"SKU-{rng.randint(1000, 9999)}", "price": round(rng.uniform(1, 300), 2), "quantity": rng.randint(1, 4)}
        for _ in range(rng.randint(1, 5))
    ]
    ctx = RequestContext(
        path=path,
        order_id=order_id,
        user_id=user_id,
        items=items,
        currency=rng.choice(("EUR", "USD", "GBP", "JPY")),
        attempt=rng.randint(0, 3),
        request_id=uuid.uuid4().hex,
        started=time.time(),
        flags=rng.sample(FLAGS, rng.randint(0, 4)),
        region=region,
        timeout=rng.choice((1.5, 2.5, 5.0)),
        settings={"feature_1": True},
        limits={"default": 100},
        raw_quantity=f"{rng.randint(1, 9)}x",
        label="total: ",
        total=10.0,
        zero=0,
        coupon=None,
        raw_body='{"order": ',
        raw_bytes="Zürich".encode(),
    )
    with sentry_sdk.isolation_scope() as scope:
        scope.set_user(
            {"id": str(user_id), "email": f"customer{user_id}@example.com", "ip_address": f"203.0.113.{user_id % 250}"}
        )
        scope.set_tag("region", region)
        scope.set_tag("customer_tier", rng.choice(("free", "plus", "business")))
        scope.set_tag("endpoint", path[-2].__name__ if len(path) > 1 else "unknown")
        scope.set_context("order", {"id": order_id, "items": len(items), "currency": ctx.currency})
        for crumb in range(rng.randint(4, 12)):
            scope.add_breadcrumb(shop_breadcrumb(rng, crumb, order_id, BREADCRUMB_QUERIES))
        request = _request(rng, order_id, user_id, ctx.currency)
        scope.add_event_processor(lambda event, _hint: {**event, "request": request})
        handle_request(ctx)


def _request(rng: random.Random, order_id: int, user_id: int, currency: str) -> dict[str, Any]:
    return {
        "url": f"https://shop.example.com/api/orders/{order_id}",
        "method": rng.choice(("GET", "POST", "PUT")),
        "query_string": f"expand=items,payments&currency={currency}",
        "headers": {
            "Host": "shop.example.com",
            "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari",
            "Accept": "application/json",
            "Accept-Language": "de-CH,de;q=0.9,en;q=0.8",
            "Content-Type": "application/json",
            "X-Forwarded-For": f"203.0.113.{user_id % 250}",
            "X-Request-Id": uuid.uuid4().hex,
        },
        "env": {"SERVER_NAME": "shop.example.com", "SERVER_PORT": "443"},
        "data": {"coupon": rng.choice(("", "SPRING24", "WELCOME10")), "note": "leave at the door"},
    }


def _template(envelope: SdkEnvelope) -> Template:
    (item,) = [item for item in envelope.items if item.type == "event"]
    return Template(headers=dict(envelope.headers), event=item.get_bytes())


@dataclass(slots=True)
class Workload:
    """Every request of a run, as bytes ready to write, and what they add up to."""

    requests: list[bytes]
    raw_bytes: int
    body_bytes: int
    content_encoding: str
    groups: int


def build_workload(dsn: str, count: int, paths_per_type: int, variants: int, seed: int) -> Workload:
    """Capture templates, then `count` envelopes serialized, compressed and framed as HTTP requests.

    Serializing and compressing is the SDK's work, about 1 ms an envelope: it is spread over every core (the
    server idles meanwhile) in forked processes that inherit the templates.
    """
    rng = random.Random(seed)
    groups, options = capture_templates(dsn, paths_per_type, variants, rng)
    # A skewed share of events per issue, as in production: a few noisy issues, a long tail.
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(groups))]
    picks = [(group, rng.randrange(len(groups[group]))) for group in rng.choices(range(len(groups)), weights, k=count)]
    chunks = [picks[start : start + 1000] for start in range(0, count, 1000)]
    encoding = EnvelopeSerializer(options, groups).content_encoding
    workload = Workload([], 0, 0, encoding, len(groups))
    sampled = 0
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        os.cpu_count(), context, initializer=_start_serializer, initargs=(options, groups)
    ) as pool:
        for requests, raw_bytes, raw_count in pool.map(_serialize_chunk, chunks, range(seed, seed + len(chunks))):
            workload.requests.extend(requests)
            workload.body_bytes += sum(len(request) for request in requests)
            workload.raw_bytes += raw_bytes
            sampled += raw_count
    workload.raw_bytes = workload.raw_bytes * count // max(sampled, 1)
    return workload


class EnvelopeSerializer:
    """Turns templates into HTTP requests exactly as the SDK's HttpTransport would send them."""

    def __init__(self, options: dict[str, Any], groups: list[list[Template]]) -> None:
        # The SDK's own transport chooses the URL, the auth header and the compression (private API: pinned SDK).
        self.transport = HttpTransport({**options, "transport": None})
        self.groups = groups
        self.url = urlsplit(self.transport._auth.get_api_url())

    @property
    def content_encoding(self) -> str:
        return self.transport._compression_algo or "identity"

    def request(self, envelope: SdkEnvelope) -> bytes:
        """The bytes urllib3 writes for this envelope: request line, headers, compressed body."""
        prepared = self.transport._prepare_envelope(envelope)
        assert prepared is not None
        _, body, headers = prepared
        self.transport._update_headers(headers)
        payload = body.getvalue()
        head = [f"POST {self.url.path} HTTP/1.1", f"Host: {self.url.netloc}", "Accept-Encoding: identity"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        head.append(f"Content-Length: {len(payload)}")
        return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload


# The serializer of each pool process, set by its initializer (forked: the templates are inherited, not pickled).
_serializer: EnvelopeSerializer | None = None


def _start_serializer(options: dict[str, Any], groups: list[list[Template]]) -> None:
    global _serializer
    _serializer = EnvelopeSerializer(options, groups)


def _serialize_chunk(picks: list[tuple[int, int]], seed: int) -> tuple[list[bytes], int, int]:
    """Requests for (group, template) picks; and the raw size of the first few envelopes, for the average."""
    assert _serializer is not None
    rng = random.Random(seed)
    requests: list[bytes] = []
    raw_bytes = 0
    for group, variant in picks:
        envelope = _fresh_envelope(_serializer.groups[group][variant], rng)
        if len(requests) < RAW_SIZE_SAMPLE:
            raw_bytes += len(envelope.serialize())
        requests.append(_serializer.request(envelope))
    return requests, raw_bytes, min(len(requests), RAW_SIZE_SAMPLE)


def _fresh_envelope(template: Template, rng: random.Random) -> SdkEnvelope:
    event = orjson.loads(template.event)
    now = format_timestamp(datetime.now(UTC))
    event_id = uuid.uuid4().hex
    trace_id = uuid.uuid4().hex
    user_id = rng.randint(1, 5000)
    event.update(event_id=event_id, timestamp=now)
    event["user"] = {**event.get("user", {}), "id": str(user_id), "email": f"customer{user_id}@example.com"}
    trace = event.get("contexts", {}).get("trace")
    if trace:
        trace["trace_id"] = trace_id
    headers = {**template.headers, "event_id": event_id, "sent_at": now}
    if "trace" in headers:
        headers["trace"] = {**headers["trace"], "trace_id": trace_id}
    envelope = SdkEnvelope(headers=headers)
    envelope.add_event(event)
    return envelope


# ---------------------------------------------------------------------------------------------------------------
# Sending: raw HTTP/1.1 keep-alive connections, optionally paced; latency from write to the end of the response.
# ---------------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class SendStats:
    """What the senders observed."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    first_send: float = 0.0
    last_response: float = 0.0
    max_behind_schedule: float = 0.0


async def send_all(host: str, port: int, requests: Sequence[bytes], connections: int, rate: float) -> SendStats:
    """Send every request over `connections` connections; `rate` > 0 paces sends to that many per second."""
    stats = SendStats()
    slots = itertools.count()
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    stats.first_send = time.perf_counter() + 0.05

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        while (index := next(slots)) < len(requests):
            if rate > 0:
                due = start + index / rate
                delay = due - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                else:
                    stats.max_behind_schedule = max(stats.max_behind_schedule, -delay)
            sent = time.perf_counter()
            try:
                writer.write(requests[index])
                head = await reader.readuntil(b"\r\n\r\n")
                await reader.readexactly(_content_length(head))
            except (OSError, asyncio.IncompleteReadError) as exc:
                stats.statuses[f"connection error ({type(exc).__name__})"] += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            done = time.perf_counter()
            stats.latencies.append(done - sent)
            stats.last_response = max(stats.last_response, done)
            stats.statuses[head[9:12].decode()] += 1
        writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    return stats


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            return int(line[15:])
    return 0


# ---------------------------------------------------------------------------------------------------------------
# Watching the server: RSS and CPU of `heron serve` and its children, queue depth from /_health.
# ---------------------------------------------------------------------------------------------------------------


# Resident memory is sampled every 250 ms (a worker's memory plateaus within a batch, so that finds the peak) and PSS
# when the resident total reaches a new high, or every second. Whatever this process spends on it is CPU taken from
# the server it measures, on the same two cores.
MEMORY_INTERVAL = 0.25
PSS_INTERVAL = 1.0


@dataclass(slots=True)
class ServerWatch:
    """Samples the server's memory every `MEMORY_INTERVAL` and its queue depth every `health_interval` seconds."""

    pid: int
    health_url: str
    health_interval: float
    peak_rss: int = 0
    peak_pss: int = 0
    peak_rss_by_role: dict[str, int] = field(default_factory=dict)
    peak_depth: int = 0
    health_polls: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _processes: dict[str, psutil.Process] | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="bench-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def depth(self, client: httpx.Client) -> int:
        depth = int(client.get(self.health_url).json()["queue"]["depth"])
        self.health_polls += 1
        self.peak_depth = max(self.peak_depth, depth)
        return depth

    def processes(self) -> dict[str, psutil.Process]:
        """The server's processes by role: serve and its digest workers (`worker1`, `worker2`…), and any other
        descendants."""
        server = psutil.Process(self.pid)
        found = {"serve": server}
        workers = 0
        for child in server.children(recursive=True):
            try:
                parent = child.ppid()
            except psutil.Error:
                continue
            if parent == self.pid:
                workers += 1
                found[f"worker{workers}"] = child
            else:
                found[f"other-{child.pid}"] = child
        return found

    def cpu_seconds(self) -> dict[str, float]:
        seconds: dict[str, float] = {}
        for role, process in self.processes().items():
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            seconds[role] = times.user + times.system
        return seconds

    def rss(self) -> dict[str, int]:
        """Resident memory of each of the server's processes, in bytes, now."""
        found: dict[str, int] = {}
        for role, process in self._watched().items():
            try:
                found[role] = process.memory_info().rss
            except psutil.Error:
                continue
        return found

    def pss(self) -> dict[str, int]:
        """Proportional memory of each of the server's processes, in bytes, now.

        The digest's processes are forked from serve and share its pages, so the sum of their RSS counts those
        pages once per process; the sum of PSS (each shared page divided among the processes sharing it) is
        what the server takes from the machine. Read from `smaps_rollup`, which the kernel adds up: psutil's
        `memory_full_info` parses every mapping of `smaps` in Python, which took more CPU from the server under
        test than anything else the bench did while it drained.
        """
        found: dict[str, int] = {}
        for role, process in self._watched().items():
            try:
                rollup = Path(f"/proc/{process.pid}/smaps_rollup").read_text()
            except OSError:
                continue
            found[role] = next(int(line.split()[1]) * 1024 for line in rollup.splitlines() if line.startswith("Pss:"))
        return found

    def _watched(self) -> dict[str, psutil.Process]:
        # Finding the children scans every process of the machine: done again only when one of them is gone.
        if self._processes is None or not all(process.is_running() for process in self._processes.values()):
            self._processes = self.processes()
        return self._processes

    def _run(self) -> None:
        next_health = 0.0
        next_pss = 0.0
        with httpx.Client(timeout=10) as client:
            while not self._stop.wait(MEMORY_INTERVAL):
                rss = self.rss()
                for role, value in rss.items():
                    self.peak_rss_by_role[role] = max(self.peak_rss_by_role.get(role, 0), value)
                # PSS costs more to read: read it when the resident total reaches a new high (PSS grows with it),
                # and every second besides (it also grows when a process stops sharing pages it kept).
                if sum(rss.values()) > self.peak_rss or time.monotonic() >= next_pss:
                    next_pss = time.monotonic() + PSS_INTERVAL
                    self.peak_pss = max(self.peak_pss, sum(self.pss().values()))
                self.peak_rss = max(self.peak_rss, sum(rss.values()))
                if time.monotonic() >= next_health:
                    next_health = time.monotonic() + self.health_interval
                    self.depth(client)


# ---------------------------------------------------------------------------------------------------------------
# The run.
# ---------------------------------------------------------------------------------------------------------------


def _harness() -> Any:
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    return importlib.import_module("tests.harness")


def _event_counter(settings: Any, project_id: int) -> Callable[[], int]:
    from sqlalchemy import func, select

    from heron.store.engine import make_engine
    from heron.store.models import Event

    engine = make_engine(settings.resolved_database_url)
    statement = select(func.count()).select_from(Event).where(Event.project_id == project_id)

    def count() -> int:
        with engine.connect() as connection:
            return int(connection.execute(statement).scalar_one())

    return count


def _percentile(sorted_values: Sequence[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


@dataclass(slots=True)
class Measurement:
    """Everything one run observed."""

    sent: SendStats
    accepted: int
    stored: int
    drained: float | None  # perf_counter when everything was digested; None on timeout
    idle_rss: dict[str, int]
    cpu: tuple[dict[str, float], dict[str, float], dict[str, float]]  # before sending, after sending, drained
    load_generator_cpu: float
    observer_cpu: float  # this process while it waited for the digest: polling, memory samples
    load_average: tuple[tuple[float, ...], tuple[float, ...]]  # before, after


def run_benchmark(args: argparse.Namespace) -> int:
    """Start a server, send the workload, wait for the digest, print the figures; returns the exit status."""
    harness = _harness()
    data_dir = Path(tempfile.mkdtemp(prefix="heron-bench-"))
    extra_env = dict(pair.split("=", 1) for pair in args.server_env)
    server = harness.HeronServer(
        data_dir=data_dir,
        database_url=args.database_url,
        extra_env=extra_env,
        serve_args=["--no-worker"] if args.ingest_only else [],
    )
    try:
        server.start()
        tenant = server.create_tenant("bench")
        built = time.perf_counter()
        workload = build_workload(tenant.dsn, args.events, args.paths_per_type, args.variants, args.seed)
        _print_workload(workload, time.perf_counter() - built)
        count_events = _event_counter(server.settings(), tenant.project_id)
        watch = ServerWatch(server.process.pid, f"{server.url}/_health", args.health_interval)
        measurement = _measure(args, server.port, workload, watch, count_events)
        failed = _print_results(args, measurement, watch)
    finally:
        _stop_server(server)
        if args.keep:
            print(f"data dir kept: {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 1 if failed else 0


def _stop_server(server: Any) -> None:
    """Stop `heron serve`, then whatever of its children outlived it (see docs/performance.md: orphaned workers)."""
    if server.process is None:
        return
    try:
        children = psutil.Process(server.process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    server.stop()
    _, alive = psutil.wait_procs(children, timeout=5)
    for child in alive:
        print(f"warning: {child.pid} outlived `heron serve`; terminating it", file=sys.stderr)
        child.terminate()
    psutil.wait_procs(alive, timeout=5)


def _measure(
    args: argparse.Namespace, port: int, workload: Workload, watch: ServerWatch, count_events: Callable[[], int]
) -> Measurement:
    load_before = os.getloadavg()
    idle_rss = watch.rss()
    cpu_before = watch.cpu_seconds()
    own_started = time.process_time()
    watch.start()
    sent = uvloop.run(send_all("127.0.0.1", port, workload.requests, args.connections, args.rate))
    cpu_sent = watch.cpu_seconds()
    own_sent = time.process_time()
    accepted = sent.statuses.get("200", 0)
    if args.ingest_only:  # nothing digests: every accepted envelope must be waiting in the queue
        with httpx.Client(timeout=10) as client:
            stored, drained = watch.depth(client), None
    else:
        stored, drained = _wait_for_digest(watch, count_events, accepted, args.drain_timeout)
    watch.stop()
    cpu = (cpu_before, cpu_sent, watch.cpu_seconds())
    load_generator_cpu, observer_cpu = own_sent - own_started, time.process_time() - own_sent
    return Measurement(
        sent, accepted, stored, drained, idle_rss, cpu, load_generator_cpu, observer_cpu, (load_before, os.getloadavg())
    )


def _wait_for_digest(
    watch: ServerWatch, count_events: Callable[[], int], accepted: int, timeout: float
) -> tuple[int, float | None]:
    """Until every accepted event is stored and the queue is empty; returns (stored, when) — when None on timeout.

    Polls the queue's depth (the server counts its small lease rows) and counts the stored events only once the
    queue is empty: counting them every time took this process ~15 % of a core while the digest drained, CPU
    the measured server did not get.
    """
    deadline = time.monotonic() + timeout
    stored = 0
    with httpx.Client(timeout=10) as client:
        while time.monotonic() < deadline:
            if watch.depth(client) == 0:
                stored = count_events()
                if stored >= accepted:
                    return stored, time.perf_counter()
            time.sleep(0.05)
    return stored, None


def _print_workload(workload: Workload, seconds: float) -> None:
    n = len(workload.requests)
    print(
        f"workload: {n} envelopes over {workload.groups} call paths of {len(EXCEPTION_TYPES)} exception types, "
        f"built in {seconds:.1f} s; {workload.raw_bytes / n / 1024:.1f} KiB raw per envelope, "
        f"{workload.body_bytes / n / 1024:.2f} KiB sent ({workload.content_encoding})",
        flush=True,
    )


def _print_results(args: argparse.Namespace, m: Measurement, watch: ServerWatch) -> bool:
    """Print the figures; returns whether the run failed."""
    latencies = sorted(m.sent.latencies)
    send_seconds = m.sent.last_response - m.sent.first_send
    unexpected = {status: n for status, n in m.sent.statuses.items() if status != "200"}
    print(f"sent: {len(latencies)} responses, connections={args.connections}, rate={args.rate or 'max'}")
    print(f"  statuses: {dict(sorted(m.sent.statuses.items()))}")
    print(f"  ingest: {m.accepted / send_seconds:,.0f} accepted events/s ({m.accepted} in {send_seconds:.2f} s)")
    if latencies:
        quantiles = ", ".join(f"p{int(q * 100)} {_percentile(latencies, q) * 1000:.1f}" for q in (0.5, 0.95, 0.99))
        print(f"  ingest latency ms: {quantiles}, max {latencies[-1] * 1000:.1f}")
    if args.rate:
        print(f"  load generator was at most {m.sent.max_behind_schedule * 1000:.1f} ms behind schedule")
    if args.ingest_only:
        print(f"digest: not running (--ingest-only); {m.stored:,} envelopes wait in the queue")
    elif m.drained is None:
        print(f"digest: TIMEOUT after {args.drain_timeout:.0f} s: {m.stored} of {m.accepted} events stored")
    else:
        total = m.drained - m.sent.first_send
        print(f"digest: {m.stored:,} events stored; end to end {m.stored / total:,.0f} events/s ({total:.2f} s)")
    print(f"queue depth peak: {watch.peak_depth} (/_health polled {watch.health_polls} times)")
    print(
        f"server memory: peak PSS {watch.peak_pss / MIB:.0f} MiB, peak RSS {watch.peak_rss / MIB:.0f} MiB (sums over "
        "serve and its children, sampled together; RSS counts pages they share once per process); RSS per process MiB: "
        f"peak {_by_role(watch.peak_rss_by_role, MIB)}; idle before sending {_by_role(m.idle_rss, MIB)}"
    )
    before, sent, after = m.cpu
    print(
        f"CPU seconds while sending: {_by_role(_minus(sent, before))}, load generator {m.load_generator_cpu:.1f}; "
        f"while draining after: {_by_role(_minus(after, sent))}, bench (polling) {m.observer_cpu:.1f}"
    )
    print(f"load average before {m.load_average[0][0]:.2f}, after {m.load_average[1][0]:.2f} ({os.cpu_count()} CPUs)")
    if unexpected:
        print(f"FAILED: unexpected responses {unexpected}")
    if m.stored != m.accepted:
        print(f"FAILED: {m.stored} {'queued' if args.ingest_only else 'stored'}, {m.accepted} accepted")
    return bool(unexpected) or (m.drained is None and not args.ingest_only) or m.stored != m.accepted


def _by_role(values: dict[str, float] | dict[str, int], unit: float = 1) -> str:
    return ", ".join(f"{role} {value / unit:.1f}" for role, value in sorted(values.items()))


def _minus(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    return {role: value - before.get(role, 0.0) for role, value in after.items()}


# ---------------------------------------------------------------------------------------------------------------
# Profiles: the digest on pre-spooled envelopes, and the ingest ASGI app in a request loop (no HTTP, no server).
# ---------------------------------------------------------------------------------------------------------------


def run_profile(args: argparse.Namespace) -> int:
    """Time and cProfile one stage in this process; prints events/s unprofiled, then the profile."""
    harness = _harness()
    data_dir = Path(tempfile.mkdtemp(prefix="heron-profile-"))
    try:
        server = harness.HeronServer(data_dir=data_dir, database_url=args.database_url)
        server.migrate()
        tenant = server.create_tenant("bench")
        built = time.perf_counter()
        workload = build_workload(tenant.dsn, 2 * args.events, args.paths_per_type, args.variants, args.seed)
        _print_workload(workload, time.perf_counter() - built)
        settings = server.settings()
        timed, profiled = workload.requests[: args.events], workload.requests[args.events :]
        stage = _profile_digest if args.profile == "digest" else _profile_ingest
        stage(settings, tenant.project_id, timed, None)
        profile = cProfile.Profile()
        stage(settings, tenant.project_id, profiled, profile)
        _print_profile(profile, args.top)
        if args.profile_out:
            profile.dump_stats(args.profile_out)
            print(f"profile written to {args.profile_out} (python -m pstats {args.profile_out})")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


def _split_request(request: bytes) -> tuple[dict[str, str], bytes]:
    head, body = request.split(b"\r\n\r\n", 1)
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        name, value = line.decode("latin-1").split(": ", 1)
        headers[name.lower()] = value
    return headers, body


def _profile_digest(settings: Any, project_id: int, requests: list[bytes], profile: cProfile.Profile | None) -> None:
    from heron.digest.worker import DigestWorker
    from heron.queue import open_queue
    from heron.store.engine import make_engine, make_sessionmaker

    spool_requests(settings, project_id, requests)
    queue = open_queue(settings.resolved_queue_url)
    engine = make_engine(settings.resolved_database_url)
    worker = DigestWorker(settings, queue, make_sessionmaker(engine))
    stages: dict[str, float] = {}
    started, cpu = time.perf_counter(), time.process_time()
    if profile is not None:
        profile.enable()
        worker.drain()
        profile.disable()
    else:
        steps = [step.strip() for step in DIGEST_STEPS]
        pipeline = importlib.import_module("heron.digest.pipeline")
        with _timing(pipeline, steps, stages), _timing(pipeline.EventCompression, steps, stages):
            worker.drain()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    label = "profiled" if profile else "unprofiled"
    print(
        f"digest ({label}): {len(requests)} envelopes in {seconds:.2f} s = {len(requests) / seconds:,.0f} events/s; "
        f"{cpu / len(requests) * 1e6:.0f} us CPU per event"
    )
    for step in DIGEST_STEPS if stages else ():
        spent = stages.get(step.strip(), 0.0)
        print(f"  {step:<26} {spent:6.2f} s {spent / seconds:6.1%} {spent / len(requests) * 1e6:6.0f} us/event")
    queue.close()
    engine.dispose()


def spool_requests(settings: Any, project_id: int, requests: Sequence[bytes]) -> None:
    """Put the requests' envelopes in the spool as ingest spools them (decoded when small)."""
    from heron.ingest.accept import spooled_form
    from heron.protocol.compression import decompress
    from heron.queue import QueuedEnvelope, open_queue

    queue = open_queue(settings.resolved_queue_url)

    async def put_all() -> None:
        puts = []
        for request in requests:
            headers, body = _split_request(request)
            encoding = headers.get("content-encoding")
            body, encoding = spooled_form(body, encoding, decompress(body, encoding, settings.max_envelope_size))
            puts.append(queue.put(QueuedEnvelope(project_id, time.time(), body, encoding, "127.0.0.1")))
        await asyncio.gather(*puts)

    asyncio.run(put_all())
    queue.close()


# Functions the digest pipeline looks up in its module namespace (and `EventCompression`'s methods), timed in the
# unprofiled run; indented ones run inside the one above them.
DIGEST_STEPS = (
    "unpack_envelope",
    "digest_projects",
    "prepare_event",
    "  normalize_event",
    "  event_tags",
    "  compute_hashes",
    "  issue_metadata",
    "  compress_event",
    "prepare_transactions",
    "store_events",
    "  _drop_duplicates",
    "  ensure_releases",
    "  _assign_issues",
    "  _update_issues",
    "  _insert_events",
    "  _count_tags_and_users",
    "store_other_items",
    "add_outcomes",
)


@contextmanager
def _timing(module: Any, names: Sequence[str], spent: dict[str, float]) -> Iterator[None]:
    """Wrap `module.<name>` for each name present, adding the wall time of its calls to `spent[name]`."""
    originals = {name: getattr(module, name) for name in names if callable(getattr(module, name, None))}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

        return wrapper

    for name, function in originals.items():
        setattr(module, name, timed(name, function))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(module, name, function)


def _profile_ingest(settings: Any, project_id: int, requests: list[bytes], profile: cProfile.Profile | None) -> None:
    from heron.server import create_app

    app = create_app(settings)
    connections = 32
    path = f"/api/{project_id}/envelope/"
    prepared = []
    for request in requests:  # what uvicorn hands the app: header pairs and the body, outside the timed part
        headers, body = _split_request(request)
        prepared.append(([(k.encode(), v.encode("latin-1")) for k, v in headers.items()], body))

    async def loop() -> tuple[float, float]:
        slots = iter(prepared)

        async def client() -> None:
            for headers, body in slots:
                scope = {
                    "type": "http",
                    "method": "POST",
                    "path": path,
                    "query_string": b"",
                    "headers": headers,
                    "client": ("127.0.0.1", 40000),
                }
                statuses: list[int] = []

                async def receive(body: bytes = body) -> dict[str, Any]:
                    return {"type": "http.request", "body": body, "more_body": False}

                async def send(message: dict[str, Any], statuses: list[int] = statuses) -> None:
                    if message["type"] == "http.response.start":
                        statuses.append(message["status"])

                await app.ingest(scope, receive, send)
                if statuses != [200]:
                    raise RuntimeError(f"ingest answered {statuses}")

        started, cpu = time.perf_counter(), time.process_time()
        if profile is not None:
            profile.enable()
        await asyncio.gather(*(client() for _ in range(connections)))
        if profile is not None:
            profile.disable()
        return time.perf_counter() - started, time.process_time() - cpu

    seconds, cpu = uvloop.run(loop())
    label = "profiled" if profile else "unprofiled"
    print(
        f"ingest app ({label}, {connections} concurrent, no HTTP): {len(requests)} envelopes in {seconds:.2f} s = "
        f"{len(requests) / seconds:,.0f} events/s; {cpu / len(requests) * 1e6:.0f} us CPU per request (all threads)"
    )
    app.services.close()


def _print_profile(profile: cProfile.Profile, top: int) -> None:
    stats = pstats.Stats(profile)
    total = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
    print(f"\nprofile: {total:.2f} s of own time in total")
    for sort in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(sort).print_stats(top)
        print(f"--- top {top} by {sort} ---")
        print(out.getvalue().split("\n\n", 2)[-1].rstrip())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=10_000, help="Envelopes (one error event each) to send.")
    parser.add_argument("--connections", type=int, default=32, help="Concurrent keep-alive connections.")
    parser.add_argument("--rate", type=float, default=0, help="Target events/s; 0 sends as fast as possible.")
    parser.add_argument("--database-url", default="", help="Main database URL for the server (default: SQLite).")
    parser.add_argument("--keep", action="store_true", help="Keep the server's data dir and print its path.")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="Extra environment for `heron serve`, e.g. HERON_DIGEST_BATCH_SIZE=100 (repeatable).",
    )
    parser.add_argument("--paths-per-type", type=int, default=3, help="Distinct call paths (issues) per type.")
    parser.add_argument("--variants", type=int, default=4, help="Events captured with the SDK per call path.")
    parser.add_argument("--seed", type=int, default=7, help="Seed of the workload generator.")
    parser.add_argument(
        "--health-interval",
        type=float,
        default=2.0,
        help="Seconds between /_health polls while sending (each one counts the spool: not free for the server).",
    )
    parser.add_argument(
        "--ingest-only",
        action="store_true",
        help="Run `heron serve --no-worker`: measure ingest alone; checks the queue holds every accepted envelope.",
    )
    parser.add_argument("--drain-timeout", type=float, default=600, help="Seconds to wait for the digest.")
    parser.add_argument("--profile", choices=("digest", "ingest"), help="cProfile one stage in-process instead.")
    parser.add_argument("--top", type=int, default=30, help="Functions listed per profile table.")
    parser.add_argument("--profile-out", help="Also write the profile's pstats data to this file.")
    args = parser.parse_args(argv)
    return run_profile(args) if args.profile else run_benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
