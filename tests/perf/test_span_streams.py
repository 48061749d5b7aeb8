"""Streamed spans (span v2 containers, as @sentry/browser 11 sends them) read as transactions: a segment with its
spans, its web vitals, its name from the URL when the SDK sent a placeholder, and spans without their segment
counted."""

from __future__ import annotations

from typing import Any

from heron.perf.span_streams import read_span_container
from heron.perf.transactions import read_transaction

TRACE = "c65689e9f41a4b04aa46a52e5a878b2c"
SEGMENT = "8dbb3e2c92f2cf1e"


def typed(**values: Any) -> dict[str, Any]:
    return {
        key.replace("__", "."): {"value": value, "type": "integer" if isinstance(value, int) else "string"}
        for key, value in values.items()
    }


def span(span_id: str, name: str, start: float, end: float, **attributes: Any) -> dict[str, Any]:
    return {
        "name": name,
        "span_id": span_id,
        "trace_id": TRACE,
        "parent_span_id": SEGMENT,
        "start_timestamp": start,
        "end_timestamp": end,
        "is_segment": False,
        "status": "ok",
        "attributes": typed(sentry__segment__id=SEGMENT, **attributes),
    }


def pageload() -> dict[str, Any]:
    return {
        "name": "Pageload",
        "span_id": SEGMENT,
        "trace_id": TRACE,
        "start_timestamp": 1795949193.2303,
        "end_timestamp": 1795949193.6607,
        "is_segment": True,
        "status": "ok",
        "attributes": {
            **typed(
                sentry__op="pageload",
                sentry__segment__name__source="url",
                url__path="/checkout",
                sentry__release="shop-web@1.0",
                sentry__environment="production",
                user__email="ada@example.com",
                user_agent__original="Mozilla/5.0",
                browser__web_vital__fcp__value=416,
            ),
            "browser.web_vital.ttfb.value": {"value": 32.9, "type": "double"},
        },
    }


def test_a_segment_and_its_spans_make_one_transaction_with_web_vitals() -> None:
    container = {
        "version": 2,
        "items": [
            span("a39477c3161db7c3", "Largest contentful paint", 1795949193.2303, 1795949193.6463,
                 sentry__op="ui.webvital.lcp", browser__web_vital__lcp__value=416),
            span("b575f346d9fa2254", "GET shop.example", 1795949193.30, 1795949193.35, sentry__op="http.client",
                 url__full="https://shop.example/api/cart", http__request__method="GET",
                 http__response__status_code=200, user_agent__original="Mozilla/5.0"),
            span("c575f346d9fa2254", "Database operation", 1795949193.31, 1795949193.32, sentry__op="db",
                 db__query__text="SELECT * FROM carts WHERE id = ?"),
            span("d575f346d9fa2254", "127.0.0.1", 1795949193.24, 1795949193.25, sentry__op="resource.script",
                 url__full="https://shop.example/app.js"),
            pageload(),
            {**span("ffffffffffffffff", "Click", 1.0, 2.0, sentry__op="ui.action"),
             "attributes": typed(sentry__segment__id="0000000000000000")},  # another segment's span
        ],
    }  # fmt: skip
    streamed = read_span_container(container)
    assert streamed.unattached == 1
    [payload] = streamed.transactions
    record = read_transaction(payload)
    assert (record.name, record.op, record.release, record.environment) == (
        "/checkout",
        "pageload",
        "shop-web@1.0",
        "production",
    )
    assert (record.trace_id, record.span_id, record.status, record.user) == (
        TRACE,
        SEGMENT,
        "ok",
        "email:ada@example.com",
    )
    assert round(record.duration_ms, 1) == 430.4
    assert record.measurements == {"fcp": 416.0, "lcp": 416.0, "ttfb": 32.9}
    http = next(s for s in record.spans if s.op == "http.client")
    # named as a transaction's span would be; its own attributes, without the SDK's (sentry.*) or what the segment
    # says for every span (the user agent)
    assert http.description == "GET https://shop.example/api/cart"
    assert http.data == {
        "url.full": "https://shop.example/api/cart",
        "http.request.method": "GET",
        "http.response.status_code": 200,
    }
    described = {s.op: s.description for s in record.spans}
    assert described["db"] == "SELECT * FROM carts WHERE id = ?"
    assert described["resource.script"] == "https://shop.example/app.js"
    again = read_span_container(container).transactions[0]
    assert again["event_id"] == payload["event_id"] and len(payload["event_id"]) == 32  # redelivery dedupes


def test_names_other_than_url_placeholders_are_kept_and_errors_fail() -> None:
    segment = pageload()
    segment["attributes"] = typed(sentry__op="http.server", sentry__segment__name__source="route")
    segment.update(name="GET /users/:id", status="error")
    [payload] = read_span_container({"version": 2, "items": [segment, "not a span"]}).transactions
    record = read_transaction(payload)
    assert (record.name, record.failed, record.measurements) == ("GET /users/:id", True, {})


def test_containers_without_segments_make_nothing() -> None:
    streamed = read_span_container({"version": 2, "items": [span("a" * 16, "x", 1.0, 2.0)]})
    assert (streamed.transactions, streamed.unattached) == ([], 1)
    assert read_span_container({"items": None}).transactions == []


def test_web_vitals_streamed_after_their_pageload_are_kept_for_it() -> None:
    [payload] = read_span_container({"version": 2, "items": [pageload()]}).transactions
    later = span("9ce2f55fe2c9f549", "Layout shift", 1795949195.0, 1795949195.0, sentry__op="ui.webvital.cls")
    later["attributes"]["browser.web_vital.cls.value"] = {"value": 0.147, "type": "double"}
    streamed = read_span_container({"version": 2, "items": [later]})
    assert (streamed.transactions, streamed.unattached) == ([], 0)
    assert streamed.late_vitals == {payload["event_id"]: {"cls": 0.147}}
