from __future__ import annotations

from typing import Any

import orjson
import pytest

from heron.protocol.csp import csp_report_to_event
from heron.protocol.errors import MalformedRequest

# A report Chrome sent to sentry.io (from Relay's test suite), legacy `report-uri` form.
LEGACY_REPORT = {
    "csp-report": {
        "document-uri": "https://sentry.io/sentry/csp/issues/88513416/",
        "referrer": "https://sentry.io/sentry/sentry/releases/",
        "violated-directive": "script-src",
        "effective-directive": "script-src",
        "original-policy": "default-src *; script-src 'unsafe-eval' 'unsafe-inline'; report-uri /csp/",
        "disposition": "enforce",
        "blocked-uri": "http://baddomain.com/test.js?_=1515535030116",
        "line-number": 24,
        "column-number": 66270,
        "source-file": "https://sentry.io/_static/vendor.js",
        "status-code": 0,
        "script-sample": "",
    }
}


def event_for(report: Any) -> dict[str, Any]:
    return csp_report_to_event(orjson.dumps(report))


def legacy(**fields: Any) -> dict[str, Any]:
    return {"csp-report": {"document-uri": "http://example.com/foo", **fields}}


def test_legacy_report_becomes_a_csp_event() -> None:
    event = event_for(LEGACY_REPORT)
    assert event == {
        "type": "csp",
        "logger": "csp",
        "level": "error",
        "logentry": {"message": "Blocked 'script' from 'baddomain.com'"},
        "culprit": "script-src",
        "csp": {
            "document_uri": "https://sentry.io/sentry/csp/issues/88513416/",
            "referrer": "https://sentry.io/sentry/sentry/releases/",
            "violated_directive": "script-src",
            "effective_directive": "script-src",
            "original_policy": "default-src *; script-src 'unsafe-eval' 'unsafe-inline'; report-uri /csp/",
            "blocked_uri": "http://baddomain.com/test.js?_=1515535030116",
            "source_file": "https://sentry.io/_static/vendor.js",
            "script_sample": "",
            "disposition": "enforce",
            "line_number": 24,
            "column_number": 66270,
            "status_code": 0,
        },
        "request": {
            "url": "https://sentry.io/sentry/csp/issues/88513416/",
            "headers": [["Referer", "https://sentry.io/sentry/sentry/releases/"]],
        },
        "tags": [
            ["effective-directive", "script-src"],
            ["blocked-uri", "http://baddomain.com/test.js?_=1515535030116"],
            ["blocked-host", "baddomain.com"],
        ],
    }


def test_reporting_api_batch_uses_its_first_csp_violation() -> None:
    batch = [
        {"type": "deprecation", "body": {"id": "x"}},
        {
            "type": "csp-violation",
            "age": 0,
            "url": "https://example.com/page",
            "body": {
                "documentURL": "https://example.com/page",
                "blockedURL": "https://evil.example.com/x.js",
                "effectiveDirective": "script-src-elem",
                "originalPolicy": "script-src 'self'",
                "sample": "",
                "disposition": "enforce",
                "statusCode": 200,
                "lineNumber": 3,
            },
        },
        {"type": "csp-violation", "body": {"effectiveDirective": "img-src", "blockedURL": "https://b.test/"}},
    ]
    event = event_for(batch)
    assert event["logentry"] == {"message": "Blocked 'script' from 'evil.example.com'"}
    assert event["csp"]["effective_directive"] == "script-src-elem"
    assert (event["csp"]["status_code"], event["csp"]["line_number"]) == (200, 3)
    assert event["request"] == {"url": "https://example.com/page"}


def test_single_reporting_api_report_is_accepted() -> None:
    report = {"type": "csp-violation", "body": {"effectiveDirective": "img-src", "blockedURL": "https://b.test/"}}
    assert event_for(report)["logentry"]["message"] == "Blocked 'image' from 'b.test'"


@pytest.mark.parametrize(
    ("directive", "blocked_uri", "title"),
    [
        ("img-src", "http://google.com/foo", "Blocked 'image' from 'google.com'"),
        ("style-src", "", "Blocked inline 'style'"),
        ("script-src", "inline", "Blocked unsafe inline 'script'"),
        ("script-src", "eval", "Blocked unsafe eval() 'script'"),
        ("script-src", None, "Blocked unsafe (eval() or inline) 'script'"),
        ("script-src", "data:text/plain;base64,SGVsbG8=", "Blocked 'script' from 'data:'"),
        ("script-src", "data", "Blocked 'script' from 'data:'"),
        ("style-src-elem", "http://fonts.google.com/x", "Blocked 'style' from 'fonts.google.com'"),
        ("style-src", "http://notlocalhost:8000/lol.css", "Blocked 'style' from 'notlocalhost:8000'"),
        ("style-src", "https://cdn.test:443/a.css", "Blocked 'style' from 'cdn.test'"),
        ("form-action", "https://phish.test/post", "Blocked 'form' action to 'phish.test'"),
        ("frame-src", "wss://chat.test/", "Blocked 'frame-src' from 'wss://chat.test'"),
        ("worker-src", "self", "Blocked inline 'worker-src'"),
    ],
)
def test_titles_name_what_was_blocked_as_sentry_does(directive: str, blocked_uri: str | None, title: str) -> None:
    fields = {"effective-directive": directive}
    if blocked_uri is not None:
        fields["blocked-uri"] = blocked_uri
    assert event_for(legacy(**fields))["logentry"]["message"] == title


def test_firefox_reports_without_effective_directive_are_titled_by_the_violated_one() -> None:
    report = legacy(**{"violated-directive": "default-src self", "blocked-uri": "http://evil.test"})
    assert event_for(report)["logentry"]["message"] == "Blocked 'default-src' from 'evil.test'"


@pytest.mark.parametrize(
    ("document_uri", "violated", "culprit"),
    [
        ("http://example.com/foo", "style-src http://cdn.example.com", "style-src http://cdn.example.com"),
        ("http://example.com/foo", "style-src http://example.com", "style-src 'self'"),
        ("http://example.com/foo", "style-src http://example2.com example.com", "style-src http://example2.com 'self'"),
        ("http://example.com/foo", "script-src 'unsafe-inline'  'none'", "script-src 'unsafe-inline' 'none'"),
        ("chrome-extension://abc/page", "img-src cdn.test", "img-src chrome-extension://cdn.test"),
        ("http://example.com/foo", "", ""),
    ],
)
def test_culprit_is_the_violated_directive_with_the_page_as_self(
    document_uri: str, violated: str, culprit: str
) -> None:
    report = legacy(**{"document-uri": document_uri, "violated-directive": violated, "effective-directive": "img-src"})
    assert event_for(report)["culprit"] == culprit


def test_blocked_uri_defaults_to_self_when_the_browser_omits_it() -> None:
    event = event_for(legacy(**{"effective-directive": "script-src"}))
    assert event["csp"]["blocked_uri"] == "self"
    assert event["tags"] == [["effective-directive", "script-src"], ["blocked-uri", "self"]]


def test_stripe_query_strings_are_cut_from_the_blocked_uri_tag() -> None:
    event = event_for(
        legacy(
            **{"effective-directive": "script-src", "blocked-uri": "https://api.stripe.com/v1/tokens?card[number]=4242"}
        )
    )
    assert ["blocked-uri", "https://api.stripe.com/v1/tokens"] in event["tags"]


def test_numbers_sent_as_strings_are_read() -> None:
    event = event_for(legacy(**{"effective-directive": "img-src", "status-code": "200", "line-number": "7"}))
    assert (event["csp"]["status_code"], event["csp"]["line_number"]) == (200, 7)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"", "invalid CSP report"),
        (b"not json", "invalid CSP report"),
        (b"{}", "not a CSP report"),
        (b"[]", "not a CSP report"),
        (b'[{"type":"deprecation","body":{}}]', "not a CSP report"),
        (b'{"csp-report":"text"}', "not a CSP report"),
        (b'{"type":"csp-violation","body":[]}', "not a CSP report"),
        (b'{"csp-report":{"effective-directive":"made-up-src"}}', "no known effective or violated directive"),
        (b'{"csp-report":{}}', "no known effective or violated directive"),
        (b'{"csp-report":{"effective-directive":"img-src","blocked-uri":5}}', "'blocked-uri' must be a string"),
        (b'{"csp-report":{"effective-directive":"img-src","line-number":-1}}', "'line-number' must be"),
        (b'{"csp-report":{"effective-directive":"img-src","status-code":"ok"}}', "'status-code' must be"),
        (b'{"csp-report":{"effective-directive":"img-src","status-code":true}}', "'status-code' must be"),
    ],
)
def test_anything_but_a_csp_report_is_malformed(body: bytes, detail: str) -> None:
    with pytest.raises(MalformedRequest) as caught:
        csp_report_to_event(body)
    assert detail in caught.value.detail
