"""How a canonical event is arranged for reading."""

from __future__ import annotations

from heron.web.event_view import event_view


def frame(function: str, *, in_app: bool, lineno: int = 10) -> dict[str, object]:
    return {"filename": f"{function}.py", "function": function, "lineno": lineno, "in_app": in_app}


def test_the_raised_exception_comes_first_with_its_most_recent_frame_first() -> None:
    body = {"exception": {"values": [
        {"type": "ValueError", "value": "cause", "stacktrace": {"frames": [frame("a", in_app=True)]}},
        {"type": "RuntimeError", "value": "raised", "stacktrace": {"frames": [
            frame("outer", in_app=True), frame("inner", in_app=True), frame("library", in_app=False)]}},
    ]}}  # fmt: skip
    view = event_view(body)
    assert [e.type for e in view.exceptions] == ["RuntimeError", "ValueError"]
    assert [f.function for f in view.exceptions[0].frames] == ["library", "inner", "outer"]


def test_only_the_most_recent_in_app_frame_of_the_raised_exception_is_open() -> None:
    body = {"exception": {"values": [{"type": "E", "stacktrace": {"frames": [
        frame("outer", in_app=True), frame("inner", in_app=True), frame("library", in_app=False)]}}]}}  # fmt: skip
    frames = event_view(body).exceptions[0].frames
    assert [(f.function, f.expanded) for f in frames] == [("library", False), ("inner", True), ("outer", False)]


def test_context_lines_are_numbered_around_the_frame_line() -> None:
    body = {"exception": {"values": [{"type": "E", "stacktrace": {"frames": [
        {**frame("f", in_app=True, lineno=20), "pre_context": ["a", "b"], "context_line": "c", "post_context": ["d"]}
    ]}}]}}  # fmt: skip
    lines = event_view(body).exceptions[0].frames[0].context
    assert [(line.number, line.text, line.current) for line in lines] == [
        (18, "a", False), (19, "b", False), (20, "c", True), (21, "d", False)]  # fmt: skip


def test_a_message_event_with_a_thread_stack_shows_the_crashed_thread() -> None:
    body = {"logentry": {"formatted": "hello"}, "threads": {"values": [
        {"id": 1, "stacktrace": {"frames": [frame("idle", in_app=False)]}},
        {"id": 2, "crashed": True, "stacktrace": {"frames": [frame("boom", in_app=True)]}}]}}  # fmt: skip
    view = event_view(body)
    assert view.message == "hello"
    assert [f.function for f in view.exceptions[0].frames] == ["boom"]


def test_values_that_are_not_strings_are_shown_as_json() -> None:
    view = event_view({"extra": {"cart": {"items": 3}, "note": "plain"}, "user": {"id": 7}})
    assert dict(view.extra) == {"cart": '{\n  "items": 3\n}', "note": "plain"}
    assert dict(view.user) == {"id": "7"}


def test_http_breadcrumbs_without_a_message_read_as_method_url_and_status() -> None:
    crumbs = [
        {
            "type": "http",
            "category": "httplib",
            "data": {"method": "POST", "url": "https://pay.example/charge", "status_code": 402},
        },
        {"category": "query", "message": "SELECT 1", "data": {"method": "GET"}},
        {"type": "http", "data": {"url": "https://x.example/"}},
    ]
    view = event_view({"breadcrumbs": {"values": crumbs}})
    assert [crumb.message for crumb in view.breadcrumbs] == [
        "POST https://pay.example/charge [402]",
        "SELECT 1",
        "https://x.example/",
    ]
