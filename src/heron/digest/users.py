"""The user interface (Relay `User`, `normalize_user`) and the client IP rules (`normalize_ip_addresses`)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from heron.digest.fields import Errors, as_dict, as_str, lenient_string, object_field, put, record_error
from heron.digest.trimming import EMAIL, ENUMLIKE, LARGE_BAG, SUMMARY, StringLimit, trim_bag, trim_string, trimmed_text

AUTO_IP = "{{auto}}"

# Known user fields with the reader and limit Relay gives them; every other key moves into `user.data`.
_USER_STRINGS: dict[str, tuple[bool, StringLimit]] = {
    "id": (True, ENUMLIKE),
    "email": (False, EMAIL),
    "username": (True, ENUMLIKE),
    "name": (False, ENUMLIKE),
    "segment": (False, ENUMLIKE),
}
_GEO_FIELDS = ("country_code", "city", "subdivision", "region")
_KNOWN_KEYS = frozenset(_USER_STRINGS) | {"ip_address", "geo", "data"}
# Platforms whose old SDKs never send `{{auto}}` but expect the sender's IP to be recorded (Relay's legacy).
_LEGACY_IP_PLATFORMS = frozenset({"javascript", "cocoa", "objc"})


def normalize_user(raw: Any, errors: Errors) -> dict[str, Any] | None:
    """The canonical user: known fields typed and trimmed (`id`/`username` stringified), the rest in `data`.

    `ip_address` is kept as sent (possibly `{{auto}}`); `resolve_ip_addresses` settles it.
    """
    user = object_field(raw, errors, "user")
    if user is None:
        return None
    normalized: dict[str, Any] = {}
    for key, (lenient, limit) in _USER_STRINGS.items():
        value = user.get(key)
        text = lenient_string(value) if lenient else as_str(value)
        if text:
            normalized[key] = trim_string(text, limit)
        elif value is not None and text is None:
            record_error(errors, "invalid_data", f"user.{key}")
    put(normalized, "ip_address", as_str(user.get("ip_address")) or None)
    put(normalized, "geo", _geo(user.get("geo")) or None)
    data = dict(as_dict(user.get("data")) or {})
    data.update((key, value) for key, value in user.items() if key not in _KNOWN_KEYS)
    put(normalized, "data", trim_bag(data, LARGE_BAG) or None)
    return normalized


def resolve_ip_addresses(
    user: dict[str, Any] | None,
    request: dict[str, Any] | None,
    *,
    platform: str,
    client_ip: str | None,
    infer_ip: str | None,
    errors: Errors,
) -> dict[str, Any] | None:
    """Settles `user.ip_address` and `request.env.REMOTE_ADDR` (in place); returns the user, maybe new.

    `{{auto}}` means the sender's IP (`client_ip`); a valid `REMOTE_ADDR` stands in for a missing user IP;
    otherwise the sender's IP is recorded when the SDK asks for it (`sdk.settings.infer_ip == "auto"`) or,
    without that setting, for browser and Apple platforms (Relay's legacy rule). `infer_ip == "never"`
    records nothing. An IP that does not parse is dropped with an error.
    """
    if client_ip is not None and not is_ip_address(client_ip):
        client_ip = None  # a proxy header gone wrong must not become a user's address
    never = infer_ip == "never"
    env = request.get("env") if request is not None else None
    if request is not None and isinstance(env, dict) and env.get("REMOTE_ADDR") == AUTO_IP:
        env = request["env"] = dict(env)  # a copy: the trimmed env may be the SDK's own
        if client_ip is not None and not never:
            env["REMOTE_ADDR"] = client_ip
        else:
            del env["REMOTE_ADDR"]
    if user is not None and user.get("ip_address") == AUTO_IP:
        if client_ip is not None and not never:
            user["ip_address"] = client_ip
        else:
            del user["ip_address"]
    if user is not None and "ip_address" in user and not is_ip_address(user["ip_address"]):
        record_error(errors, "invalid_data", "user.ip_address")
        del user["ip_address"]

    remote_addr = env.get("REMOTE_ADDR") if isinstance(env, dict) else None
    if user is not None and "ip_address" in user:
        return user
    inferred: str | None = None
    if isinstance(remote_addr, str) and is_ip_address(remote_addr):
        inferred = remote_addr
    elif client_ip is not None and (infer_ip == "auto" or (infer_ip is None and platform in _LEGACY_IP_PLATFORMS)):
        inferred = client_ip
    if inferred is None:
        return user
    user = user if user is not None else {}
    user["ip_address"] = inferred
    return user


def is_ip_address(value: Any) -> bool:
    """Whether `value` is an IPv4 or IPv6 address in text form."""
    if not isinstance(value, str):
        return False
    # Parsing costs more than the rest of a user; the same addresses come back event after event. Only
    # values of an address's length are remembered, so that the memo stays small whatever clients send.
    if len(value) <= 64:
        return _remembered_ip_check(value)
    return _parses_as_ip_address(value)


def _parses_as_ip_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


_remembered_ip_check = lru_cache(maxsize=4096)(_parses_as_ip_address)


def event_user_key(event: Mapping[str, Any]) -> str | None:
    """The key Sentry counts distinct users by: `id:…`, else `email:…`, `username:…`, `ip:…`; `None` if none."""
    user = event.get("user")
    if not isinstance(user, Mapping):
        return None
    for field, prefix in (("id", "id"), ("email", "email"), ("username", "username"), ("ip_address", "ip")):
        value = user.get(field)
        if isinstance(value, str) and value:
            return f"{prefix}:{value}"
    return None


def _geo(raw: Any) -> dict[str, str] | None:
    geo = as_dict(raw)
    if geo is None:
        return None
    fields = {key: trimmed_text(geo.get(key), SUMMARY) for key in _GEO_FIELDS}
    return {key: value for key, value in fields.items() if value is not None}
