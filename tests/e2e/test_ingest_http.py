"""Ingest as HTTP clients see it (PROTOCOL §1-4): CORS, auth, status codes and details, encodings, the legacy store
endpoint, CSP reports, unknown items, client reports and the response shape — against a running server."""

from __future__ import annotations

import base64
import gzip
import time
import uuid
import zlib
from collections.abc import Callable
from typing import Any

import brotli
import httpx
import orjson
import pytest
import zstandard

from tests.api.sending import envelope, error_event
from tests.e2e import stored
from tests.e2e.tenants import fresh_tenant
from tests.harness import HeronServer, Tenant

EXPOSED_HEADERS = {"x-sentry-error", "x-sentry-rate-limits", "retry-after"}
COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": zstandard.ZstdCompressor().compress,
}


@pytest.fixture(scope="module")
def tenant(heron: HeronServer) -> Tenant:
    return fresh_tenant(heron, "ingest")


def sentry_auth(public_key: str) -> dict[str, str]:
    return {"X-Sentry-Auth": f"Sentry sentry_key={public_key}, sentry_version=7, sentry_client=heron-e2e/1.0"}


def post(
    heron: HeronServer,
    project_id: int,
    body: bytes,
    headers: dict[str, str] | None = None,
    endpoint: str = "envelope",
    params: dict[str, str] | None = None,
) -> httpx.Response:
    return httpx.post(
        f"{heron.url}/api/{project_id}/{endpoint}/", content=body, headers=headers or {}, params=params, timeout=30
    )


def message_event(message: str) -> dict[str, Any]:
    return {"event_id": uuid.uuid4().hex, "timestamp": time.time(), "level": "info", "message": message}


def envelope_of(*items: tuple[dict[str, Any], bytes], header: dict[str, Any] | None = None) -> bytes:
    """An envelope as JS SDKs write it: no `length` on items, no trailing newline."""
    lines = [orjson.dumps(header or {})]
    for item_header, payload in items:
        lines += [orjson.dumps(item_header), payload]
    return b"\n".join(lines)


def event_envelope(event: dict[str, Any]) -> bytes:
    """One event in an envelope that carries no credentials of its own."""
    return envelope_of(({"type": "event"}, orjson.dumps(event)), header={"event_id": event["event_id"]})


def assert_error(response: httpx.Response, status: int, detail: str) -> None:
    """An ingest error: the status, `{"detail": …}` and the same detail in `X-Sentry-Error`."""
    assert response.status_code == status, response.text
    assert response.json() == {"detail": detail}
    assert response.headers["x-sentry-error"] == detail


def stored_message(heron: HeronServer, tenant: Tenant, event_id: str) -> str:
    heron.wait_for_digest()
    message: str = stored.event(heron, tenant, event_id)["message"]
    return message


def test_cors_preflight_allows_any_origin_with_the_sentry_headers(heron: HeronServer, tenant: Tenant) -> None:
    response = httpx.options(
        f"{heron.url}/api/{tenant.project_id}/envelope/",
        headers={
            "Origin": "https://shop.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-sentry-auth, content-type, content-encoding",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-methods"] == "POST"
    allowed = {name.strip() for name in response.headers["access-control-allow-headers"].split(",")}
    assert {"x-sentry-auth", "content-type", "content-encoding", "authorization"} <= allowed
    assert response.headers["access-control-max-age"] == "3600"


@pytest.mark.parametrize("authenticated", [True, False], ids=["accepted", "refused"])
def test_responses_expose_error_and_rate_limit_headers_to_browsers(
    heron: HeronServer, tenant: Tenant, authenticated: bool
) -> None:
    headers = sentry_auth(tenant.public_key) if authenticated else {}
    response = post(heron, tenant.project_id, event_envelope(message_event("cors")), headers)
    assert response.status_code == (200 if authenticated else 401)
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = {name.strip() for name in response.headers["access-control-expose-headers"].split(",")}
    assert exposed == EXPOSED_HEADERS
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert "server" not in response.headers  # the HTTP server does not name itself


def test_accepted_envelope_answers_with_its_event_id_as_32_hex(heron: HeronServer, tenant: Tenant) -> None:
    event = message_event("answered")
    dashed = str(uuid.UUID(event["event_id"]))
    body = envelope_of(({"type": "event"}, orjson.dumps(event)), header={"event_id": dashed})
    response = post(heron, tenant.project_id, body, sentry_auth(tenant.public_key))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"id": event["event_id"]}


@pytest.mark.parametrize(
    ("auth", "detail"),
    [
        ({}, "missing authorization information"),
        (sentry_auth(uuid.uuid4().hex), "unknown public key"),
        ({"X-Sentry-Auth": "Bearer abc"}, "invalid authorization header: expected the 'Sentry' scheme"),
    ],
    ids=["no-auth", "unknown-key", "wrong-scheme"],
)
def test_requests_without_a_known_key_are_401(
    heron: HeronServer, tenant: Tenant, auth: dict[str, str], detail: str
) -> None:
    response = post(heron, tenant.project_id, event_envelope(message_event("who am i")), auth)
    assert_error(response, 401, detail)


def test_two_different_keys_in_one_request_are_401(heron: HeronServer, tenant: Tenant) -> None:
    response = post(
        heron,
        tenant.project_id,
        event_envelope(message_event("two keys")),
        sentry_auth(tenant.public_key),
        params={"sentry_key": uuid.uuid4().hex},
    )
    assert_error(response, 401, "multiple authorization payloads detected")


def test_key_of_another_project_is_403(heron: HeronServer, tenant: Tenant) -> None:
    other = fresh_tenant(heron, "other")
    response = post(
        heron, other.project_id, event_envelope(message_event("wrong project")), sentry_auth(tenant.public_key)
    )
    assert_error(response, 403, "event submission rejected with_reason: ProjectId")


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"", "empty request body"),
        (b'{"event_id": "not-a-uuid"}\n', "invalid envelope header: event_id must be a UUID"),
        (b'{}\n{"length": 2}\n{}\n', "invalid item header (item 1): 'type' is required and must be a string"),
        (
            b'{}\n{"type": "event", "length": 99}\n{}\n',
            "unexpected end of envelope in item 1 (event): 'length' is 99 but only 3 bytes follow",
        ),
    ],
    ids=["empty", "bad-event-id", "item-without-type", "short-payload"],
)
def test_malformed_envelopes_are_400(heron: HeronServer, tenant: Tenant, body: bytes, detail: str) -> None:
    assert_error(post(heron, tenant.project_id, body, sentry_auth(tenant.public_key)), 400, detail)


def test_store_body_that_is_not_an_event_is_400(heron: HeronServer, tenant: Tenant) -> None:
    response = post(heron, tenant.project_id, b"[1, 2, 3]", sentry_auth(tenant.public_key), endpoint="store")
    assert_error(response, 400, "invalid store body: neither JSON nor base64")


def test_body_over_the_size_limit_is_413(heron: HeronServer, tenant: Tenant) -> None:
    limit = heron.settings().max_body_size
    response = post(heron, tenant.project_id, b" " * (limit + 1024), sentry_auth(tenant.public_key))
    assert_error(response, 413, f"request body exceeds {limit} bytes")


def test_body_decompressing_over_the_envelope_limit_is_413(heron: HeronServer, tenant: Tenant) -> None:
    limit = heron.settings().max_envelope_size
    bomb = zstandard.ZstdCompressor(level=1).compress(b"\n" * (limit + 1))
    headers = {**sentry_auth(tenant.public_key), "Content-Encoding": "zstd"}
    assert_error(post(heron, tenant.project_id, bomb, headers), 413, f"decompressed body exceeds {limit} bytes")


def test_event_item_over_the_event_limit_is_413(heron: HeronServer, tenant: Tenant) -> None:
    event = message_event("large")
    event["extra"] = {"blob": "x" * heron.settings().max_event_size}
    response = post(heron, tenant.project_id, event_envelope(event), sentry_auth(tenant.public_key))
    assert_error(
        response,
        413,
        "envelope exceeded size limits for type 'event' (https://develop.sentry.dev/sdk/envelopes/#size-limits)",
    )


def test_unknown_content_encoding_is_415(heron: HeronServer, tenant: Tenant) -> None:
    headers = {**sentry_auth(tenant.public_key), "Content-Encoding": "compress"}
    response = post(heron, tenant.project_id, event_envelope(message_event("lzw")), headers)
    assert_error(response, 415, "unsupported content encoding 'compress'")


@pytest.mark.parametrize("encoding", COMPRESSORS)
def test_compressed_envelopes_are_accepted_and_stored(heron: HeronServer, tenant: Tenant, encoding: str) -> None:
    event = message_event(f"sent with {encoding}")
    body = COMPRESSORS[encoding](event_envelope(event))
    headers = {**sentry_auth(tenant.public_key), "Content-Encoding": encoding}
    response = post(heron, tenant.project_id, body, headers)
    assert response.json() == {"id": event["event_id"]}
    assert stored_message(heron, tenant, event["event_id"]) == f"sent with {encoding}"


def test_query_string_auth_is_accepted_from_a_browser_style_request(heron: HeronServer, tenant: Tenant) -> None:
    event = message_event("from a browser")
    response = post(
        heron,
        tenant.project_id,
        event_envelope(event),
        {"Content-Type": "text/plain;charset=UTF-8", "Origin": "https://shop.example.com"},
        params={"sentry_key": tenant.public_key, "sentry_version": "7", "sentry_client": "sentry.javascript.browser"},
    )
    assert response.json() == {"id": event["event_id"]}
    assert stored_message(heron, tenant, event["event_id"]) == "from a browser"


def test_envelope_dsn_header_authenticates_a_tunnelled_envelope(heron: HeronServer, tenant: Tenant) -> None:
    event = message_event("through a tunnel")
    response = post(heron, tenant.project_id, envelope(event, tenant.dsn))
    assert response.json() == {"id": event["event_id"]}
    assert stored_message(heron, tenant, event["event_id"]) == "through a tunnel"


@pytest.mark.parametrize(
    "encode",
    [
        lambda event: event,
        lambda event: base64.b64encode(event),
        lambda event: base64.b64encode(zlib.compress(event)),
    ],
    ids=["json", "base64", "base64-zlib"],
)
def test_legacy_store_endpoint_accepts_old_sdk_bodies(
    heron: HeronServer, tenant: Tenant, encode: Callable[[bytes], bytes]
) -> None:
    event = error_event("LegacyError", "from raven")
    response = post(heron, tenant.project_id, encode(orjson.dumps(event)), sentry_auth(tenant.public_key), "store")
    assert response.json() == {"id": event["event_id"]}
    heron.wait_for_digest()
    assert stored.event(heron, tenant, event["event_id"])["title"] == "LegacyError: from raven"


def test_csp_report_with_key_in_query_becomes_a_csp_issue(heron: HeronServer, tenant: Tenant) -> None:
    report = {
        "csp-report": {
            "document-uri": "https://shop.example.com/checkout",
            "violated-directive": "script-src 'self'",
            "effective-directive": "script-src",
            "blocked-uri": "https://evil.example.com/steal.js",
            "original-policy": "script-src 'self'; report-uri /csp",
        }
    }
    response = post(
        heron,
        tenant.project_id,
        orjson.dumps(report),
        {"Content-Type": "application/csp-report", "User-Agent": "Mozilla/5.0 Firefox/128.0"},
        endpoint="security",
        params={"sentry_key": tenant.public_key},
    )
    assert response.status_code == 200, response.text
    event_id = response.json()["id"]
    heron.wait_for_digest()
    event = stored.event(heron, tenant, event_id)
    assert event["title"] == "Blocked 'script' from 'evil.example.com'"
    assert stored.entry(event, "csp")["blocked_uri"] == "https://evil.example.com/steal.js"
    assert stored.issue_of(heron, tenant, event_id)["type"] == "csp"


def test_unknown_item_types_are_skipped_and_the_event_beside_them_is_stored(heron: HeronServer, tenant: Tenant) -> None:
    event = message_event("next to the future")
    body = envelope_of(
        ({"type": "hologram"}, b'{"from": "the future"}'),
        ({"type": "event"}, orjson.dumps(event)),
        header={"event_id": event["event_id"]},
    )
    response = post(heron, tenant.project_id, body, sentry_auth(tenant.public_key))
    assert response.json() == {"id": event["event_id"]}
    assert stored_message(heron, tenant, event["event_id"]) == "next to the future"


def test_envelope_of_only_unknown_items_answers_200_without_an_id(heron: HeronServer, tenant: Tenant) -> None:
    body = envelope_of(({"type": "hologram"}, b"{}"))
    response = post(heron, tenant.project_id, body, sentry_auth(tenant.public_key))
    assert (response.status_code, response.json()) == (200, {})


def test_client_report_discards_are_counted_as_outcomes(heron: HeronServer) -> None:
    tenant = fresh_tenant(heron, "reports")
    report = {
        "timestamp": time.time(),
        "discarded_events": [
            {"reason": "queue_overflow", "category": "error", "quantity": 3},
            {"reason": "ratelimit_backoff", "category": "transaction", "quantity": 2},
        ],
    }
    body = envelope_of(({"type": "client_report"}, orjson.dumps(report)))
    response = post(heron, tenant.project_id, body, sentry_auth(tenant.public_key))
    assert (response.status_code, response.json()) == (200, {})
    heron.wait_for_digest()
    assert stored.outcomes(heron, tenant.project_id) == {
        ("error", "client_discard", "queue_overflow"): 3,
        ("transaction", "client_discard", "ratelimit_backoff"): 2,
    }


def auto_ip_event(heron: HeronServer, tenant: Tenant, forwarded_for: str) -> dict[str, Any]:
    """An event whose user IP is `{{auto}}`, sent from 127.0.0.1 with an `X-Forwarded-For` header, as stored."""
    event = {**message_event("who sent this?"), "user": {"id": "7", "ip_address": "{{auto}}"}}
    headers = {**sentry_auth(tenant.public_key), "X-Forwarded-For": forwarded_for}
    assert post(heron, tenant.project_id, event_envelope(event), headers).status_code == 200
    heron.wait_for_digest()
    return stored.event(heron, tenant, event["event_id"])


def test_the_client_ip_is_the_peer_unless_x_forwarded_for_is_trusted(
    heron: HeronServer, tenant: Tenant, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # HERON_TRUST_X_FORWARDED_FOR decides alone: the HTTP server does not rewrite the peer from the header either,
    # not even for a peer on 127.0.0.1 (uvicorn's own proxy-header handling trusts those by default).
    assert auto_ip_event(heron, tenant, "203.0.113.9")["user"]["ip_address"] == "127.0.0.1"
    trusting = HeronServer(tmp_path_factory.mktemp("heron-xff"), extra_env={"HERON_TRUST_X_FORWARDED_FOR": "true"})
    trusting.migrate()
    trusting.start()
    try:
        behind_proxy = fresh_tenant(trusting, "xff")
        assert auto_ip_event(trusting, behind_proxy, "203.0.113.9, 10.0.0.1")["user"]["ip_address"] == "203.0.113.9"
    finally:
        trusting.stop()
