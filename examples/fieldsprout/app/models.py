"""FieldSprout's data: accounts and their users, subscriptions, gardens and what is planted in them."""

from __future__ import annotations

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """The models' base; Flask-SQLAlchemy binds it to the app's database."""


db = SQLAlchemy(model_class=Base)


class Account(Base):
    """A customer: an allotment society, a market garden, a rooftop farm."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    users: Mapped[list[User]] = relationship(back_populates="account")
    gardens: Mapped[list[Garden]] = relationship(back_populates="account", order_by="Garden.id")
    subscription: Mapped[Subscription] = relationship(back_populates="account")


class User(Base):
    """Someone who signs in; `g.user` while they do, which is how monitoring knows who was affected."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(unique=True)
    username: Mapped[str]
    role: Mapped[str]  # "owner" or "member"
    password_hash: Mapped[str]
    failed_logins: Mapped[int] = mapped_column(default=0)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    account: Mapped[Account] = relationship(back_populates="users")


class Subscription(Base):
    """An account's plan, and the card on file at the payment provider."""

    __tablename__ = "subscriptions"

    id: Mapped[str] = mapped_column(primary_key=True)  # the provider's id, "sub_…"
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), unique=True)
    account: Mapped[Account] = relationship(back_populates="subscription")
    plan: Mapped[str]
    card_token: Mapped[str]  # the provider's token for the card, never the number
    status: Mapped[str] = mapped_column(default="active")  # "active" or "past_due"


class Garden(Base):
    """A plot or a bed, with this season's harvest so far."""

    __tablename__ = "gardens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    account: Mapped[Account] = relationship(back_populates="gardens")
    name: Mapped[str]
    harvest_kg: Mapped[float] = mapped_column(default=0.0)
    plantings: Mapped[list[Planting]] = relationship(back_populates="garden", order_by="Planting.id")


class Planting(Base):
    """A crop in a garden; it grows above its base temperature."""

    __tablename__ = "plantings"

    id: Mapped[int] = mapped_column(primary_key=True)
    garden_id: Mapped[int] = mapped_column(ForeignKey("gardens.id"))
    garden: Mapped[Garden] = relationship(back_populates="plantings")
    crop: Mapped[str]
    base_temp_c: Mapped[float]
