"""Plans, subscribing and paying: the pricing page, `POST /subscribe`, `POST /checkout` and monthly renewals."""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, g, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.auth import login_required, signed_in_user
from app.models import Subscription, db
from app.monitoring import add_breadcrumb, capture_exception, set_fingerprint, set_tag
from app.payments import PaymentDeclined, process_payment

blueprint = Blueprint("billing", __name__)

PLANS = {"grower": 9.0, "market": 29.0, "cooperative": 99.0}  # USD a month


@blueprint.get("/pricing")
def pricing() -> ResponseReturnValue:
    current: str = g.user.account.subscription.plan if g.user is not None else ""
    add_breadcrumb(message="Viewed pricing page", category="ui", data={"plan": current, "price": PLANS.get(current)})
    return {"plans": [{"plan": plan, "price": price, "current": plan == current} for plan, price in PLANS.items()]}


@blueprint.post("/subscribe")
@login_required
def subscribe() -> ResponseReturnValue:
    plan = request.form.get("plan", "")
    if plan not in PLANS:
        return {"error": f"no plan named {plan!r}"}, 400
    add_breadcrumb(message="User clicked 'Subscribe' button", category="ui", data={"plan": plan, "price": PLANS[plan]})
    subscription = signed_in_user().account.subscription
    subscription.plan = plan
    return charge(subscription)


@blueprint.post("/checkout")
@login_required
def checkout() -> ResponseReturnValue:
    return charge(signed_in_user().account.subscription)


def charge(subscription: Subscription) -> ResponseReturnValue:
    """Charge the subscription's plan; a declined card is reported as one issue per subscription."""
    price = PLANS[subscription.plan]
    try:
        charge_id = process_payment(subscription, price)
    except PaymentDeclined as error:
        set_fingerprint(["payment-failed", subscription.id])
        set_tag("payment_status", "failed")
        capture_exception(
            error, extra_context={"subscription_id": subscription.id, "plan": subscription.plan, "amount": price}
        )
        subscription.status = "past_due"
        db.session.commit()
        return {"status": "payment_failed", "subscription": subscription.id}, 402
    set_tag("payment_status", "paid")
    subscription.status = "active"
    db.session.commit()
    return {"status": "paid", "subscription": subscription.id, "charge": charge_id}


def renew_subscriptions() -> Counter[str]:
    """Charge every subscription for the next month, as the nightly job does; how many end in each status.

    A declined renewal only marks the subscription past due: the customer is asked at their next checkout.
    """
    statuses: Counter[str] = Counter()
    for subscription in db.session.scalars(select(Subscription).order_by(Subscription.id)):
        try:
            process_payment(subscription, PLANS[subscription.plan])
            subscription.status = "active"
        except PaymentDeclined:
            subscription.status = "past_due"
        statuses[subscription.status] += 1
    db.session.commit()
    return statuses
