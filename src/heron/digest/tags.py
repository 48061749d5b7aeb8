"""The tags an event is indexed by: what the SDK sent plus the ones Sentry derives from the event."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from heron.digest.tag_pairs import tag_value_problem


def event_tags(event: Mapping[str, Any], user_key: str | None) -> list[list[str]]:
    """The SDK's tags, then the derived ones (level, environment, release, transaction, url, browser, os,
    runtime, handled, mechanism, user) unless the SDK already set that key."""
    tags: list[list[str]] = [list(pair) for pair in event.get("tags", [])]
    seen = {key for key, _ in tags}

    def derive(key: str, value: object) -> None:
        if key in seen or not isinstance(value, str):
            return
        value = value.strip()  # e.g. @sentry/node reads the OS version with its trailing newline
        if tag_value_problem(value) is None:
            tags.append([key, value])
            seen.add(key)

    derive("level", event.get("level"))
    derive("environment", event.get("environment"))
    derive("release", event.get("release"))
    derive("dist", event.get("dist"))
    derive("transaction", event.get("transaction"))
    derive("logger", event.get("logger"))
    request = event.get("request") or {}
    if isinstance(request.get("url"), str):
        derive("url", request["url"].split("?", 1)[0])
    contexts = event.get("contexts") or {}
    for context, key in (("browser", "browser"), ("os", "os"), ("runtime", "runtime"), ("device", "device")):
        values = contexts.get(context) or {}
        name, version = values.get("name"), values.get("version")
        if isinstance(name, str) and name:
            derive(f"{key}.name", name)
            derive(key, f"{name} {version}" if isinstance(version, str) and version else name)
    exceptions = (event.get("exception") or {}).get("values") or []
    if exceptions:
        mechanism = exceptions[-1].get("mechanism") or {}
        if isinstance(mechanism.get("handled"), bool):
            derive("handled", "yes" if mechanism["handled"] else "no")
        derive("mechanism", mechanism.get("type"))
    if user_key:
        derive("user", user_key)
    return tags
