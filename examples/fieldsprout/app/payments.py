"""The payment provider, a stand-in for Stripe with its latency, so that the demo needs no account anywhere.

Cards are the provider's test tokens: `tok_chargeDeclined` is always declined, any other token is charged.
"""

from __future__ import annotations

import random
import time
import uuid

from app.models import Subscription
from app.monitoring import start_span, start_transaction

DECLINED_CARD = "tok_chargeDeclined"


class PaymentDeclined(Exception):
    """The provider declined the charge."""


def process_payment(subscription: Subscription, amount: float) -> str:
    """Charge `amount` to the subscription's card; returns the charge id, or raises PaymentDeclined.

    Timed as `checkout.process_payment`: a span of the request's transaction in a request, a transaction of its
    own in a job.
    """
    with start_transaction(name="checkout.process_payment", op="task"):
        with start_span("stripe.api", "Create Stripe customer"):
            _provider_round_trip()
        with start_span("stripe.api", f"Charge {amount:.2f} USD"):
            _provider_round_trip()
            if subscription.card_token == DECLINED_CARD:
                raise PaymentDeclined(f"Card declined for subscription {subscription.id}")
    return f"ch_{uuid.uuid4().hex[:24]}"


def _provider_round_trip() -> None:
    time.sleep(random.uniform(0.02, 0.09))
