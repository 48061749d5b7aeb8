"""Demo data: three customer accounts, their people, subscriptions and gardens."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.security import generate_password_hash

from app.models import Account, Garden, Planting, Subscription, User, db
from app.payments import DECLINED_CARD

DEMO_PASSWORD = "sprout-demo-2024"


@dataclass(frozen=True)
class DemoAccount:
    name: str
    subscription_id: str
    plan: str
    card_token: str
    people: tuple[tuple[str, str, str], ...]  # email, username, role
    gardens: tuple[tuple[str, float, tuple[str, ...]], ...]  # name, harvest in kg, crops


# Crops and the temperature they grow above, in °C.
BASE_TEMPERATURES = {
    "garlic": 0.0,
    "broad beans": 2.0,
    "kale": 4.0,
    "potatoes": 7.0,
    "beetroot": 5.0,
    "runner beans": 10.0,
    "courgettes": 10.0,
    "tomatoes": 10.0,
    "squash": 12.0,
}

ACCOUNTS = (
    DemoAccount(
        "Hillside Allotments",
        "sub_1MqHillside",
        "cooperative",
        "tok_visa",
        (("ada@hillside.example", "ada", "owner"), ("cy@hillside.example", "cy", "member")),
        (
            ("Plot 14", 182.5, ("potatoes", "kale", "runner beans", "garlic")),
            ("Greenhouse", 64.0, ("tomatoes", "courgettes", "squash", "beetroot")),
            ("New raised bed", 0.0, ()),
        ),
    ),
    DemoAccount(
        "Bo's Market Garden",
        "sub_1MqBoMarket",
        "market",
        DECLINED_CARD,
        (("bo@bosmarket.example", "bo", "owner"),),
        (("North field", 940.0, ("potatoes", "broad beans", "beetroot", "kale", "squash", "garlic", "tomatoes")),),
    ),
    DemoAccount(
        "Rooftop Greens",
        "sub_1MqRooftop",
        "grower",
        DECLINED_CARD,
        (("dee@rooftop.example", "dee", "owner"),),
        (
            ("Roof beds", 38.2, ("kale", "beetroot", "tomatoes", "runner beans")),
            ("Balcony pots", 0.0, ()),
            ("Herb wall", 6.5, ("garlic", "courgettes", "broad beans", "squash")),
        ),
    ),
)

DEMO_USERS = tuple(email for account in ACCOUNTS for email, _, _ in account.people)


def seed_demo_data() -> None:
    """Add the demo accounts to an empty database."""
    password_hash = generate_password_hash(DEMO_PASSWORD)
    for demo in ACCOUNTS:
        account = Account(name=demo.name)
        account.subscription = Subscription(id=demo.subscription_id, plan=demo.plan, card_token=demo.card_token)
        account.users = [
            User(email=email, username=username, role=role, password_hash=password_hash)
            for email, username, role in demo.people
        ]
        account.gardens = [
            Garden(
                name=name,
                harvest_kg=harvest_kg,
                plantings=[Planting(crop=crop, base_temp_c=BASE_TEMPERATURES[crop]) for crop in crops],
            )
            for name, harvest_kg, crops in demo.gardens
        ]
        db.session.add(account)
    db.session.commit()
