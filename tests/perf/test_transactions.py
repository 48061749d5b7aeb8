"""Reading transactions: what the real sentry-sdk sends becomes a transaction row and its spans."""

from __future__ import annotations

import time
from typing import Any

import pytest
import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from heron.perf.transactions import TransactionError, apdex, read_transaction


class Recording(Transport):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.sent.append(envelope)


def sdk_transaction() -> dict[str, Any]:
    """A transaction as sentry-sdk builds it: a task with a db span and an http span, an HTTP 502."""
    transport = Recording()
    client = sentry_sdk.Client(dsn="http://public@127.0.0.1:9/1", transport=transport, traces_sample_rate=1.0,
                               environment="staging", release="shop@2.0")  # fmt: skip
    with sentry_sdk.new_scope() as scope:
        scope.set_client(client)
        scope.set_user({"id": "42", "email": "ann@example.com"})
        with sentry_sdk.start_transaction(name="checkout.process_payment", op="task") as transaction:
            with sentry_sdk.start_span(op="db", name="SELECT * FROM carts WHERE id = %s"):
                time.sleep(0.002)
            with sentry_sdk.start_span(op="http.client", name="POST https://pay.example/charge") as span:
                span.set_data("http.response.status_code", 402)
                span.set_status("failed_precondition")
            transaction.set_http_status(502)
    client.flush()
    [envelope] = transport.sent
    payload = envelope.get_transaction_event()
    assert payload is not None
    return dict(payload)


def test_a_real_sdk_transaction_is_read_with_its_spans() -> None:
    record = read_transaction(sdk_transaction())
    assert (record.name, record.op, record.source, record.environment, record.release) == (
        "checkout.process_payment", "task", "custom", "staging", "shop@2.0")  # fmt: skip
    assert record.http_status == 502 and record.status == "internal_error" and record.failed
    assert record.user == "id:42"
    assert record.trace_id is not None and len(record.trace_id) == 32 and record.span_id is not None
    assert [(span.op, span.description) for span in record.spans] == [
        ("db", "SELECT * FROM carts WHERE id = %s"),
        ("http.client", "POST https://pay.example/charge"),
    ]
    assert record.spans[0].duration_ms >= 2.0 and record.spans[0].parent_span_id == record.span_id
    assert record.spans[1].data["http.response.status_code"] == 402
    assert record.duration_ms >= record.spans[0].duration_ms


def test_explicit_timestamps_give_exact_durations_and_web_vitals_are_kept() -> None:
    record = read_transaction(
        {
            "transaction": "/pricing",
            "start_timestamp": 1_700_000_000.0,
            "timestamp": "2023-11-14T22:13:20.250Z",
            "contexts": {"trace": {"op": "pageload", "status": "ok"}},
            "measurements": {"lcp": {"value": 1234.5, "unit": "millisecond"}, "cls": {"value": 0.02}},
        }
    )
    assert record.duration_ms == pytest.approx(250.0)
    assert record.measurements == {"lcp": 1234.5, "cls": 0.02}
    assert not record.failed and record.environment == "production"


@pytest.mark.parametrize(
    "payload",
    [
        {"start_timestamp": 1.0, "timestamp": 2.0},
        {"transaction": "x", "timestamp": 2.0},
        {"transaction": "x", "start_timestamp": 3.0, "timestamp": 2.0},
    ],
)
def test_a_transaction_without_name_or_timing_is_refused(payload: dict[str, Any]) -> None:
    with pytest.raises(TransactionError):
        read_transaction(payload)


def test_apdex() -> None:
    assert apdex(60, 30, 100) == pytest.approx(0.75)
    assert apdex(0, 0, 0) is None
