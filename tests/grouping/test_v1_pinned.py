"""Strategy heron:v1 is frozen: its hashes (and the issue metadata) of several hundred varied events are pinned.

The events come from a seeded generator covering what grouping reads: platforms, every frame field with odd
values (URLs, Windows paths, tabs, overlong lines, eval and anonymous functions, source maps, recursion),
parameterizable messages, chained and grouped exceptions, threads, CSP reports, fingerprints with variables
and checksums. `v1_pinned.json` holds what the code computed for them when they were pinned; any difference
splits or merges stored issues. Rewrite it only for a deliberate change of the metadata (never of v1 hashes):

    HERON_WRITE_PINNED=1 .venv/bin/pytest tests/grouping/test_v1_pinned.py
"""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path
from typing import Any

import orjson

from heron.grouping import compute_hashes
from heron.grouping.metadata import issue_metadata

PINNED = Path(__file__).parent / "v1_pinned.json"
COUNT = 400

PLATFORMS = ["python", "python", "javascript", "node", "other", "cocoa", "php", "ruby", ""]
WORDS = ["order", "payment", "user", "cart", "db", "cache", "api", "views", "tasks", "utils"]
FUNCTIONS = ["handler", "main", "Foo.bar", "eval", "?", "<anonymous>", "a/<", "walk", "", "module.Class.method"]
PATHS = [
    "/srv/app/views.py",
    "C:\\app\\views.py",
    "https://shop.example.com/static/js/main.4f3a.js",
    "http://localhost:3000/src/App.tsx",
    "file:///Users/me/app/index.js",
    "blob:https://x.example/1234",
    "[native code]",
    "<anonymous>",
    "eval code",
    "app:///main.js",
    "webpack:///./src/index.js",
    "",
]
LINES = ["return 1 / n", "\thandler(0)  ", "x = " + "a" * 130, "", "  return  total /   count", "raise Boom()"]
VALUES = [
    "division by zero",
    "Order 1234 by a@b.io failed",
    "connection to 10.0.0.12:5432 refused at 2024-01-15T10:30:00Z",
    "object 0xdeadbeef12 has no attribute 'x'",
    "id=550e8400-e29b-41d4-a716-446655440000 enabled=true name='bob'",
    "first line\nsecond line 42\nthird line",
    "timeout after 2.5s contacting https://api.example.com/v1/charge?id=9",
    "sha 3f786850e387550fdab836ed7e6dc881de23001b mismatch",
    "Tue Jan 15 2024 10:30:00 GMT+0100 (Central European Time)",
    "::1 and fe80::1%eth0 and 12:30:45",
    "",
]


def _frame(rng: random.Random, platform: str) -> dict[str, Any]:
    frame: dict[str, Any] = {}
    if rng.random() < 0.7:
        frame["module"] = ".".join(rng.sample(WORDS, rng.randint(1, 3)))
    if rng.random() < 0.2:
        frame["module"] = rng.choice(["src/index", "static/js/main.4f3a", "/abs/mod"])
    path = rng.choice(PATHS)
    if rng.random() < 0.8:
        frame["abs_path"] = path
    if rng.random() < 0.8:
        frame["filename"] = path.rsplit("/", 1)[-1] if rng.random() < 0.5 else path
    if rng.random() < 0.9:
        frame["function"] = rng.choice(FUNCTIONS)
    if rng.random() < 0.15:
        frame["raw_function"] = rng.choice(FUNCTIONS)
    if rng.random() < 0.7:
        frame["context_line"] = rng.choice(LINES)
    if rng.random() < 0.1:
        frame["platform"] = rng.choice(PLATFORMS)
    if rng.random() < 0.1:
        frame["data"] = {"sourcemap": "https://x.example/main.js.map"}
    frame["lineno"] = rng.randint(1, 400)
    if platform in ("javascript", "node") or rng.random() < 0.1:
        frame["colno"] = rng.randint(1, 80)
    in_app = rng.random()
    if in_app < 0.6:
        frame["in_app"] = True
    elif in_app < 0.9:
        frame["in_app"] = False
    return frame


def _frames(rng: random.Random, platform: str) -> list[dict[str, Any]]:
    frames = [_frame(rng, platform) for _ in range(rng.choice([0, 1, 1, 2, 5, 12]))]
    if frames and rng.random() < 0.2:
        frames.insert(rng.randrange(len(frames)), dict(rng.choice(frames)))  # recursion, maybe consecutive
    return frames


def _exception(rng: random.Random, platform: str) -> dict[str, Any]:
    exception: dict[str, Any] = {"mechanism": {"type": "generic", "handled": rng.random() < 0.5}}
    if rng.random() < 0.9:
        exception["type"] = rng.choice(["ZeroDivisionError", "KeyError", "TypeError", "Error", "SIGSEGV"])
    if rng.random() < 0.9:
        exception["value"] = rng.choice(VALUES)
    if rng.random() < 0.05:
        exception["mechanism"]["synthetic"] = True
    if rng.random() < 0.85:
        exception["stacktrace"] = {"frames": _frames(rng, platform)}
    return exception


def _exception_group(rng: random.Random, platform: str) -> list[dict[str, Any]]:
    root = _exception(rng, platform)
    root["mechanism"].update(is_exception_group=True, exception_id=0)
    members = [_exception(rng, platform) for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.5:
        members = [members[0]] * len(members)  # all alike
    values = [root]
    for index, member in enumerate(members, start=1):
        member = {**member, "mechanism": {**member["mechanism"], "exception_id": index, "parent_id": 0}}
        values.append(member)
    rng.shuffle(values)
    return values


def _fingerprint(rng: random.Random) -> list[Any]:
    choices = ["{{ default }}", "{{ type }}", "{{ message }}", "{{ tags.region }}", "{{ function }}", "{{ module }}"]
    choices += ["{{ transaction }}", "{{ path }}", "{{ package }}", "{{ level }}", "{{ unknown }}", "custom", 42]
    return rng.sample(choices, rng.randint(1, 3))


def generated_event(rng: random.Random) -> dict[str, Any]:
    platform = rng.choice(PLATFORMS)
    event: dict[str, Any] = {"platform": platform, "level": "error", "type": "error"}
    kind = rng.random()
    if kind < 0.55:
        event["exception"] = {"values": [_exception(rng, platform) for _ in range(rng.choice([1, 1, 1, 2, 3]))]}
    elif kind < 0.65:
        event["exception"] = {"values": _exception_group(rng, platform)}
    elif kind < 0.75:
        threads = [{"stacktrace": {"frames": _frames(rng, platform)}} for _ in range(rng.randint(1, 3))]
        threads[rng.randrange(len(threads))]["crashed" if rng.random() < 0.5 else "current"] = True
        event["threads"] = {"values": threads}
    elif kind < 0.82:
        event["stacktrace"] = {"frames": _frames(rng, platform)}
        event["logentry"] = {"message": rng.choice(VALUES), "formatted": rng.choice(VALUES)}
    elif kind < 0.88:
        event["type"] = "csp"
        event["csp"] = {
            "effective_directive": rng.choice(["script-src", "img-src", "style-src-elem", ""]),
            "blocked_uri": rng.choice(["inline", "eval", "https://cdn.example.com/x.js", "data:image/png", ""]),
            "violated_directive": rng.choice(["script-src 'self'", "script-src 'unsafe-inline'", ""]),
        }
    else:
        event["type"] = "default"
        event["logentry"] = {"message": rng.choice(VALUES), "formatted": rng.choice(VALUES)}
    if rng.random() < 0.2:
        event["fingerprint"] = _fingerprint(rng)
    if rng.random() < 0.02:
        event["checksum"] = rng.choice(["A" * 32, "release-1"])
    for key in ("transaction", "culprit"):
        if rng.random() < 0.2:
            event[key] = rng.choice(["/api/orders", "tasks.checkout", ""])
    event["tags"] = [["region", rng.choice(["eu", "us"])]] if rng.random() < 0.5 else []
    if rng.random() < 0.3:
        event["request"] = {"url": "https://shop.example.com/api/orders/1"}
    return event


def generated_events() -> list[dict[str, Any]]:
    rng = random.Random(20241128)
    return [generated_event(rng) for _ in range(COUNT)]


def outcome(event: dict[str, Any]) -> dict[str, Any]:
    grouping = compute_hashes(event)
    metadata = issue_metadata(event)
    return {
        "hashes": grouping.hashes,
        "variant": grouping.variant,
        "type": metadata.type,
        "title": metadata.title,
        "culprit": metadata.culprit,
        "metadata": metadata.metadata,
    }


def test_v1_hashes_and_metadata_are_as_pinned() -> None:
    events = generated_events()
    pinned_events = hashlib.sha256(orjson.dumps(events)).hexdigest()
    actual = {"events_sha256": pinned_events, "outcomes": [outcome(event) for event in events]}
    if os.environ.get("HERON_WRITE_PINNED") == "1":
        PINNED.write_bytes(orjson.dumps(actual, option=orjson.OPT_INDENT_2) + b"\n")
    expected = orjson.loads(PINNED.read_bytes())
    assert pinned_events == expected["events_sha256"], "the generator changed: these are not the pinned events"
    for index, (got, want) in enumerate(zip(actual["outcomes"], expected["outcomes"], strict=True)):
        assert got == want, f"pinned event {index}"


def test_the_pinned_events_exercise_every_strategy() -> None:
    variants = {outcome["variant"] for outcome in orjson.loads(PINNED.read_bytes())["outcomes"]}
    assert {"app", "system", "default", "custom", "checksum", "fallback"} <= variants
    assert any(variant.startswith("salted-") for variant in variants)
