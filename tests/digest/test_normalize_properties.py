"""Property tests: whatever JSON an SDK (or an attacker) sends, normalization returns a canonical event."""

from __future__ import annotations

import re
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from heron.digest.levels import LEVELS
from heron.digest.normalize import event_user_key, normalize_event

EVENT_ID = "0123456789abcdef0123456789abcdef"

text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=20)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | text
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=15,
)
# Inside the structured event many fields hold JSON at once; smaller values keep generation fast.
small_json = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3),
    max_leaves=5,
)


def some_of(keys: list[str], values: st.SearchStrategy[Any] = small_json) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=dict.fromkeys(keys, values))


frames = st.lists(
    some_of(
        [
            "filename",
            "abs_path",
            "function",
            "module",
            "lineno",
            "colno",
            "in_app",
            "context_line",
            "pre_context",
            "post_context",
            "vars",
            "platform",
        ]
    )
    | small_json,
    max_size=4,
)
stacktraces = st.fixed_dictionaries({"frames": frames}) | small_json
exceptions = some_of(["type", "value", "module", "mechanism"]) | st.fixed_dictionaries(
    {"stacktrace": stacktraces}, optional={"type": small_json, "value": small_json}
)
pairs = st.lists(st.lists(small_json, min_size=2, max_size=2) | small_json, max_size=4)
events = some_of(
    [
        "timestamp",
        "level",
        "platform",
        "logger",
        "release",
        "dist",
        "environment",
        "server_name",
        "site",
        "transaction",
        "culprit",
        "message",
        "logentry",
        "threads",
        "stacktrace",
        "extra",
        "modules",
        "fingerprint",
        "sdk",
        "type",
        "csp",
        "fingerprint",
    ]
) | st.fixed_dictionaries(
    {},
    optional={
        "exception": st.fixed_dictionaries({"values": st.lists(exceptions | small_json, max_size=3)})
        | st.lists(exceptions, max_size=3)
        | exceptions,
        "breadcrumbs": st.lists(
            some_of(["timestamp", "type", "ty", "category", "message", "level", "data"]), max_size=3
        ),
        "tags": pairs | st.dictionaries(text, small_json, max_size=4),
        "user": some_of(["id", "email", "username", "ip_address", "name", "geo", "segment", "data", "extra_key"])
        | st.fixed_dictionaries({"ip_address": st.sampled_from(["{{auto}}", "10.0.0.1", "nope"])}),
        "request": some_of(["url", "method", "query_string", "cookies", "data", "env", "fragment"])
        | st.fixed_dictionaries({"headers": pairs | st.dictionaries(text, small_json, max_size=3)}),
        "contexts": st.dictionaries(text, small_json | some_of(["type", "name", "version"]), max_size=3),
        "logentry": some_of(["message", "formatted", "params"], small_json | st.sampled_from(["%s %d", "{} {0}"])),
        "sdk": some_of(["name", "version", "integrations", "packages", "settings"]),
    },
)
call_options = st.fixed_dictionaries(
    {
        "received": st.floats(min_value=1e9, max_value=4e9),
        "client_ip": st.sampled_from([None, "203.0.113.7", "::1"]),
        "sent_at": st.none() | st.floats(min_value=0, max_value=5e9),
    }
)

PAIR_FIELDS = ("headers", "cookies", "query_string")


def assert_canonical(event: dict[str, Any]) -> None:
    orjson.dumps(event)
    assert re.fullmatch(r"[0-9a-f]{32}", event["event_id"])
    assert event["type"] in ("error", "default", "csp")
    assert isinstance(event["timestamp"], float) and isinstance(event["received"], float)
    assert event["level"] in LEVELS
    assert isinstance(event["platform"], str) and event["platform"]
    for key in ("logger", "release", "dist", "environment", "server_name", "transaction", "culprit"):
        assert key not in event or (isinstance(event[key], str) and event[key])
    assert len(event.get("release", "")) <= 200 and len(event.get("environment", "")) <= 64

    tags = event["tags"]
    assert all(isinstance(key, str) and isinstance(value, str) for key, value in tags)
    assert all(0 < len(key) <= 200 and 0 < len(value) <= 200 for key, value in tags)
    assert len({key for key, _ in tags}) == len(tags)

    if "logentry" in event:
        logentry = event["logentry"]
        assert isinstance(logentry["message"], str) and isinstance(logentry["formatted"], str)
        assert isinstance(logentry["params"], list)
    if "exception" in event:
        values = event["exception"]["values"]
        assert isinstance(values, list) and values
        for exception in values:
            assert isinstance(exception.get("type", ""), str) and isinstance(exception.get("value", ""), str)
            assert exception.get("type") or exception.get("value")
            if "stacktrace" in exception:
                assert_frames(exception["stacktrace"]["frames"])
        assert event["type"] == "error"
    for thread in event.get("threads", {}).get("values", []):
        if "stacktrace" in thread:
            assert_frames(thread["stacktrace"]["frames"])
    if "stacktrace" in event:
        assert_frames(event["stacktrace"]["frames"])
    for crumb in event.get("breadcrumbs", {}).get("values", []):
        assert isinstance(crumb["timestamp"], float)
        assert isinstance(crumb["type"], str) and crumb["level"] in LEVELS
    if "user" in event:
        assert set(event["user"]) <= {"id", "email", "username", "ip_address", "name", "geo", "segment", "data"}
        assert all(isinstance(event["user"].get(key, ""), str) for key in ("id", "email", "username", "ip_address"))
    for name, context in event.get("contexts", {}).items():
        assert isinstance(name, str) and isinstance(context, dict) and isinstance(context["type"], str)
    request = event.get("request", {})
    for field in PAIR_FIELDS:
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in request.get(field, []))
    assert isinstance(request.get("env", {}), dict)
    assert all(isinstance(part, str) for part in event.get("fingerprint", []))
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in event.get("modules", {}).items())
    assert isinstance(event.get("extra", {}), dict)
    for error in event.get("errors", []):
        assert isinstance(error["type"], str)
        assert error["type"] != "normalization_failed"
    user_key = event_user_key(event)
    assert user_key is None or isinstance(user_key, str)


def assert_frames(frames: Any) -> None:
    assert isinstance(frames, list) and 0 < len(frames) <= 250
    for frame in frames:
        assert isinstance(frame, dict)
        assert isinstance(frame.get("in_app", False), bool)
        assert isinstance(frame.get("vars", {}), dict)
        assert all(isinstance(line, str) for line in frame.get("pre_context", []) + frame.get("post_context", []))
        for key in ("lineno", "colno"):
            assert isinstance(frame.get(key, 0), int)


@settings(max_examples=300, deadline=None)
@given(raw=json_values, options=call_options)
def test_any_json_value_gives_a_canonical_event(raw: Any, options: dict[str, Any]) -> None:
    assert_canonical(normalize_event(raw, event_id=EVENT_ID, **options))


@settings(max_examples=200, deadline=None)
@given(raw=events, options=call_options)
def test_known_keys_holding_random_json_give_a_canonical_event(raw: dict[str, Any], options: dict[str, Any]) -> None:
    assert_canonical(normalize_event(raw, event_id=EVENT_ID, **options))
