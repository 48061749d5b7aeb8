"""The user of an event: read from `flask.g.user`, or set with `set_user_context`."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask, g
from heron_monitoring import capture_message, set_user_context
from heron_monitoring.user import user_fields

from conftest import RecordingTransport


class Role(enum.Enum):
    OWNER = "owner"


@dataclass
class Account:
    id: int


@dataclass
class Gardener:
    id: int
    email: str
    username: str
    account: Account
    role: Role
    password_hash: str = "argon2$…"


@pytest.mark.parametrize(
    ("user", "fields"),
    [
        (
            Gardener(7, "ada@example.com", "ada", Account(3), Role.OWNER),
            {"id": 7, "email": "ada@example.com", "username": "ada", "account_id": 3, "role": "owner"},
        ),
        (
            {"id": "u-1", "email": "bo@example.com", "account_id": 9},
            {"id": "u-1", "email": "bo@example.com", "account_id": 9},
        ),
        ({"id": 1, "role": object}, {"id": 1, "role": "<class 'object'>"}),
        (object(), {}),
    ],
)
def test_user_fields_are_read_by_attribute_or_key(user: object, fields: dict[str, object]) -> None:
    assert user_fields(user) == fields


def test_the_user_in_flask_g_is_attached_to_events(recording: Callable[..., RecordingTransport], app: Flask) -> None:
    sent = recording()

    @app.before_request
    def sign_in() -> None:
        g.user = Gardener(7, "ada@example.com", "ada", Account(3), Role.OWNER)

    @app.route("/plain")
    def plain() -> str:
        capture_message("plain")
        return "ok"

    @app.route("/with-keys")
    def with_keys() -> str:
        set_user_context(subscription="pro")
        capture_message("with keys")
        return "ok"

    @app.route("/someone-else")
    def someone_else() -> str:
        set_user_context(user_id="12345", email="user@example.com", subscription="pro")
        capture_message("someone else")
        return "ok"

    client = app.test_client()
    for path in ("/plain", "/with-keys", "/someone-else"):
        assert client.get(path).status_code == 200
    gardener = {"id": 7, "email": "ada@example.com", "username": "ada", "account_id": 3, "role": "owner"}
    assert [event["user"] for event in sent.events()] == [
        gardener,
        {**gardener, "subscription": "pro"},
        {"id": "12345", "email": "user@example.com", "subscription": "pro"},
    ]


def test_set_user_context_without_arguments_clears_the_user(recording: Callable[..., RecordingTransport]) -> None:
    sent = recording()
    set_user_context(user_id="12345")
    set_user_context()
    capture_message("anonymous")
    [event] = sent.events()
    assert "user" not in event
