"""Which part of an event decides its grouping: exceptions, threads, stacktrace, CSP, message, fallback."""

from __future__ import annotations

import copy
import json

import pytest

from heron.grouping import DEFAULT_CONFIG, STRATEGIES, compute_hashes
from heron.grouping.result import hash_values

from .events import error_event, exception, hashes, message_event, py_frame, same_group

CAUSE = exception("KeyError", "'id'", [py_frame("load", "return row['id']", module="app.db")])
RAISED = exception("LookupError", "user missing", [py_frame("get_user", "raise LookupError(...)")])


class TestChainedExceptions:
    def test_every_exception_in_the_chain_contributes(self) -> None:
        other_cause = exception("KeyError", "'id'", [py_frame("fetch", "return row['id']", module="app.cache")])
        assert not same_group(error_event(CAUSE, RAISED), error_event(other_cause, RAISED))
        assert not same_group(error_event(CAUSE, RAISED), error_event(RAISED))

    def test_chain_order_matters(self) -> None:
        assert not same_group(error_event(CAUSE, RAISED), error_event(RAISED, CAUSE))

    def test_a_cause_without_stacktrace_still_counts_in_the_app_variant(self) -> None:
        bare_cause = exception("OSError", "disk full")
        first = compute_hashes(error_event(bare_cause, RAISED))
        second = compute_hashes(error_event(exception("OSError", "permission denied"), RAISED))
        assert first.hashes != second.hashes


def group_member(exc_type: str, exception_id: int, parent_id: int = 0) -> dict[str, object]:
    mechanism = {
        "type": "chained",
        "source": f"exceptions[{exception_id}]",
        "exception_id": exception_id,
        "parent_id": parent_id,
    }
    return exception(exc_type, f"{exc_type} happened", [py_frame(exc_type.lower(), "raise")], mechanism=mechanism)


def exception_group(*members: dict[str, object]) -> dict[str, object]:
    root = exception("ExceptionGroup", f"{len(members)} sub-exceptions", [py_frame("main", "async with tg:")])
    root["mechanism"] = {"type": "generic", "is_exception_group": True, "exception_id": 0}
    return error_event(*members, root)


class TestExceptionGroups:
    def test_a_group_of_identical_errors_groups_like_one_error(self) -> None:
        three = exception_group(
            group_member("TimeoutError", 1), group_member("TimeoutError", 2), group_member("TimeoutError", 3)
        )
        one = exception_group(group_member("TimeoutError", 1))
        assert hashes(three) == hashes(one)

    def test_distinct_errors_group_regardless_of_their_order(self) -> None:
        forward = exception_group(group_member("TimeoutError", 1), group_member("ValueError", 2))
        backward = exception_group(group_member("ValueError", 1), group_member("TimeoutError", 2))
        assert hashes(forward) == hashes(backward)

    def test_a_different_set_of_errors_splits(self) -> None:
        first = exception_group(group_member("TimeoutError", 1), group_member("ValueError", 2))
        second = exception_group(group_member("TimeoutError", 1), group_member("KeyError", 2))
        assert not same_group(first, second)

    def test_cyclic_ids_do_not_hang(self) -> None:
        event = exception_group(
            group_member("TimeoutError", 1, parent_id=2), group_member("ValueError", 2, parent_id=1)
        )
        assert compute_hashes(event).hashes


class TestThreads:
    def thread(self, function: str, **flags: object) -> dict[str, object]:
        return {"id": function, "stacktrace": {"frames": [py_frame(function, f"{function}()")]}, **flags}

    def threads_event(self, *threads: dict[str, object]) -> dict[str, object]:
        return {"platform": "python", "logentry": {"message": "hang detected"}, "threads": {"values": list(threads)}}

    @pytest.mark.parametrize(
        ("threads", "deciding"),
        [
            (({"crashed": True}, {"current": True}), "a"),
            (({"current": False}, {"current": True}), "b"),
            (({},), "a"),
        ],
    )
    def test_the_crashed_then_current_then_only_thread_decides(
        self, threads: tuple[dict[str, object], ...], deciding: str
    ) -> None:
        event = self.threads_event(*(self.thread(name, **flags) for name, flags in zip("ab", threads, strict=False)))
        alone = self.threads_event(self.thread(deciding))
        assert hashes(event) == hashes(alone)

    def test_several_undistinguished_threads_fall_back_to_the_message(self) -> None:
        event = self.threads_event(self.thread("a"), self.thread("b"))
        assert compute_hashes(event).variant == "default"


def test_top_level_stacktrace_groups_messages_with_attached_stacks() -> None:
    with_stack = message_event("Slow query %s", stacktrace={"frames": [py_frame("query", "cursor.execute(sql)")]})
    other_message = message_event("Other %s", stacktrace={"frames": [py_frame("query", "cursor.execute(sql)")]})
    assert compute_hashes(with_stack).variant == "app"
    assert same_group(with_stack, other_message)


class TestMessages:
    def test_templates_with_different_params_group_together(self) -> None:
        assert same_group(
            message_event("User %s logged in", "User ann logged in"),
            message_event("User %s logged in", "User bob logged in"),
        )

    def test_different_templates_split(self) -> None:
        assert not same_group(message_event("User %s logged in"), message_event("User %s logged out"))

    def test_formatted_messages_without_template_are_parameterized(self) -> None:
        first = {"platform": "python", "logentry": {"formatted": "Payment 1234 failed at 2024-01-01T10:00:00Z"}}
        second = {"platform": "python", "logentry": {"formatted": "Payment 98 failed at 2024-02-03T11:00:00Z"}}
        assert same_group(first, second)
        assert compute_hashes(first).hashes == [hash_values(["Payment <int> failed at <date>"])]

    def test_exceptions_take_precedence_over_messages(self) -> None:
        event = error_event(exception("KeyError", "'x'"), logentry={"message": "while loading"})
        assert compute_hashes(event).hashes == [hash_values(["KeyError", "'x'"])]


def csp_report(blocked_uri: str, directive: str = "script-src", policy: str = "script-src 'self'") -> dict[str, object]:
    csp = {
        "document_uri": "https://shop.example.com/cart",
        "effective_directive": directive,
        "violated_directive": policy,
        "blocked_uri": blocked_uri,
    }
    return {"type": "csp", "platform": "javascript", "csp": csp}


class TestCsp:
    def test_reports_group_by_directive_and_blocked_host(self) -> None:
        assert same_group(csp_report("https://evil.example/a.js"), csp_report("https://evil.example/b.js?x=1"))
        assert not same_group(csp_report("https://evil.example/a.js"), csp_report("https://other.example/a.js"))
        assert not same_group(
            csp_report("https://evil.example/a.js"),
            csp_report("https://evil.example/a.js", "img-src", "img-src 'self'"),
        )

    def test_inline_and_eval_script_violations_split(self) -> None:
        assert not same_group(csp_report("inline"), csp_report("eval"))
        assert compute_hashes(csp_report("inline")).hashes == [hash_values(["script-src", "'unsafe-inline'"])]


class TestFallbackAndChecksum:
    @pytest.mark.parametrize(
        "event",
        [
            {},
            {"platform": "python"},
            error_event(exception(None, None)),
            {"threads": {"values": []}},
            {"logentry": {"message": " "}},
        ],
    )
    def test_events_without_anything_to_group_on_get_the_fallback_hash(self, event: dict[str, object]) -> None:
        result = compute_hashes(event)
        assert (result.variant, result.hashes) == ("fallback", ["d41d8cd98f00b204e9800998ecf8427e"])

    def test_a_legacy_checksum_is_used_verbatim_or_hashed(self) -> None:
        assert compute_hashes({"checksum": "A" * 32}).hashes == ["a" * 32]
        assert compute_hashes({"checksum": "release-1"}).hashes == [hash_values(["release-1"])]
        assert compute_hashes({"checksum": "x"}).variant == "checksum"


class TestDeterminism:
    def test_hashes_depend_only_on_event_content(self) -> None:
        event = error_event(CAUSE, RAISED, logentry={"message": "x"}, fingerprint=["{{ default }}", "{{ type }}"])
        clone = json.loads(json.dumps(event))
        before = copy.deepcopy(event)
        assert compute_hashes(event) == compute_hashes(clone)
        assert event == before  # grouping never mutates the event

    def test_known_hashes_are_stable_across_releases(self) -> None:
        # Pinned: if this changes, v1 was edited and stored groups would split. Write v2 instead.
        assert compute_hashes(error_event(CAUSE, RAISED)).hashes == [
            hash_values(
                [
                    "KeyError",
                    "app.db",
                    "load",
                    "return row['id']",
                    "LookupError",
                    "app.views",
                    "get_user",
                    "raise LookupError(...)",
                ]
            )
        ]
        assert compute_hashes(message_event("Hello %s")).hashes == [hash_values(["Hello %s"])]


def test_unknown_configs_are_rejected() -> None:
    assert DEFAULT_CONFIG in STRATEGIES
    with pytest.raises(ValueError, match="newstyle"):
        compute_hashes({}, "newstyle:2023-01-11")
