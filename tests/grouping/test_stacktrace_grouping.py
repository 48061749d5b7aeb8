"""How frames and stacktraces decide grouping (PROTOCOL 7.3, frame/stacktrace strategies)."""

from __future__ import annotations

import pytest

from heron.grouping import compute_hashes
from heron.grouping.result import hash_values

from .events import error_event, exception, hashes, js_frame, py_frame, same_group


def crash(*frames: dict[str, object], value: str = "division by zero") -> dict[str, object]:
    return error_event(exception("ZeroDivisionError", value, list(frames)))


CALLER = py_frame("main", "handler(0)", module="app.main")
CRASHING = py_frame("handler", "return 1 / n")
BASE = crash(CALLER, CRASHING)


@pytest.mark.parametrize(
    ("change", "other"),
    [
        ("same line, different values", crash(CALLER, CRASHING, value="division by zero in 'n'")),
        ("line numbers moved", crash({**CALLER, "lineno": 99}, {**CRASHING, "lineno": 7, "colno": 3})),
        (
            "context-line whitespace changed",
            crash({**CALLER, "context_line": "\thandler(0)  "}, {**CRASHING, "context_line": "  return  1 /   n"}),
        ),
        ("a recursive duplicate frame", crash(CALLER, CRASHING, CRASHING)),
        ("another absolute path (deployment dir)", crash(CALLER, {**CRASHING, "abs_path": "/opt/v2/app/views.py"})),
    ],
)
def test_changes_that_keep_the_group(change: str, other: dict[str, object]) -> None:
    assert same_group(BASE, other), change


@pytest.mark.parametrize(
    ("change", "other"),
    [
        ("different crashing function", crash(CALLER, {**CRASHING, "function": "other_handler"})),
        ("different code on the crashing line", crash(CALLER, {**CRASHING, "context_line": "return 2 / n"})),
        ("different module", crash(CALLER, {**CRASHING, "module": "app.api"})),
        ("different caller", crash({**CALLER, "function": "cli"}, CRASHING)),
        ("different exception type", error_event(exception("ValueError", "division by zero", [CALLER, CRASHING]))),
    ],
)
def test_changes_that_split_the_group(change: str, other: dict[str, object]) -> None:
    assert not same_group(BASE, other), change


def test_overlong_context_lines_do_not_contribute() -> None:
    long_a, long_b = "x = " + "a" * 130, "x = " + "b" * 130
    assert same_group(crash(py_frame("f", long_a)), crash(py_frame("f", long_b)))
    assert not same_group(crash(py_frame("f", long_a[:100])), crash(py_frame("f", long_b[:100])))


def test_recursion_only_ignores_identical_consecutive_frames() -> None:
    once = crash(py_frame("walk", "walk(node.child)", lineno=3), py_frame("walk", "raise Boom", lineno=5))
    deeper = crash(
        py_frame("walk", "walk(node.child)", lineno=3),
        py_frame("walk", "walk(node.child)", lineno=3),
        py_frame("walk", "raise Boom", lineno=5),
    )
    assert hashes(once) == hashes(deeper)


def test_filename_basename_is_used_when_there_is_no_module() -> None:
    def frame(path: str) -> dict[str, object]:
        return {"filename": path, "abs_path": path, "function": "f", "in_app": True}

    assert same_group(
        error_event(exception("E", "x", [frame("/home/ci/build/App.rb")]), platform="other"),
        error_event(exception("E", "x", [frame("C:\\agent\\work\\app.rb")]), platform="other"),
    )


class TestAppAndSystemVariants:
    def test_in_app_frames_give_an_app_hash_first_and_a_system_hash_last(self) -> None:
        event = crash(py_frame("run", "fn()", module="django.core", in_app=False), py_frame("handler", "return 1 / n"))
        result = compute_hashes(event)
        assert result.variant == "app"
        assert len(result.hashes) == 2

    def test_no_in_app_frames_gives_only_the_system_hash(self) -> None:
        event = crash(
            py_frame("run", "fn()", module="django.core", in_app=False),
            py_frame("get", "d[k]", module="dict", in_app=False),
        )
        result = compute_hashes(event)
        assert result.variant == "system"
        assert len(result.hashes) == 1

    def test_events_differing_only_in_system_frames_share_the_app_hash(self) -> None:
        first = crash(py_frame("run", "fn()", module="django.core", in_app=False), py_frame("handler", "return 1 / n"))
        second = crash(py_frame("serve", "fn()", module="gunicorn", in_app=False), py_frame("handler", "return 1 / n"))
        assert hashes(first)[0] == hashes(second)[0]
        assert hashes(first)[-1] != hashes(second)[-1]

    def test_all_frames_in_app_gives_one_hash(self) -> None:
        assert compute_hashes(BASE).hashes == [compute_hashes(BASE).hashes[0]]

    def test_value_counts_only_without_a_contributing_stacktrace(self) -> None:
        no_stack_a = error_event(exception("KeyError", "'user'"))
        no_stack_b = error_event(exception("KeyError", "'order'"))
        assert not same_group(no_stack_a, no_stack_b)
        assert compute_hashes(no_stack_a).hashes == [hash_values(["KeyError", "'user'"])]
        with_stack_a = error_event(exception("KeyError", "'user'", [py_frame()]))
        with_stack_b = error_event(exception("KeyError", "'order'", [py_frame()]))
        assert same_group(with_stack_a, with_stack_b)

    def test_values_are_parameterized_before_they_count(self) -> None:
        assert same_group(
            error_event(exception("LookupError", "no order 1234 for a@b.io")),
            error_event(exception("LookupError", "no order 98 for c@d.io")),
        )

    def test_synthetic_exception_types_are_ignored(self) -> None:
        def signal(name: str) -> dict[str, object]:
            mechanism = {"type": "signalhandler", "synthetic": True}
            return error_event(exception(name, None, [py_frame()], mechanism=mechanism))

        assert hashes(signal("SIGSEGV")) == hashes(signal("EXC_BAD_ACCESS"))


class TestJavaScriptFrames:
    def js_error(self, *frames: dict[str, object]) -> dict[str, object]:
        return error_event(exception("TypeError", "x is undefined", list(frames)), platform="javascript")

    def test_object_prefixes_on_function_names_are_ignored(self) -> None:
        assert same_group(self.js_error(js_frame("Object.onClick")), self.js_error(js_frame("onClick")))

    def test_url_hosts_and_columns_do_not_split(self) -> None:
        staging = js_frame("onClick", abs_path="https://staging.example.com/static/js/main.1a2b.js", colno=10)
        assert same_group(self.js_error(js_frame("onClick")), self.js_error(staging))

    @pytest.mark.parametrize("name", ["?", "<anonymous>", "Anonymous function", "Object.<anonymous>"])
    def test_unknown_function_names_are_ignored(self, name: str) -> None:
        assert hashes(self.js_error(js_frame("onClick"), js_frame(name))) == hashes(
            self.js_error(js_frame("onClick"), js_frame("?"))
        )

    @pytest.mark.parametrize(
        "frame",
        [js_frame("eval"), js_frame("forEach", abs_path="[native code]"), js_frame("run", abs_path="<anonymous>")],
    )
    def test_eval_and_native_frames_are_ignored(self, frame: dict[str, object]) -> None:
        assert hashes(self.js_error(js_frame("onClick"), frame)) == hashes(self.js_error(js_frame("onClick")))

    def test_source_context_counts_for_node(self) -> None:
        def node_frame(line: str) -> dict[str, object]:
            return js_frame("handle", abs_path="/srv/app/index.js", module="index", context_line=line)

        split = error_event(exception("Error", "x", [node_frame("throw new Error(a)")]), platform="node")
        other = error_event(exception("Error", "x", [node_frame("throw new Error(b)")]), platform="node")
        assert not same_group(split, other)

    def test_a_lone_anonymous_frame_from_a_url_does_not_count(self) -> None:
        lonely = js_frame("", abs_path="https://cdn.example.com/lib.js", module="lib")
        event = self.js_error(lonely)
        # no stacktrace contributes, so type and value decide
        assert compute_hashes(event).hashes == [hash_values(["TypeError", "x is undefined"])]
