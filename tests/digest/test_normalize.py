from __future__ import annotations

from typing import Any

import orjson
import pytest

from heron.digest.clock import correct_clock
from heron.digest.normalize import event_user_key, normalize_event
from heron.protocol.timestamps import parse_timestamp

EVENT_ID = "b33a1c0d2e3f40516273849506a7b8c9"
RECEIVED = 1795866933.0  # 2026-11-28T11:55:33Z
CLIENT_IP = "203.0.113.7"
DAY = 24 * 3600.0


def normalize(raw: Any, **options: Any) -> dict[str, Any]:
    options.setdefault("received", RECEIVED)
    return normalize_event(raw, event_id=EVENT_ID, **options)


def error_types(event: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(error["type"], error.get("name")) for error in event.get("errors", [])]


# --- real SDK payloads ----------------------------------------------------------------------------------------

PYTHON_EVENT = {
    "message": "Hello %s world",
    "level": "warning",
    "event_id": "b33a0000000000000000000000000000",
    "timestamp": "2026-11-28T11:55:32.644916Z",
    "contexts": {
        "trace": {"trace_id": "c4da" * 8, "span_id": "b05ba2a374df250e", "parent_span_id": None},
        "runtime": {"name": "CPython", "version": "3.11.7", "build": "3.11.7 (main)"},
    },
    "user": {"id": "u1", "email": "a@b.c", "subscription": "pro"},
    "transaction": "my-task",
    "transaction_info": {"source": "custom"},
    "tags": {"k": "v"},
    "breadcrumbs": {
        "values": [
            {
                "category": "auth",
                "message": "login",
                "level": "info",
                "timestamp": "2026-11-28T11:55:31.000000Z",
                "type": "default",
            }
        ]
    },
    "extra": {"sys.argv": ["client.py"]},
    "modules": {"sentry-sdk": "2.75.0", "flask": "3.0.0"},
    "release": "myapp@1.0.0",
    "environment": "prod",
    "server_name": "vm",
    "sdk": {
        "name": "sentry.python",
        "version": "2.75.0",
        "packages": [{"name": "pypi:sentry-sdk", "version": "2.75.0"}],
        "integrations": ["argv", "atexit", "logging"],
    },
    "platform": "python",
}


def test_python_sdk_message_event_becomes_canonical() -> None:
    event = normalize(PYTHON_EVENT, client_ip=CLIENT_IP, sent_at=parse_timestamp("2026-11-28T11:55:32.645382Z"))

    assert event["event_id"] == EVENT_ID
    assert event["type"] == "default"
    assert event["timestamp"] == pytest.approx(1795866932.644916)
    assert event["received"] == RECEIVED
    assert event["level"] == "warning"
    assert event["platform"] == "python"
    assert event["logentry"] == {"message": "Hello %s world", "formatted": "Hello %s world", "params": []}
    assert event["user"] == {"id": "u1", "email": "a@b.c", "data": {"subscription": "pro"}}
    assert event["tags"] == [["k", "v"], ["server_name", "vm"]]
    assert event["server_name"] == "vm"
    assert (event["release"], event["environment"], event["transaction"]) == ("myapp@1.0.0", "prod", "my-task")
    assert event["contexts"]["runtime"]["type"] == "runtime"
    assert event["contexts"]["trace"]["trace_id"] == "c4da" * 8
    assert event["breadcrumbs"]["values"] == [
        {"timestamp": 1795866931.0, "type": "default", "category": "auth", "message": "login", "level": "info"}
    ]
    assert event["extra"] == {"sys.argv": ["client.py"]}
    assert event["modules"] == {"sentry-sdk": "2.75.0", "flask": "3.0.0"}
    assert event["sdk"]["packages"] == [{"name": "pypi:sentry-sdk", "version": "2.75.0"}]
    assert "errors" not in event
    # A Python server is not a browser: its sender's IP is not the user's.
    assert "ip_address" not in event["user"]


JS_BROWSER_EVENT = {
    "exception": {
        "values": [
            {
                "type": "TypeError",
                "value": "Cannot read properties of undefined (reading 'x')",
                "stacktrace": {
                    "frames": [
                        {
                            "filename": "https://app.example.com/static/vendor.js",
                            "function": "dispatch",
                            "lineno": 1,
                            "colno": 9999,
                            "in_app": True,
                        },
                        {
                            "filename": "https://app.example.com/static/app.js",
                            "function": "onClick",
                            "lineno": 42,
                            "colno": 7,
                            "in_app": True,
                        },
                    ]
                },
                "mechanism": {"type": "onerror", "handled": False},
            }
        ]
    },
    "level": "error",
    "platform": "javascript",
    "timestamp": 1795866932.512,
    "event_id": "0" * 32,
    "request": {
        "url": "https://app.example.com/checkout?step=2#pay",
        "headers": {
            "User-Agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.6099.109 Safari/537.36",
            "Referer": "https://app.example.com/cart",
        },
    },
    "breadcrumbs": [{"timestamp": 1795866930.1, "category": "ui.click", "message": "button#pay"}],
    "sdk": {
        "name": "sentry.javascript.browser",
        "version": "8.40.0",
        "integrations": ["InboundFilters", "Breadcrumbs"],
        "packages": [{"name": "npm:@sentry/browser", "version": "8.40.0"}],
    },
}


def test_browser_javascript_error_gets_user_ip_and_browser_contexts() -> None:
    event = normalize(JS_BROWSER_EVENT, client_ip=CLIENT_IP)

    assert event["type"] == "error"
    assert event["timestamp"] == 1795866932.512
    assert event["user"] == {"ip_address": CLIENT_IP}
    exception = event["exception"]["values"][0]
    assert exception["mechanism"] == {"type": "onerror", "handled": False}
    assert [frame["function"] for frame in exception["stacktrace"]["frames"]] == ["dispatch", "onClick"]
    request = event["request"]
    assert request["url"] == "https://app.example.com/checkout"
    assert request["query_string"] == [["step", "2"]]
    assert request["fragment"] == "pay"
    assert request["headers"][0][0] == "Referer"
    contexts = event["contexts"]
    assert contexts["browser"] == {"type": "browser", "name": "Chrome", "version": "120.0.6099"}
    assert contexts["os"] == {"type": "os", "name": "Mac OS X", "version": ">=10.15.7"}
    assert contexts["device"] == {"type": "device", "family": "Mac", "model": "Mac", "brand": "Apple"}
    assert event["breadcrumbs"]["values"][0] == {
        "timestamp": 1795866930.1,
        "type": "default",
        "category": "ui.click",
        "message": "button#pay",
        "level": "info",
    }


SENTRY_CLI_EVENT = {
    "event_id": "1" * 32,
    "timestamp": 1795866930.25,
    "level": "info",
    "platform": "other",
    "logentry": {"message": "Deploy %s finished", "params": ["v1.2"]},
    "release": "myapp@1.2.0",
    "environment": "production",
    "user": {"username": "alice", "ip_address": "{{auto}}"},
    "sdk": {"name": "sentry-cli", "version": "2.39.1"},
    "extra": {"source": "sentry-cli"},
}


def test_sentry_cli_message_is_formatted_from_its_params() -> None:
    event = normalize(SENTRY_CLI_EVENT, client_ip=CLIENT_IP)

    assert event["platform"] == "other"
    assert event["level"] == "info"
    assert event["timestamp"] == 1795866930.25
    assert event["logentry"] == {
        "message": "Deploy %s finished",
        "formatted": "Deploy v1.2 finished",
        "params": ["v1.2"],
    }
    assert event["user"] == {"username": "alice", "ip_address": CLIENT_IP}
    assert event_user_key(event) == "username:alice"


# --- attributes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("debug", "debug"),
        ("info", "info"),
        ("WARNING", "warning"),
        ("warn", "warning"),
        ("log", "info"),
        ("critical", "fatal"),
        ("Fatal", "fatal"),
        (10, "debug"),
        (20, "info"),
        (30, "warning"),
        (40, "error"),
        (50.0, "fatal"),
        (None, "error"),
    ],
)
def test_levels_and_their_aliases(raw: Any, expected: str) -> None:
    assert normalize({"level": raw})["level"] == expected


@pytest.mark.parametrize("raw", ["loud", 35, True, ["error"]])
def test_unknown_levels_become_error_with_a_note(raw: Any) -> None:
    event = normalize({"level": raw})
    assert event["level"] == "error"
    assert ("invalid_data", "level") in error_types(event)


def test_a_message_without_level_is_an_error_like_in_sentry() -> None:
    assert normalize({"message": "hi"})["level"] == "error"


def test_platform_defaults_to_other() -> None:
    assert normalize({})["platform"] == "other"
    assert normalize({"platform": 3})["platform"] == "other"


def test_event_id_comes_from_the_caller() -> None:
    event = normalize_event({"event_id": "f" * 32}, event_id="AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE", received=1.0)
    assert event["event_id"] == "aaaaaaaabbbbccccddddeeeeeeeeeeee"


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("myapp@1.0.0", "myapp@1.0.0"),
        ("  spaced@2  ", "spaced@2"),
        (1.5, "1"),
        (42, "42"),
        ("a\nb", None),
        ("..", None),
        (".", None),
        ("latest", None),
        ("   ", None),
        ("a/b", None),
        ("x" * 201, None),
        ("x" * 200, "x" * 200),
    ],
)
def test_releases_are_validated_like_sentry(raw: Any, kept: str | None) -> None:
    event = normalize({"release": raw})
    assert event.get("release") == kept
    if kept is None:
        assert ("invalid_data", "release") in error_types(event)


@pytest.mark.parametrize(
    ("raw", "kept", "error"),
    [
        ("production", "production", None),
        (" staging ", "staging", None),
        ("a/b", None, "invalid_data"),
        ("x" * 65, None, "invalid_data"),
        ("line\nbreak", None, "invalid_data"),
    ],
)
def test_environments_are_validated(raw: str, kept: str | None, error: str | None) -> None:
    event = normalize({"environment": raw})
    assert event.get("environment") == kept
    assert (error, "environment") in error_types(event) or error is None


@pytest.mark.parametrize(
    ("raw", "kept", "error"),
    [
        ("1234", "1234", None),
        (" build_7.1-a ", "build_7.1-a", None),
        ("", None, None),
        ("has space", None, "invalid_data"),
        ("x" * 65, None, "value_too_long"),
    ],
)
def test_dist_is_trimmed_and_checked(raw: str, kept: str | None, error: str | None) -> None:
    event = normalize({"dist": raw})
    assert event.get("dist") == kept
    assert error is None or (error, "dist") in error_types(event)


def test_strings_are_trimmed_to_relay_limits() -> None:
    event = normalize({"transaction": "t" * 500, "culprit": "c" * 500, "logger": "l" * 100, "server_name": "s" * 300})
    assert event["transaction"] == "t" * 197 + "..."
    assert event["culprit"] == "c" * 197 + "..."
    assert event["logger"] == "l" * 61 + "..."
    assert len(event["server_name"]) == 256


def test_logger_with_newline_is_dropped() -> None:
    event = normalize({"logger": "a\nb"})
    assert "logger" not in event
    assert ("invalid_data", "logger") in error_types(event)


# --- timestamps ---------------------------------------------------------------------------------------------


def test_missing_timestamp_is_the_received_time() -> None:
    event = normalize({})
    assert event["timestamp"] == RECEIVED
    assert isinstance(event["timestamp"], float)


def test_unreadable_timestamp_is_the_received_time_with_a_note() -> None:
    event = normalize({"timestamp": "yesterday"})
    assert event["timestamp"] == RECEIVED
    assert ("invalid_data", "timestamp") in error_types(event)


@pytest.mark.parametrize("raw", ["2026-11-28T11:55:30Z", "2026-11-28T11:55:30", 1795866930, 1795866930.0])
def test_timestamps_in_every_sdk_form_become_floats(raw: Any) -> None:
    event = normalize({"timestamp": raw})
    assert event["timestamp"] == 1795866930.0
    assert isinstance(event["timestamp"], float)


def test_future_timestamp_is_moved_to_received_with_its_breadcrumbs() -> None:
    event = normalize({"timestamp": RECEIVED + 3600, "breadcrumbs": [{"timestamp": RECEIVED + 3590}]})
    assert event["timestamp"] == RECEIVED
    assert event["breadcrumbs"]["values"][0]["timestamp"] == RECEIVED - 10
    assert ("future_timestamp", "timestamp") in error_types(event)


def test_a_little_in_the_future_is_tolerated() -> None:
    event = normalize({"timestamp": RECEIVED + 59})
    assert event["timestamp"] == RECEIVED + 59
    assert "errors" not in event


def test_timestamp_older_than_30_days_is_moved_to_received() -> None:
    event = normalize({"timestamp": RECEIVED - 31 * DAY})
    assert event["timestamp"] == RECEIVED
    assert ("past_timestamp", "timestamp") in error_types(event)


def test_timestamp_29_days_old_is_kept() -> None:
    assert normalize({"timestamp": RECEIVED - 29 * DAY})["timestamp"] == RECEIVED - 29 * DAY


def test_sdk_clock_drift_of_an_hour_is_corrected_everywhere() -> None:
    drift = 2 * 3600.0
    raw = {"timestamp": RECEIVED - drift - 5, "breadcrumbs": [{"timestamp": RECEIVED - drift - 8}]}
    event = normalize(raw, sent_at=RECEIVED - drift)
    assert event["timestamp"] == RECEIVED - 5
    assert event["breadcrumbs"]["values"][0]["timestamp"] == RECEIVED - 8
    assert ("clock_drift", "timestamp") in error_types(event)


def test_drift_under_55_minutes_is_left_alone() -> None:
    event = normalize({"timestamp": RECEIVED - 3000}, sent_at=RECEIVED - 3000)
    assert event["timestamp"] == RECEIVED - 3000
    assert "errors" not in event


def test_clock_correction_shifts_transaction_start_and_spans() -> None:
    event: dict[str, Any] = {
        "timestamp": RECEIVED - 7200.0,
        "start_timestamp": RECEIVED - 7201.0,
        "spans": [{"start_timestamp": RECEIVED - 7200.5, "timestamp": RECEIVED - 7200.2}],
    }
    errors: list[dict[str, Any]] = []
    correct_clock(event, received=RECEIVED, sent_at=RECEIVED - 7200.0, errors=errors)
    assert (event["start_timestamp"], event["timestamp"]) == (RECEIVED - 1.0, RECEIVED)
    assert event["spans"][0] == {"start_timestamp": RECEIVED - 0.5, "timestamp": pytest.approx(RECEIVED - 0.2)}
    assert errors[0]["type"] == "clock_drift"


def test_breadcrumb_without_timestamp_gets_the_event_time() -> None:
    event = normalize({"timestamp": RECEIVED - 10, "breadcrumbs": [{"message": "m"}]})
    assert event["breadcrumbs"]["values"][0]["timestamp"] == RECEIVED - 10


# --- message ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"message": "plain"}, {"message": "plain", "formatted": "plain", "params": []}),
        ({"message": {"message": "a %s", "params": ["b"]}}, {"message": "a %s", "formatted": "a b", "params": ["b"]}),
        ({"logentry": {"message": "n=%d", "params": [3]}}, {"message": "n=%d", "formatted": "n=3", "params": [3]}),
        ({"logentry": {"message": "%r!", "params": ["x"]}}, {"message": "%r!", "formatted": "'x'!", "params": ["x"]}),
        (
            {"logentry": {"message": "hi %(name)s", "params": {"name": "bob"}}},
            {"message": "hi %(name)s", "formatted": "hi bob", "params": [{"name": "bob"}]},
        ),
        (
            {"logentry": {"message": "100%% done", "params": [1]}},
            {"message": "100%% done", "formatted": "100% done", "params": [1]},
        ),
        (
            {"logentry": {"message": "a {} {}", "params": [1, "b"]}},
            {"message": "a {} {}", "formatted": "a 1 b", "params": [1, "b"]},
        ),
        (
            {"logentry": {"message": "a {1} {0}", "params": ["x", "y"]}},
            {"message": "a {1} {0}", "formatted": "a y x", "params": ["x", "y"]},
        ),
        (
            {"logentry": {"message": "t %s", "formatted": "t given", "params": ["p"]}},
            {"message": "t %s", "formatted": "t given", "params": ["p"]},
        ),
        (
            {"logentry": {"formatted": "only formatted"}},
            {"message": "only formatted", "formatted": "only formatted", "params": []},
        ),
        ({"logentry": "bare string"}, {"message": "bare string", "formatted": "bare string", "params": []}),
    ],
)
def test_messages_become_logentries(raw: dict[str, Any], expected: dict[str, Any]) -> None:
    assert normalize(raw)["logentry"] == expected


@pytest.mark.parametrize(
    ("template", "params"),
    [
        ("%d apples", ["many"]),
        ("%s and %s", ["one"]),
        ("%(missing)s", {"other": 1}),
        ("%s", {"a": 1}),
        ("%999999999s", ["x"]),
        ("%.9999s", ["x"]),
        ("100% done", ["x"]),
        ("{missing}", ["x"]),
        ("{5}", ["x"]),
        ("%c", [10**9]),
    ],
)
def test_formatting_failures_leave_the_template(template: str, params: Any) -> None:
    logentry = normalize({"logentry": {"message": template, "params": params}})["logentry"]
    assert logentry["formatted"] == template


def test_long_messages_are_trimmed() -> None:
    logentry = normalize({"message": "m" * 9000})["logentry"]
    assert len(logentry["message"]) == 8192
    assert len(logentry["formatted"]) == 8192


def test_no_message_means_no_logentry() -> None:
    assert "logentry" not in normalize({"message": ""})
    assert "logentry" not in normalize({"message": None})
    assert ("invalid_data", "logentry") in error_types(normalize({"logentry": 5}))


# --- exceptions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        {"values": [{"type": "ValueError", "value": "bad"}]},
        [{"type": "ValueError", "value": "bad"}],
        {"type": "ValueError", "value": "bad"},
    ],
)
def test_exception_accepts_every_values_form(raw: Any) -> None:
    event = normalize({"exception": raw})
    assert event["exception"] == {"values": [{"type": "ValueError", "value": "bad"}]}
    assert event["type"] == "error"


@pytest.mark.parametrize("raw", [{}, {"values": []}, {"values": None}, [], "boom", 3])
def test_empty_exceptions_are_no_exception(raw: Any) -> None:
    event = normalize({"exception": raw})
    assert "exception" not in event
    assert event["type"] == "default"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"value": "ValueError: invalid literal"}, {"type": "ValueError", "value": "invalid literal"}),
        ({"value": "no separator here"}, {"value": "no separator here"}),
        ({"value": "a.b.Error: dotted"}, {"value": "a.b.Error: dotted"}),
        ({"type": "Error: not split"}, {"type": "Error: not split"}),
        ({"value": {"code": 1}}, {"value": '{"code":1}'}),
        ({"type": "E", "value": 404}, {"type": "E", "value": "404"}),
    ],
)
def test_exception_type_and_value_are_repaired_like_relay(raw: dict[str, Any], expected: dict[str, Any]) -> None:
    assert normalize({"exception": [raw]})["exception"]["values"] == [expected]


def test_exception_without_type_and_value_is_dropped_with_a_note() -> None:
    event = normalize({"exception": [{"type": "A"}, {"stacktrace": {"frames": [{"function": "f"}]}}]})
    assert event["exception"]["values"] == [{"type": "A"}]
    assert ("missing_attribute", "exception.values.1") in error_types(event)


def test_exceptions_keep_their_order_oldest_first() -> None:
    event = normalize({"exception": {"values": [{"type": "Cause"}, {"type": "Raised"}]}})
    assert [exc["type"] for exc in event["exception"]["values"]] == ["Cause", "Raised"]


def test_frames_keep_only_typed_known_fields() -> None:
    frame = {
        "filename": "app.py",
        "abs_path": "/srv/app.py",
        "function": "handler",
        "module": "app",
        "lineno": 10,
        "colno": "3",
        "in_app": "yes",
        "context_line": "    return 1 / n",
        "pre_context": ["def handler(n):", None],
        "post_context": "nope",
        "vars": {"n": "0"},
        "unknown": "x",
    }
    normalized = normalize({"exception": [{"type": "E", "stacktrace": {"frames": [frame, None, 7]}}]})
    frames = normalized["exception"]["values"][0]["stacktrace"]["frames"]
    assert frames == [
        {
            "filename": "app.py",
            "abs_path": "/srv/app.py",
            "module": "app",
            "function": "handler",
            "lineno": 10,
            "context_line": "    return 1 / n",
            "pre_context": ["def handler(n):", ""],
            "vars": {"n": "0"},
        }
    ]


def test_frames_are_limited_to_the_newest_250() -> None:
    frames = [{"function": f"f{index}", "in_app": True} for index in range(300)]
    normalized = normalize({"exception": [{"type": "E", "stacktrace": {"frames": frames}}]})
    kept = normalized["exception"]["values"][0]["stacktrace"]["frames"]
    assert len(kept) == 250
    assert (kept[0]["function"], kept[-1]["function"]) == ("f50", "f299")


def test_frame_details_are_slimmed_beyond_50_frames() -> None:
    frames = [{"function": f"f{index}", "vars": {"i": index}, "pre_context": ["x"]} for index in range(60)]
    normalized = normalize({"exception": [{"type": "E", "stacktrace": {"frames": frames}}]})
    kept = normalized["exception"]["values"][0]["stacktrace"]["frames"]
    assert "vars" in kept[0] and "vars" in kept[-1]
    assert "vars" not in kept[30] and "pre_context" not in kept[30]


def test_frame_vars_are_a_medium_bag() -> None:
    frame = {"function": "f", "vars": {f"v{index}": "x" * 100 for index in range(100)}}
    normalized = normalize({"exception": [{"type": "E", "stacktrace": {"frames": [frame]}}]})
    frame_vars = normalized["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"]
    assert 0 < len(frame_vars) < 25
    assert len(orjson.dumps(frame_vars)) < 2048 + 200


def test_frame_vars_sent_as_a_list_are_keyed_by_position() -> None:
    frame = {"function": "f", "vars": ["a", "b"]}
    normalized = normalize({"exception": [{"type": "E", "stacktrace": {"frames": [frame]}}]})
    assert normalized["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"] == {"0": "a", "1": "b"}


def test_top_level_stacktrace_moves_into_a_lone_exception() -> None:
    event = normalize({"exception": [{"type": "E"}], "stacktrace": {"frames": [{"function": "f"}]}})
    assert event["exception"]["values"][0]["stacktrace"] == {"frames": [{"function": "f"}]}
    assert "stacktrace" not in event


def test_top_level_stacktrace_stays_without_an_exception() -> None:
    event = normalize({"message": "m", "stacktrace": {"frames": [{"function": "f"}]}})
    assert event["stacktrace"] == {"frames": [{"function": "f"}]}


def test_threads_keep_their_stack_traces() -> None:
    raw = {
        "threads": {
            "values": [
                {
                    "id": 1,
                    "name": "main",
                    "crashed": True,
                    "current": "no",
                    "stacktrace": {"frames": [{"function": "run"}]},
                },
                "junk",
            ]
        }
    }
    assert normalize(raw)["threads"] == {
        "values": [{"id": 1, "name": "main", "crashed": True, "stacktrace": {"frames": [{"function": "run"}]}}]
    }


def test_mechanism_gets_a_type() -> None:
    event = normalize({"exception": [{"type": "E", "mechanism": {"handled": True, "data": {"k": 1}, "x": 2}}]})
    assert event["exception"]["values"][0]["mechanism"] == {"type": "generic", "handled": True, "data": {"k": 1}}


# --- breadcrumbs --------------------------------------------------------------------------------------------


def test_breadcrumbs_get_type_and_level_defaults() -> None:
    raw = {
        "breadcrumbs": {
            "values": [
                {"timestamp": 1795866930, "message": "m", "level": "warn", "ty": "http", "data": {"url": "/x"}},
                {"timestamp": "2026-11-28T11:55:30Z"},
                "junk",
            ]
        }
    }
    crumbs = normalize(raw)["breadcrumbs"]["values"]
    assert crumbs == [
        {"timestamp": 1795866930.0, "type": "http", "message": "m", "level": "warning", "data": {"url": "/x"}},
        {"timestamp": 1795866930.0, "type": "default", "level": "info"},
    ]


def test_breadcrumbs_are_not_cut_by_count() -> None:
    crumbs = [{"timestamp": RECEIVED - index, "message": str(index)} for index in range(200)]
    assert len(normalize({"breadcrumbs": crumbs})["breadcrumbs"]["values"]) == 200


# --- tags ---------------------------------------------------------------------------------------------------


def test_tags_object_becomes_sorted_string_pairs() -> None:
    event = normalize({"tags": {"b": 2, "a": True, "foo bar": " baz ", "n": None}})
    assert event["tags"] == [["a", "True"], ["b", "2"], ["foo-bar", "baz"]]


def test_tags_list_of_pairs_keeps_its_order() -> None:
    event = normalize({"tags": [["z", "1"], ["a", "2"], ["z", "dup"], "junk", [1.0, 2.5]]})
    assert event["tags"] == [["z", "1"], ["a", "2"], ["1", "2"]]
    assert ("invalid_data", "tags.3") in error_types(event)


@pytest.mark.parametrize(
    ("pair", "error"),
    [
        (["", "v"], "invalid_data"),
        (["k", ""], "invalid_data"),
        (["k", "   "], "invalid_data"),
        (["k" * 201, "v"], "value_too_long"),
        (["k", "v" * 201], "value_too_long"),
        (["k", "a\nb"], "invalid_data"),
        (["ké", "v"], "invalid_data"),
        (["k", {"nested": 1}], None),
    ],
)
def test_invalid_tags_are_dropped_not_truncated(pair: list[Any], error: str | None) -> None:
    event = normalize({"tags": [pair]})
    assert event["tags"] == []
    if error is not None:
        assert (error, "tags.0") in error_types(event)


def test_tags_at_the_limit_are_kept() -> None:
    assert normalize({"tags": [["k" * 200, "v" * 200]]})["tags"] == [["k" * 200, "v" * 200]]


@pytest.mark.parametrize("key", ["release", "dist", "user", "filename", "function"])
def test_reserved_tag_keys_are_removed(key: str) -> None:
    assert normalize({"tags": {key: "x", "kept": "y"}})["tags"] == [["kept", "y"]]


def test_environment_tag_becomes_the_environment_when_unset() -> None:
    event = normalize({"tags": {"environment": "staging", "k": "v"}})
    assert event["environment"] == "staging"
    assert event["tags"] == [["k", "v"]]


def test_environment_field_wins_over_the_tag() -> None:
    event = normalize({"environment": "prod", "tags": {"environment": "staging"}})
    assert event["environment"] == "prod"
    assert event["tags"] == []


def test_server_name_and_site_are_copied_into_tags() -> None:
    event = normalize({"server_name": "web-1", "site": "eu", "tags": {"server_name": "old"}})
    assert event["server_name"] == "web-1"
    assert event["tags"] == [["server_name", "web-1"], ["site", "eu"]]


def test_tags_that_are_not_a_map_or_list_are_reported() -> None:
    event = normalize({"tags": "k:v"})
    assert event["tags"] == []
    assert ("invalid_data", "tags") in error_types(event)


# --- user and IP --------------------------------------------------------------------------------------------


def test_user_known_fields_stay_and_others_move_into_data() -> None:
    event = normalize(
        {
            "user": {
                "id": 42,
                "username": "bob",
                "name": "Bob",
                "email": "b@x.io",
                "segment": "vip",
                "geo": {"city": "Oslo", "country_code": "NO", "lat": 1},
                "data": {"plan": "free"},
                "subscription": "pro",
            }
        }
    )
    assert event["user"] == {
        "id": "42",
        "email": "b@x.io",
        "username": "bob",
        "name": "Bob",
        "segment": "vip",
        "geo": {"country_code": "NO", "city": "Oslo"},
        "data": {"plan": "free", "subscription": "pro"},
    }


def test_user_id_that_is_not_a_primitive_is_dropped() -> None:
    event = normalize({"user": {"id": [1], "email": "a@b.c"}})
    assert event["user"] == {"email": "a@b.c"}
    assert ("invalid_data", "user.id") in error_types(event)


def test_auto_user_ip_is_the_client_ip() -> None:
    event = normalize({"platform": "python", "user": {"ip_address": "{{auto}}"}}, client_ip=CLIENT_IP)
    assert event["user"]["ip_address"] == CLIENT_IP


def test_auto_remote_addr_is_the_client_ip_and_fills_the_user() -> None:
    raw = {"platform": "python", "request": {"env": {"REMOTE_ADDR": "{{auto}}", "SERVER_PORT": "80"}}}
    event = normalize(raw, client_ip=CLIENT_IP)
    assert event["request"]["env"]["REMOTE_ADDR"] == CLIENT_IP
    assert event["user"] == {"ip_address": CLIENT_IP}


def test_remote_addr_fills_a_missing_user_ip_only() -> None:
    raw = {"request": {"env": {"REMOTE_ADDR": "198.51.100.1"}}, "user": {"ip_address": "192.0.2.9"}}
    assert normalize(raw)["user"]["ip_address"] == "192.0.2.9"
    assert normalize({"request": {"env": {"REMOTE_ADDR": "198.51.100.1"}}})["user"] == {"ip_address": "198.51.100.1"}


@pytest.mark.parametrize(
    ("platform", "infer_ip", "expected"),
    [
        ("javascript", None, CLIENT_IP),
        ("cocoa", None, CLIENT_IP),
        ("python", None, None),
        ("python", "auto", CLIENT_IP),
        ("javascript", "never", None),
    ],
)
def test_sender_ip_is_inferred_for_browsers_or_when_asked(
    platform: str, infer_ip: str | None, expected: str | None
) -> None:
    raw: dict[str, Any] = {"platform": platform}
    if infer_ip is not None:
        raw["sdk"] = {"name": "s", "version": "1", "settings": {"infer_ip": infer_ip}}
    event = normalize(raw, client_ip=CLIENT_IP)
    assert event.get("user", {}).get("ip_address") == expected


def test_invalid_user_ip_is_dropped() -> None:
    event = normalize({"user": {"ip_address": "not-an-ip", "id": "1"}})
    assert event["user"] == {"id": "1"}
    assert ("invalid_data", "user.ip_address") in error_types(event)


def test_auto_ip_without_client_ip_is_dropped() -> None:
    assert normalize({"user": {"ip_address": "{{auto}}", "id": "1"}})["user"] == {"id": "1"}


@pytest.mark.parametrize(
    ("user", "key"),
    [
        ({"id": "7", "email": "a@b.c", "username": "u", "ip_address": "1.2.3.4"}, "id:7"),
        ({"email": "a@b.c", "username": "u"}, "email:a@b.c"),
        ({"username": "u", "ip_address": "1.2.3.4"}, "username:u"),
        ({"ip_address": "1.2.3.4"}, "ip:1.2.3.4"),
        ({"name": "only a name"}, None),
    ],
)
def test_event_user_key_prefers_id_then_email_username_ip(user: dict[str, Any], key: str | None) -> None:
    assert event_user_key(normalize({"user": user})) == key


def test_event_user_key_without_user() -> None:
    assert event_user_key(normalize({})) is None


# --- request ------------------------------------------------------------------------------------------------


def test_request_parts_become_pairs() -> None:
    raw = {
        "request": {
            "method": "post",
            "url": "http://example.com/path?a=1&b=#frag",
            "headers": [["content-type", "application/json"], ["X-Multi", ["a", "b"]], ["Cookie", "s=1; t=%20x"]],
            "data": '{"k": [1, 2]}',
            "env": {"SERVER_NAME": "web"},
        }
    }
    request = normalize(raw)["request"]
    assert request == {
        "method": "POST",
        "url": "http://example.com/path",
        "query_string": [["a", "1"], ["b", ""]],
        "fragment": "frag",
        "headers": [["Content-Type", "application/json"], ["X-Multi", "a,b"]],
        "cookies": [["s", "1"], ["t", " x"]],
        "data": {"k": [1, 2]},
        "env": {"SERVER_NAME": "web"},
    }


def test_explicit_query_string_and_cookies_win() -> None:
    raw = {
        "request": {"url": "/p?x=1", "query_string": "?y=2", "cookies": {"c": "1"}, "headers": {"Cookie": "other=2"}}
    }
    request = normalize(raw)["request"]
    assert request["query_string"] == [["y", "2"]]
    assert request["cookies"] == [["c", "1"]]
    assert "headers" not in request
    assert request["url"] == "/p"


def test_invalid_method_is_dropped() -> None:
    event = normalize({"request": {"method": "G E T!", "url": "http://x"}})
    assert "method" not in event["request"]
    assert ("invalid_data", "request.method") in error_types(event)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("a=1&b=2", {"a": "1", "b": "2"}),
        ("just text", "just text"),
        ("{broken", "{broken"),
        ({"already": "structured"}, {"already": "structured"}),
    ],
)
def test_request_body_text_is_parsed_when_it_is_json_or_a_form(data: Any, expected: Any) -> None:
    assert normalize({"request": {"data": data}})["request"]["data"] == expected


def test_unparseable_url_is_still_split() -> None:
    request = normalize({"request": {"url": "http://[::1/path?q=1#f"}})["request"]
    assert request["url"] == "http://[::1/path"
    assert request["query_string"] == [["q", "1"]]


# --- contexts and user agent --------------------------------------------------------------------------------


def test_context_type_defaults_to_its_key_and_junk_is_dropped() -> None:
    event = normalize(
        {"contexts": {"os": {"name": "Linux"}, "gpu": {"type": "gpu", "name": "x"}, "bad": 3, "custom": {"type": 7}}}
    )
    assert event["contexts"] == {
        "os": {"name": "Linux", "type": "os"},
        "gpu": {"type": "gpu", "name": "x"},
        "custom": {"type": "custom"},
    }
    assert ("invalid_data", "contexts.bad") in error_types(event)


def test_contexts_are_large_bags() -> None:
    event = normalize({"contexts": {"big": {f"k{index}": "v" * 100 for index in range(200)}}})
    assert len(orjson.dumps(event["contexts"]["big"])) < 8192 + 200


def test_user_agent_does_not_replace_contexts_the_sdk_sent() -> None:
    raw = {
        "platform": "javascript",
        "contexts": {"browser": {"name": "Custom"}},
        "request": {
            "headers": [
                ["user-agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"]
            ]
        },
    }
    contexts = normalize(raw)["contexts"]
    assert contexts["browser"] == {"name": "Custom", "type": "browser"}
    assert contexts["os"] == {"type": "os", "name": "Windows", "version": ">=10"}
    assert "device" not in contexts


def test_user_agent_os_of_a_server_event_goes_to_client_os() -> None:
    raw = {
        "platform": "python",
        "contexts": {"os": {"name": "Linux", "version": "6.1"}},
        "request": {"headers": {"User-Agent": JS_BROWSER_EVENT["request"]["headers"]["User-Agent"]}},  # type: ignore[index]
    }
    contexts = normalize(raw)["contexts"]
    assert contexts["os"] == {"name": "Linux", "version": "6.1", "type": "os"}
    assert contexts["client_os"]["name"] == "Mac OS X"


# --- bags and lists -----------------------------------------------------------------------------------------


def test_extra_is_a_massive_bag() -> None:
    event = normalize({"extra": {"deep": {"a": {"b": {"c": {"d": {"e": {"f": {"g": 1}}}}}}}, "big": "x" * 300_000}})
    assert event["extra"]["deep"]["a"]["b"]["c"]["d"]["e"] == '{"f":{"g":1}}'
    assert len(event["extra"]["big"]) < 262_144


def test_extra_that_is_not_an_object_is_reported() -> None:
    event = normalize({"extra": ["a"]})
    assert "extra" not in event
    assert ("invalid_data", "extra") in error_types(event)


def test_modules_keep_string_versions() -> None:
    event = normalize({"modules": {"flask": "3.0.0", "odd": 3}})
    assert event["modules"] == {"flask": "3.0.0"}
    assert ("invalid_data", "modules.odd") in error_types(event)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["{{ default }}", "db"], ["{{ default }}", "db"]),
        (["a", 1, 2.7, True, None], ["a", "1", "2", "True"]),
        (["a", {"x": 1}], ["a"]),
    ],
)
def test_fingerprint_is_strings(raw: list[Any], expected: list[str]) -> None:
    assert normalize({"fingerprint": raw})["fingerprint"] == expected


def test_absent_fingerprint_stays_absent() -> None:
    assert "fingerprint" not in normalize({})
    assert "fingerprint" not in normalize({"fingerprint": []})


def test_sdk_keeps_name_version_integrations_packages() -> None:
    raw = {
        "sdk": {
            "name": "sentry.python",
            "version": "2.0",
            "integrations": ["a", 1],
            "packages": [{"name": "p", "version": "1"}, {"version": "2"}, "x"],
            "settings": {"x": 1},
        }
    }
    assert normalize(raw)["sdk"] == {
        "name": "sentry.python",
        "version": "2.0",
        "integrations": ["a"],
        "packages": [{"name": "p", "version": "1"}, {"version": "2"}],
    }


def test_sdk_integration_names_are_trimmed_like_any_enum_value() -> None:
    names = normalize({"sdk": {"integrations": ["flask", "x" * 200]}})["sdk"]["integrations"]
    assert names == ["flask", "x" * 125 + "..."]


def test_mechanism_keeps_the_known_fields_sent_and_drops_the_rest() -> None:
    mechanism = {"type": "chained", "handled": "yes", "source": "__cause__", "exception_id": 1, "parent_id": -1}
    raw = {"exception": {"values": [{"type": "E", "mechanism": {**mechanism, "colour": "red"}}]}}
    normalized = normalize(raw)["exception"]["values"][0]["mechanism"]
    assert normalized == {"type": "chained", "source": "__cause__", "exception_id": 1}


def test_breadcrumb_level_of_any_type_falls_back_to_info() -> None:
    crumbs = [{"level": {"a": 1}}, {"level": ["error"]}, {"level": "WARN"}, {"level": "fatal"}, {"level": 40}]
    levels = [crumb["level"] for crumb in normalize({"breadcrumbs": crumbs})["breadcrumbs"]["values"]]
    assert levels == ["info", "info", "warning", "fatal", "error"]


# --- event types --------------------------------------------------------------------------------------------


def test_csp_reports_keep_their_type_and_report() -> None:
    raw = {"type": "csp", "csp": {"document_uri": "https://x", "violated_directive": "script-src"}}
    event = normalize(raw)
    assert event["type"] == "csp"
    assert event["csp"] == raw["csp"]


def test_csp_dict_without_csp_type_is_not_kept() -> None:
    assert "csp" not in normalize({"csp": {"document_uri": "x"}})


def test_a_transaction_does_not_crash_it() -> None:
    raw = {
        "type": "transaction",
        "transaction": "/a",
        "start_timestamp": "2026-11-28T11:55:32Z",
        "timestamp": "2026-11-28T11:55:32.5Z",
        "spans": [{"span_id": "a" * 16}],
        "contexts": {"trace": {}},
    }
    event = normalize(raw)
    assert event["type"] == "default"
    assert event["transaction"] == "/a"


@pytest.mark.parametrize("raw", [None, [], "event", 42, 1.5, True, [{"message": "m"}]])
def test_payloads_that_are_not_objects_give_a_minimal_event(raw: Any) -> None:
    event = normalize(raw)
    assert event["timestamp"] == RECEIVED
    assert event["level"] == "error"
    assert event["type"] == "default"
    assert ("invalid_data", "event") in error_types(event)


def test_a_bug_in_a_step_still_gives_a_minimal_event(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(raw: Any) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr("heron.digest.normalize.normalize_breadcrumbs", broken)
    event = normalize({"message": "m", "breadcrumbs": []})
    assert event["event_id"] == EVENT_ID
    assert (event["timestamp"], event["level"], event["tags"]) == (RECEIVED, "error", [])
    assert error_types(event) == [("normalization_failed", None)]


def test_a_client_ip_that_is_not_an_ip_is_not_recorded() -> None:
    event = normalize({"platform": "javascript", "user": {"ip_address": "{{auto}}", "id": "1"}}, client_ip="unknown")
    assert event["user"] == {"id": "1"}
