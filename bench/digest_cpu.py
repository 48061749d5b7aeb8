"""Digest CPU benchmark: what each step of `prepare_event` costs per event, without a server or a database.

Usage (from the repository root, with the virtualenv):

    .venv/bin/python bench/digest_cpu.py                 # table of µs/event per step, median of --runs
    .venv/bin/python bench/digest_cpu.py --profile       # then a cProfile top-20 of all steps together
    .venv/bin/python bench/digest_cpu.py --events 200 --runs 9 --seed 3

The events are real: a `sentry_sdk.Client` with a capturing transport records errors raised through 5-25 frames
of this file (and of the standard library's `json` decoder) whose locals mix numbers, short and long strings,
lists and nested dicts. Each event carries breadcrumbs, tags, a user, extra data and a Flask-like request: 10-45 KiB
of JSON (about 19 KiB on average), like Python SDK errors from a web app; the table has a column for the ones of
13-17 KiB, the size the digest's CPU budget is set for. Every step then runs over all events
in a loop, as `heron.digest.pipeline.prepare_event` calls it, and its CPU time per event is the median of several
runs. The total says how many events per second one core can digest (the database work of the digest not included).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport
from shop_breadcrumbs import shop_breadcrumb

# Run as a script from the repository root or from bench/: the package lives in src/.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from heron.digest.normalize import event_user_key, normalize_event
from heron.digest.tags import event_tags
from heron.grouping import compute_hashes
from heron.grouping.metadata import issue_metadata
from heron.store.bodies import compress_json

DSN = "https://0123456789abcdef0123456789abcdef@errors.example.com/1"
# The size the CPU budget is set for: the table has a column for the events of about this size.
REFERENCE_SIZE = range(13 * 1024, 17 * 1024)

USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
    "Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
    "Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile "
    "Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "python-requests/2.31.0",
)
QUERIES = (
    "SELECT id, status, total, currency FROM orders WHERE user_id = %s ORDER BY created DESC LIMIT 20",
    "UPDATE inventory SET reserved = reserved + %s WHERE sku = %s AND warehouse_id = %s",
    "SELECT * FROM coupons WHERE code = %s AND expires_at > now()",
    "INSERT INTO payments (order_id, amount, currency, status) VALUES (%s, %s, %s, %s) RETURNING id",
)
REGIONS = ("eu-west-1", "eu-central-1", "us-east-1", "ap-southeast-2")


# ---------------------------------------------------------------------------------------------------------------
# A small web shop whose request handlers fail in varied ways, deep in varied call paths.
# ---------------------------------------------------------------------------------------------------------------


class PaymentDeclined(Exception):
    """The payment provider said no."""


class InventoryConflict(Exception):
    """Two orders reserved the last item."""


class UpstreamTimeout(Exception):
    """A service the shop calls did not answer in time."""


@dataclass
class Order:
    """What the shop's functions pass around; its repr is what the SDK records for it."""

    order_id: int
    user_id: int
    items: list[dict[str, Any]] = field(repr=False)
    currency: str
    region: str


class Plan:
    """The functions a request still goes through, innermost first. A short repr, like a framework object's."""

    def __init__(self, steps: list[Callable[..., Any]]) -> None:
        self.steps = steps

    def next_step(self) -> Callable[..., Any]:
        return self.steps.pop()

    def __repr__(self) -> str:
        return f"<Plan: {len(self.steps)} steps left>"


def load_order(order: Order, plan: Plan, rng: random.Random) -> Any:
    """A frame with a few scalars."""
    attempt = rng.randint(0, 3)
    cache_key = f"order:{order.order_id}:v{attempt}"
    timeout = rng.choice((0.5, 1.5, 5.0))
    found = None
    return plan.next_step()(order, plan, rng) if found is None or attempt or cache_key or timeout else None


def apply_discounts(order: Order, plan: Plan, rng: random.Random) -> Any:
    """A frame with a list of dicts and a nested dict."""
    lines = [
        {"sku": item["sku"], "price": item["price"], "discount": 0.1 * index} for index, item in enumerate(order.items)
    ]
    rules = {"spring": {"percent": 10, "applies_to": ["shoes", "bags"], "window": {"from": "2024-03-01"}}, "vip": None}
    subtotal = sum(line["price"] for line in lines)
    return plan.next_step()(order, plan, rng) if lines and rules and subtotal >= 0 else None


def render_invoice(order: Order, plan: Plan, rng: random.Random) -> Any:
    """A frame with a long string (a rendered template) and bytes."""
    html = "<table>" + "".join(
        f"<tr><td>{item['sku']}</td><td>{item['quantity']}</td><td>{item['price']:.2f} {order.currency}</td></tr>"
        for item in order.items * rng.choice((1, 1, 2, 8))
    )
    footer = b"Thank you for shopping with us. " * rng.randint(1, 8)
    page_count = len(html) // 2000 + 1
    return plan.next_step()(order, plan, rng) if html and footer and page_count else None


def reserve_stock(order: Order, plan: Plan, rng: random.Random) -> Any:
    """A frame with a deeply nested dict (deeper than Heron's frame-vars depth) and a set."""
    warehouse = {"id": rng.randint(1, 40), "site": {"region": {"zone": {"rack": {"bin": {"slot": 7}}}}}}
    skus = {item["sku"] for item in order.items}
    levels = [rng.randint(0, 20) for _ in range(rng.randint(5, 30))]
    return plan.next_step()(order, plan, rng) if warehouse and skus and levels is not None else None


def call_service(order: Order, plan: Plan, rng: random.Random) -> Any:
    """A frame with request and response text as an HTTP client would hold them."""
    url = f"https://payments.example.net/v2/charges/{order.order_id}?expand=card&attempt={rng.randint(1, 3)}"
    body = json.dumps({"amount": sum(item["price"] for item in order.items), "items": order.items})
    response_text = "upstream error: " + "x" * rng.choice((40, 120, 400, 2500))
    status = rng.choice((200, 402, 409, 504))
    return plan.next_step()(order, plan, rng) if url and body and response_text and status else None


def run_query(order: Order, plan: Plan, rng: random.Random) -> Any:
    """A frame with SQL and its parameters."""
    sql = rng.choice(QUERIES)
    params = (order.user_id, order.order_id, order.currency, rng.random())
    rows: list[tuple[int, str]] = [(index, f"row {index}") for index in range(rng.randint(0, 12))]
    return plan.next_step()(order, plan, rng) if sql and params and rows is not None else None


INTERMEDIATES: tuple[Callable[..., Any], ...] = (
    load_order,
    apply_discounts,
    render_invoice,
    reserve_stock,
    call_service,
    run_query,
)


def fail_payment(order: Order, plan: Plan, rng: random.Random) -> Any:
    raise PaymentDeclined(f"card declined for order {order.order_id}: insufficient funds (code {rng.randint(51, 59)})")


def fail_lookup(order: Order, plan: Plan, rng: random.Random) -> Any:
    limits = {"default": 100, "sa-east-1": 250}
    return limits[order.region]


def fail_conversion(order: Order, plan: Plan, rng: random.Random) -> Any:
    raw_quantity = f"{rng.randint(1, 9)}x"
    return int(raw_quantity)


def fail_chained(order: Order, plan: Plan, rng: random.Random) -> Any:
    try:
        return fail_lookup(order, plan, rng)
    except KeyError as error:
        raise InventoryConflict(f"no stock rule for region {order.region} (order {order.order_id})") from error


def fail_in_json_hook(order: Order, plan: Plan, rng: random.Random) -> Any:
    """Raises from inside the standard library's JSON decoder: system frames between the shop's frames."""

    def hook(value: dict[str, Any]) -> Any:
        if "deadline" in value:
            raise UpstreamTimeout(f"payments.example.net did not answer within {value['deadline']}s")
        return value

    return json.loads('{"charge": {"id": "ch_1", "deadline": 2.5}}', object_hook=hook)


def fail_type(order: Order, plan: Plan, rng: random.Random) -> Any:
    label = "total: "
    return label + order.order_id  # type: ignore[operator]


FAILURES: tuple[Callable[..., Any], ...] = (
    fail_payment,
    fail_lookup,
    fail_conversion,
    fail_chained,
    fail_in_json_hook,
    fail_type,
)


def handle_request(order: Order, plan: Plan, rng: random.Random) -> None:
    """The entry point: dispatch and report what it raises, as a framework integration does."""
    try:
        plan.next_step()(order, plan, rng)
    except Exception:
        sentry_sdk.capture_exception()


# ---------------------------------------------------------------------------------------------------------------
# Capturing the events the SDK would send.
# ---------------------------------------------------------------------------------------------------------------


class CapturingTransport(Transport):
    """Keeps the event payloads (as the SDK serialized them) instead of sending them."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self.payloads: list[bytes] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        for item in envelope.items:
            if item.type == "event":
                self.payloads.append(item.get_bytes())


def build_events(count: int, seed: int) -> list[bytes]:
    """`count` event payloads (JSON bytes) captured from the real SDK, the same ones for the same seed."""
    rng = random.Random(seed)
    transport = CapturingTransport()
    sentry_sdk.init(
        dsn=DSN,
        transport=transport,
        release="shop@4.12.0",
        environment="production",
        server_name="web-3",
        in_app_include=[__name__],
        max_breadcrumbs=100,
        include_local_variables=True,
        default_integrations=False,
    )
    try:
        for _ in range(count):
            _capture_one(rng)
    finally:
        sentry_sdk.get_client().close()
    return transport.payloads


def _capture_one(rng: random.Random) -> None:
    user_id = rng.randint(1, 5000)
    order = Order(
        order_id=rng.randint(100_000, 999_999),
        user_id=user_id,
        items=[
            {
                "sku": f"SKU-{rng.randint(1000, 9999)}",
                "price": round(rng.uniform(1, 300), 2),
                "quantity": rng.randint(1, 4),
            }
            for _ in range(rng.randint(1, 5))
        ],
        currency=rng.choice(("EUR", "USD", "GBP", "JPY")),
        region=rng.choice(REGIONS),
    )
    # 5-25 frames: the entry point, 3-12 intermediate layers (one stack in ten up to 22), the failing function
    # and what it calls.
    depth = rng.randint(3, 12) if rng.random() < 0.9 else rng.randint(13, 22)
    layers = [rng.choice(INTERMEDIATES) for _ in range(depth)]
    plan = Plan([rng.choice(FAILURES), *reversed(layers)])
    with sentry_sdk.isolation_scope() as scope:
        scope.set_user(
            {
                "id": str(user_id),
                "email": f"customer{user_id}@example.com",
                "username": f"customer{user_id}",
                "ip_address": f"203.0.113.{user_id % 250}",
            }
        )
        scope.set_tag("region", order.region)
        scope.set_tag("customer_tier", rng.choice(("free", "plus", "business")))
        scope.set_tag("endpoint", layers[0].__name__)
        scope.set_tag("feature.checkout_v2", rng.choice((True, False)))
        scope.set_context("order", {"id": order.order_id, "items": len(order.items), "currency": order.currency})
        scope.set_extra("cart", {"items": order.items, "coupon": rng.choice((None, "SPRING24"))})
        scope.set_extra("request_id", uuid.UUID(int=rng.getrandbits(128)).hex)
        for index in range(rng.randint(5, 30)):
            scope.add_breadcrumb(shop_breadcrumb(rng, index, order.order_id, QUERIES))
        request = _request(rng, order.order_id, user_id, order.currency)
        scope.add_event_processor(lambda event, _hint: {**event, "request": request})
        handle_request(order, plan, rng)


def _request(rng: random.Random, order_id: int, user_id: int, currency: str) -> dict[str, Any]:
    # What sentry-sdk's Flask integration records.
    return {
        "url": f"https://shop.example.com/api/orders/{order_id}",
        "method": rng.choice(("GET", "POST", "PUT")),
        "query_string": f"expand=items,payments&currency={currency}",
        "headers": {
            "Host": "shop.example.com",
            "User-Agent": rng.choice(USER_AGENTS),
            "Accept": "application/json",
            "Accept-Language": "de-CH,de;q=0.9,en;q=0.8",
            "Content-Type": "application/json",
            "Cookie": f"session=[Filtered]; cart={order_id}; theme=dark",
            "X-Forwarded-For": f"203.0.113.{user_id % 250}",
            "X-Request-Id": uuid.UUID(int=rng.getrandbits(128)).hex,
        },
        "env": {"SERVER_NAME": "shop.example.com", "SERVER_PORT": "443", "REMOTE_ADDR": "{{auto}}"},
        "data": {"coupon": rng.choice(("", "SPRING24", "WELCOME10")), "note": "leave at the door", "gift": False},
    }


# ---------------------------------------------------------------------------------------------------------------
# Timing the steps.
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """One step of `prepare_event`, run over a prepared input per event."""

    name: str
    run: Callable[[Any], Any]
    inputs: list[Any]


def prepare(payload: dict[str, Any]) -> dict[str, Any]:
    """What `prepare_event` builds from a payload, untimed: the input of the later steps."""
    event = normalize_event(payload, event_id=uuid.uuid4().hex, received=time.time(), client_ip="203.0.113.9")
    event["tags"] = event_tags(event, event_user_key(event))
    grouping = compute_hashes(event)
    metadata = issue_metadata(event)
    event.update(title=metadata.title, culprit=metadata.culprit, metadata=metadata.metadata, hashes=grouping.hashes)
    event["grouping_config"] = {"id": grouping.config_id, "variant": grouping.variant}
    return event


def _normalize(payload: dict[str, Any]) -> dict[str, Any]:
    return normalize_event(payload, event_id="0" * 32, received=time.time(), client_ip="203.0.113.9")


def _tags(event: dict[str, Any]) -> list[list[str]]:
    return event_tags(event, event_user_key(event))


def steps_for(payloads: list[bytes]) -> list[Step]:
    """The steps in pipeline order, each with its input per event."""
    loaded = [orjson.loads(payload) for payload in payloads]
    normalized = [_normalize(payload) for payload in loaded]
    final = [prepare(payload) for payload in loaded]
    return [
        Step("orjson.loads", orjson.loads, payloads),
        Step("normalize_event", _normalize, loaded),
        Step("event_tags", _tags, normalized),
        Step("compute_hashes", compute_hashes, final),
        Step("issue_metadata", issue_metadata, final),
        Step("compress_json", compress_json, final),
    ]


def time_step(step: Step, indices: Sequence[int], runs: int) -> float:
    """Median over `runs` of the mean µs per event of `step` over the events at `indices`."""
    run, inputs = step.run, [step.inputs[index] for index in indices]
    per_run: list[float] = []
    for _ in range(runs):
        gc.disable()  # the digest's allocations are short-lived; a collection mid-run is noise here
        # CPU time of this process: what the digest would use, even on a machine that runs other work too.
        start = time.process_time()
        for value in inputs:
            run(value)
        elapsed = time.process_time() - start
        gc.enable()
        per_run.append(elapsed / len(inputs) * 1e6)
    return statistics.median(per_run)


def print_table(steps: list[Step], payloads: list[bytes], runs: int) -> None:
    sizes = [len(payload) for payload in payloads]
    everything = range(len(payloads))
    reference = [index for index, size in enumerate(sizes) if size in REFERENCE_SIZE]
    bucket = f"{REFERENCE_SIZE.start // 1024}-{REFERENCE_SIZE.stop // 1024} KiB"
    print(
        f"{len(payloads)} events of {min(sizes) / 1024:.1f}-{max(sizes) / 1024:.1f} KiB JSON "
        f"(mean {statistics.mean(sizes) / 1024:.1f} KiB), {len(reference)} of them {bucket}; "
        f"µs per event, median of {runs} runs"
    )
    print(f"{'step':<18}{'all':>10}{bucket:>12}")
    totals = [0.0, 0.0]
    for step in steps:
        all_events = time_step(step, everything, runs)
        reference_events = time_step(step, reference, runs) if reference else 0.0
        totals[0] += all_events
        totals[1] += reference_events
        print(f"{step.name:<18}{all_events:>10.1f}{reference_events:>12.1f}")
    print(f"{'total':<18}{totals[0]:>10.1f}{totals[1]:>12.1f}")
    rates = [f"{1e6 / total:,.0f}" if total else "-" for total in totals]
    print(f"{'events/s, 1 core':<18}{rates[0]:>10}{rates[1]:>12}")


def print_profile(steps: list[Step], top: int) -> None:
    profile = cProfile.Profile()
    profile.enable()
    for step in steps:
        for value in step.inputs:
            step.run(value)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(top)
    print(out.getvalue())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=120, help="events to capture (default 120)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per step; the median is shown (default 7)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the workload (default 1)")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile top-20 of all steps")
    args = parser.parse_args(argv)

    payloads = build_events(args.events, args.seed)
    steps = steps_for(payloads)
    print_table(steps, payloads, args.runs)
    if args.profile:
        print_profile(steps, top=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
