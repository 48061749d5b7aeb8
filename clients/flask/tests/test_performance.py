"""Transactions, spans and `monitor_performance`, as the real SDK would send them."""

from __future__ import annotations

import asyncio
import inspect
import warnings
from collections.abc import Callable
from typing import Any

from flask import Flask
from heron_monitoring import monitor_performance, start_span, start_transaction

from conftest import RecordingTransport


def spans(transaction: dict[str, Any]) -> list[tuple[str, str]]:
    return [(span["op"], span["description"]) for span in transaction["spans"]]


@monitor_performance("email.send_invitation")
def send_team_invite(email: str, role: str = "member") -> str:
    """Invite someone to the team."""
    return f"{email} as {role}"


@monitor_performance()
async def send_digest(count: int, *, weekly: bool = False) -> int:
    """Send the digest e-mail."""
    await asyncio.sleep(0)
    return count + 1


def test_a_transaction_outside_a_request_is_sent_with_its_spans(recording: Callable[..., RecordingTransport]) -> None:
    sent = recording()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no deprecated SDK API (`description=`…) on the way
        with start_transaction(name="checkout.process_payment", op="task"):
            with start_span("stripe.api", "Create Stripe customer"):
                pass
            send_team_invite("ada@example.com")
    [transaction] = sent.transactions()
    assert transaction["transaction"] == "checkout.process_payment"
    assert transaction["contexts"]["trace"]["op"] == "task"
    assert spans(transaction) == [("stripe.api", "Create Stripe customer"), ("function", "email.send_invitation")]


def test_inside_a_request_transaction_and_decorator_become_spans_of_the_request(
    recording: Callable[..., RecordingTransport], app: Flask
) -> None:
    sent = recording()

    @app.route("/checkout")
    def checkout() -> str:
        with start_transaction(name="checkout.process_payment", op="task"), start_span("stripe.api", "Charge"):
            pass
        return send_team_invite("ada@example.com")

    assert app.test_client().get("/checkout").status_code == 200
    [transaction] = sent.transactions()
    assert transaction["transaction"] == "/checkout"
    assert spans(transaction) == [
        ("task", "checkout.process_payment"),
        ("stripe.api", "Charge"),
        ("function", "email.send_invitation"),
    ]
    by_op = {span["op"]: span for span in transaction["spans"]}
    assert by_op["stripe.api"]["parent_span_id"] == by_op["task"]["span_id"]
    assert by_op["task"]["parent_span_id"] == transaction["contexts"]["trace"]["span_id"]


def test_a_decorated_function_alone_is_a_transaction_named_after_it(
    recording: Callable[..., RecordingTransport],
) -> None:
    sent = recording()
    assert send_team_invite("ada@example.com", role="owner") == "ada@example.com as owner"
    assert asyncio.run(send_digest(41)) == 42
    assert [(t["transaction"], t["contexts"]["trace"]["op"]) for t in sent.transactions()] == [
        ("email.send_invitation", "function"),
        (f"{__name__}.send_digest", "function"),
    ]


def test_decorated_functions_keep_their_signature_and_metadata() -> None:
    assert send_team_invite.__name__ == "send_team_invite"
    assert send_team_invite.__doc__ == "Invite someone to the team."
    assert str(inspect.signature(send_team_invite)) == "(email: 'str', role: 'str' = 'member') -> 'str'"
    assert send_digest.__name__ == "send_digest"
    assert str(inspect.signature(send_digest)) == "(count: 'int', *, weekly: 'bool' = False) -> 'int'"
    assert inspect.iscoroutinefunction(send_digest)
    assert not inspect.iscoroutinefunction(send_team_invite)
