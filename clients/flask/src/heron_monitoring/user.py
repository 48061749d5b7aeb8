"""Who was affected: `set_user_context`, and the signed-in user read from `flask.g.user` for every event."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import sentry_sdk
from flask import g, has_app_context
from sentry_sdk.integrations import Integration
from sentry_sdk.scope import add_global_event_processor

from heron_monitoring.failures import never_raises

# What is read from `g.user`, by attribute or by key.
USER_FIELDS = ("id", "email", "username", "account_id", "role")
# A user set with one of these may be someone other than `g.user`; one set without them only adds keys to it.
IDENTIFYING_FIELDS = ("id", "email", "username")


@never_raises
def set_user_context(
    user_id: str | int | None = None, email: str | None = None, username: str | None = None, **extra: Any
) -> None:
    """The user events of the current request (or scope) are about; extra keys (`subscription="pro"`) are kept.

    Called with nothing, it clears the user.
    """
    user = {"id": user_id, "email": email, "username": username, **extra}
    found = {key: value for key, value in user.items() if value is not None}
    sentry_sdk.set_user(found or None)


def user_fields(user: object) -> dict[str, Any]:
    """The fields of an application's user object or dict; the account id also from `user.account.id`."""
    found = {name: _plain(value) for name in USER_FIELDS if (value := _read(user, name)) is not None}
    if "account_id" not in found:
        account_id = _read(_read(user, "account"), "id")
        if account_id is not None:
            found["account_id"] = _plain(account_id)
    return found


class FlaskUserIntegration(Integration):
    """Adds the fields of `flask.g.user` to every event sent while an app context is active.

    A user given to `set_user_context` with an id, email or username replaces `g.user`; one without only adds
    its keys (`set_user_context(subscription="pro")`).
    """

    identifier = "heron_flask_user"

    @staticmethod
    def setup_once() -> None:
        add_global_event_processor(_add_flask_user)


def _add_flask_user(event: Any, hint: Any) -> Any:
    fields = flask_g_user_fields()
    user = event.get("user") or {}
    if fields and not any(user.get(key) is not None for key in IDENTIFYING_FIELDS):
        event["user"] = {**fields, **user}
    return event


@never_raises
def flask_g_user_fields() -> dict[str, Any]:
    """The fields of `flask.g.user` while an app context of a monitored process is active."""
    if sentry_sdk.get_client().get_integration(FlaskUserIntegration) is None or not has_app_context():
        return {}
    user = g.get("user")
    return user_fields(user) if user is not None else {}


def _read(source: object, name: str) -> object:
    if source is None:
        return None
    if isinstance(source, Mapping):
        return source.get(name)
    return getattr(source, name, None)


def _plain(value: object) -> object:
    if isinstance(value, enum.Enum):
        value = value.value
    return value if isinstance(value, str | int | float | bool) else str(value)
