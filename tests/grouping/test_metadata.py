"""Issue titles, culprits and metadata as Sentry shows them."""

from __future__ import annotations

from typing import Any

import pytest

from heron.grouping.metadata import IssueMetadata, issue_metadata

from .events import error_event, exception, js_frame, message_event, py_frame


@pytest.mark.parametrize(
    ("exc", "title"),
    [
        (exception("ZeroDivisionError", "division by zero"), "ZeroDivisionError: division by zero"),
        (exception("ValueError", "bad input\nTraceback follows"), "ValueError: bad input"),
        (exception("ValueError", "x" * 150), "ValueError: " + "x" * 97 + "..."),
        (exception("StopIteration", None), "StopIteration"),
        (exception("StopIteration", ""), "StopIteration"),
        (exception(None, "something broke"), "Error: something broke"),
        (exception(None, None), "<unlabeled event>"),
    ],
)
def test_error_titles(exc: dict[str, Any], title: str) -> None:
    assert issue_metadata(error_event(exc)).title == title


def test_error_metadata_describes_the_raised_exception_and_crash_frame() -> None:
    event = error_event(
        exception("KeyError", "'id'"),
        exception(
            "LookupError",
            "user missing",
            [py_frame("run", module="django.core", in_app=False), py_frame("get_user", module="app.users")],
        ),
    )
    assert issue_metadata(event) == IssueMetadata(
        type="error",
        title="LookupError: user missing",
        culprit="app.users in get_user",
        metadata={
            "type": "LookupError",
            "value": "user missing",
            "filename": "app/users.py",
            "function": "get_user",
            "in_app_frame_mix": "mixed",
        },
    )


def test_synthetic_exceptions_are_titled_by_their_function() -> None:
    crash = exception("SIGSEGV", "Segfault", [py_frame("render")], mechanism={"type": "signal", "synthetic": True})
    meta = issue_metadata(error_event(crash))
    assert (meta.title, meta.culprit) == ("render", "")
    assert "type" not in meta.metadata


@pytest.mark.parametrize(
    ("frames", "mix"),
    [
        ([py_frame(in_app=True)], "in-app-only"),
        ([py_frame(in_app=False)], "system-only"),
        ([py_frame(in_app=False), py_frame(in_app=True)], "mixed"),
        (None, None),
    ],
)
def test_in_app_frame_mix(frames: list[dict[str, Any]] | None, mix: str | None) -> None:
    assert issue_metadata(error_event(exception("E", "x", frames))).metadata.get("in_app_frame_mix") == mix


def test_an_exception_group_of_alike_errors_is_titled_by_the_error() -> None:
    member = exception("TimeoutError", "timed out", mechanism={"type": "chained", "exception_id": 1, "parent_id": 0})
    group = exception("ExceptionGroup", "1 sub-exception", mechanism={"is_exception_group": True, "exception_id": 0})
    assert issue_metadata(error_event(member, group)).title == "TimeoutError: timed out"


@pytest.mark.parametrize(
    ("event", "culprit"),
    [
        (error_event(exception("E", "x", [py_frame("get_user")]), transaction="/users/{id}"), "/users/{id}"),
        (error_event(exception("E", "x", [py_frame("get_user", module="app.users")])), "app.users in get_user"),
        (
            error_event(exception("E", "x", [py_frame("inner", module="lib", in_app=False)])),
            "lib in inner",
        ),
        (
            error_event(exception("TypeError", "x", [js_frame("onClick", module="main")]), platform="javascript"),
            "onClick(main)",
        ),
        (
            error_event(exception("E", "x"), request={"url": "https://shop.example.com/cart"}),
            "https://shop.example.com/cart",
        ),
        (error_event(exception("E", "x")), ""),
        (error_event(exception("E", "x"), culprit="legacy.module in fn"), "legacy.module in fn"),
    ],
)
def test_culprits(event: dict[str, Any], culprit: str) -> None:
    assert issue_metadata(event).culprit == culprit


def test_culprit_comes_from_the_newest_in_app_frame() -> None:
    frames = [
        py_frame("outer", module="app.a"),
        py_frame("inner", module="app.b"),
        py_frame("lib", module="requests", in_app=False),
    ]
    assert issue_metadata(error_event(exception("E", "x", frames))).culprit == "app.b in inner"


@pytest.mark.parametrize(
    ("event", "title"),
    [
        (message_event("User %s logged in", "User ann logged in"), "User ann logged in"),
        (message_event("first line\nsecond line"), "first line"),
        (message_event("  padded  "), "padded"),
        (message_event("m" * 120), "m" * 97 + "..."),
        ({"platform": "python"}, "<unlabeled event>"),
    ],
)
def test_message_titles(event: dict[str, Any], title: str) -> None:
    meta = issue_metadata(event)
    assert (meta.type, meta.title, meta.metadata) == ("default", title, {"title": title})


@pytest.mark.parametrize(
    ("csp", "message", "uri"),
    [
        (
            {
                "effective_directive": "script-src",
                "violated_directive": "script-src 'self'",
                "blocked_uri": "https://evil.example/x.js",
            },
            "Blocked 'script' from 'evil.example'",
            "evil.example",
        ),
        (
            {"effective_directive": "img-src", "blocked_uri": "data:image/png;base64,AAAA"},
            "Blocked 'image' from 'data:'",
            "data:",
        ),
        ({"effective_directive": "style-src", "blocked_uri": "inline"}, "Blocked inline 'style'", "'self'"),
        ({"effective_directive": "script-src", "blocked_uri": "eval"}, "Blocked unsafe eval() 'script'", "'self'"),
        (
            {"violated_directive": "font-src 'self'", "blocked_uri": "https://fonts.example:8443/a.woff"},
            "Blocked 'font' from 'fonts.example:8443'",
            "fonts.example:8443",
        ),
        (
            {"effective_directive": "connect-src", "blocked_uri": "chrome-extension://abc/x.js"},
            "Blocked 'connect' from 'chrome-extension://abc'",
            "chrome-extension://abc",
        ),
    ],
)
def test_csp_titles(csp: dict[str, str], message: str, uri: str) -> None:
    meta = issue_metadata({"type": "csp", "csp": {"document_uri": "https://shop.example.com/", **csp}})
    assert (meta.type, meta.title) == ("csp", message)
    assert meta.metadata["uri"] == uri
    assert meta.metadata["message"] == message


def test_csp_culprit_is_the_violated_policy() -> None:
    csp = {
        "effective_directive": "img-src",
        "violated_directive": "img-src  'self'",
        "blocked_uri": "https://x.example/a.png",
    }
    assert issue_metadata({"type": "csp", "csp": csp}).culprit == "img-src 'self'"


def test_csp_title_prefers_the_message_ingest_derived() -> None:
    event = {
        "type": "csp",
        "logentry": {"message": "Blocked 'style' or 'link' element", "formatted": "Blocked 'style' or 'link' element"},
        "csp": {"effective_directive": "style-src-elem", "blocked_uri": "self"},
    }
    assert issue_metadata(event).title == "Blocked 'style' or 'link' element"
