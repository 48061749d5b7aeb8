"""FieldSprout in miniature: a Flask app for gardeners whose few routes fail the way the screenshots show.

docs/screenshots/take.py calls it through Flask's test client while the real sentry-sdk reports to a Heron. Each
failure is an ordinary bug or outcome of a small subscription app:

- the yield report divides by the number of harvests, which is zero for a new garden (ZeroDivisionError);
- checkout prices a plan the pricing page offers but the price list lacks (KeyError);
- a declined renewal is caught and reported with a fingerprint of its own, so every decline is one issue whatever
  the card, the subscription or the reason (PaymentFailed, caused by the provider's CardError);
- inviting someone to a community garden, which has no owner, reads the owner's email (AttributeError);
- a slow weather provider is reported as a warning message, and the page shows yesterday's forecast.

The signed-in gardener is the `gardener` cookie; each request tells Sentry who it is and which plan they pay for.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

import sentry_sdk
from flask import Flask, request

log = logging.getLogger("fieldsprout")

PRICE_CENTS = {"seedling": 0, "grower": 900, "market": 2900}  # "orchard" is on the pricing page, not here yet
FORECAST_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class Gardener:
    id: int
    email: str
    plan: str
    card: str = "tok_visa"


@dataclass
class Garden:
    id: int
    name: str
    region: str
    owner: Gardener | None
    harvests_kg: list[float] = field(default_factory=list)


GARDENERS = {
    gardener.id: gardener
    for gardener in (
        Gardener(101, "amara@allotment.example", "grower"),
        Gardener(102, "bo.lindqvist@example.se", "market", "tok_declined_insufficient_funds"),
        Gardener(103, "chen.wei@example.com", "grower"),
        Gardener(104, "dana@rooftopgreens.example", "market", "tok_declined_expired_card"),
        Gardener(105, "emeka.obi@example.ng", "seedling"),
        Gardener(106, "fatima.z@example.ma", "grower", "tok_declined_do_not_honor"),
        Gardener(107, "gus@hillside.example", "market"),
        Gardener(108, "hana.sato@example.jp", "grower"),
    )
}

GARDENS = {
    garden.id: garden
    for garden in (
        Garden(17, "Allotment 17", "eu-west", GARDENERS[101], [3.2, 4.1, 2.7, 5.0]),
        Garden(23, "Rooftop beds", "us-east", GARDENERS[104], [1.4, 2.2]),
        Garden(31, "New raised beds", "eu-north", GARDENERS[102]),
        Garden(42, "Riverside community garden", "af-west", None, [12.5, 9.8, 14.1]),
    )
}


class CardError(Exception):
    """The payment provider's refusal of a charge."""

    def __init__(self, code: str) -> None:
        super().__init__(f"The card was declined ({code})")
        self.code = code


class PaymentFailed(Exception):
    """A renewal that could not be charged."""


def create_app() -> Flask:
    app = Flask("fieldsprout")
    app.logger.setLevel(logging.INFO)  # the app's info lines become Sentry breadcrumbs

    @app.before_request
    def identify_gardener() -> None:
        gardener = GARDENERS[int(request.cookies["gardener"])]
        sentry_sdk.set_user({"id": str(gardener.id), "email": gardener.email})
        sentry_sdk.set_tag("plan", gardener.plan)

    @app.get("/gardens/<int:garden_id>/report")
    def harvest_report(garden_id: int) -> dict[str, object]:
        garden = load_garden(garden_id)
        return {"garden": garden.name, "average_kg": average_harvest(garden.harvests_kg)}

    @app.post("/checkout")
    def checkout() -> dict[str, object]:
        plan = request.form["plan"]
        log.info("checkout started for plan %s", plan)
        amount = PRICE_CENTS[plan]
        return {"plan": plan, "amount_cents": amount}

    @app.post("/subscriptions/<int:subscription_id>/renew")
    def renew(subscription_id: int) -> tuple[dict[str, object], int]:
        gardener = GARDENERS[int(request.cookies["gardener"])]
        sentry_sdk.add_breadcrumb(
            category="query",
            message="SELECT * FROM subscriptions WHERE id = ?",
            data={"params": [subscription_id], "rows": 1},
        )
        amount = PRICE_CENTS[gardener.plan]
        try:
            charge_id = renew_subscription(subscription_id, gardener.card, amount)
        except PaymentFailed as error:
            # One issue for every decline: the reason is in the chained CardError, not in the grouping.
            sentry_sdk.capture_exception(error, fingerprint=["payment-failed"])
            return {"error": "payment_failed"}, 402
        return {"charge": charge_id}, 200

    @app.post("/gardens/<int:garden_id>/invite")
    def invite(garden_id: int) -> dict[str, object]:
        garden = load_garden(garden_id)
        invitee = request.form["email"]
        return {"invited": invitee, "reply_to": garden.owner.email}

    @app.get("/gardens/<int:garden_id>/forecast")
    def forecast(garden_id: int) -> dict[str, object]:
        garden = load_garden(garden_id)
        sentry_sdk.add_breadcrumb(
            type="http",
            category="httplib",
            level="warning",
            data={"method": "GET", "url": f"https://weather.example/v2/{garden.region}/daily", "reason": "timeout"},
        )
        sentry_sdk.set_context("forecast", {"region": garden.region, "timeout_s": FORECAST_TIMEOUT_SECONDS})
        sentry_sdk.capture_message("Weather forecast timed out; showing yesterday's forecast", level="warning")
        return {"garden": garden.name, "forecast": "yesterday's"}

    return app


def load_garden(garden_id: int) -> Garden:
    sentry_sdk.add_breadcrumb(
        category="query", message="SELECT * FROM gardens WHERE id = ?", data={"params": [garden_id], "rows": 1}
    )
    garden = GARDENS[garden_id]
    sentry_sdk.set_tag("region", garden.region)
    log.info("garden %s loaded (%s harvests)", garden.id, len(garden.harvests_kg))
    return garden


def average_harvest(harvests_kg: list[float]) -> float:
    total = sum(harvests_kg)
    return round(total / len(harvests_kg), 1)


def renew_subscription(subscription_id: int, card: str, amount_cents: int) -> str:
    log.info("renewing subscription %s for %s cents", subscription_id, amount_cents)
    try:
        return charge(card, amount_cents)
    except CardError as error:
        raise PaymentFailed(f"Renewal of subscription {subscription_id} was not paid") from error


def charge(card: str, amount_cents: int) -> str:
    declined = card.startswith("tok_declined_")
    sentry_sdk.add_breadcrumb(
        type="http",
        category="httplib",
        data={
            "method": "POST",
            "url": "https://api.payments.example/v1/charges",
            "status_code": 402 if declined else 200,
        },
    )
    if declined:
        raise CardError(card.removeprefix("tok_declined_"))
    return f"ch_{uuid.uuid4().hex[:24]}"
