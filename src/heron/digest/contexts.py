"""Event contexts (Relay `Contexts`) and the browser, OS and device contexts inferred from the User-Agent
(Relay `normalize/user_agent.rs`).
"""

from __future__ import annotations

from typing import Any

from heron.digest.fields import Errors, as_dict, object_field, record_error
from heron.digest.trimming import LARGE_BAG, trim_bag
from heron.digest.useragent import parse_user_agent

# Real User-Agent headers are a few hundred characters; the parser never needs more than this.
MAX_USER_AGENT = 1024

# User-Agent headers freeze these versions: the real one may be any later release.
_FROZEN_OS_VERSIONS = {("Windows", "10"), ("Mac OS X", "10.15.7")}


def normalize_contexts(raw: Any, errors: Errors) -> dict[str, dict[str, Any]]:
    """Contexts as an object of objects, each limited like Relay's large bag and given a `type` (its key
    unless it names one). Entries that are not objects are dropped with an error.
    """
    contexts = object_field(raw, errors, "contexts")
    if contexts is None:
        return {}
    normalized: dict[str, dict[str, Any]] = {}
    for key, value in contexts.items():
        context = as_dict(value)
        if context is None:
            if value is not None:
                record_error(errors, "invalid_data", f"contexts.{key}")
            continue
        context = trim_bag(context, LARGE_BAG)
        if not isinstance(context.get("type"), str) or not context["type"]:
            context = {**context, "type": key}  # a copy: the trimmed context may be the SDK's own
        normalized[key] = context
    return normalized


def add_user_agent_contexts(contexts: dict[str, dict[str, Any]], user_agent: str, platform: str) -> None:
    """Fills `browser`, `device` and the OS context from a User-Agent, never replacing what the SDK sent.

    As in Relay, the OS goes to `client_os` unless the event comes from a browser (`javascript`): a
    server-side SDK's `os` context describes the server, not the visitor.
    """
    parsed = parse_user_agent(user_agent[:MAX_USER_AGENT])
    if parsed.browser and "browser" not in contexts:
        browser = {"type": "browser", "name": parsed.browser}
        if parsed.browser_version:
            browser["version"] = parsed.browser_version
        contexts["browser"] = browser
    if parsed.device_family and "device" not in contexts:
        device = {"type": "device", "family": parsed.device_family}
        if parsed.device_model:
            device["model"] = parsed.device_model
        if parsed.device_brand:
            device["brand"] = parsed.device_brand
        contexts["device"] = device
    os_key = "os" if platform == "javascript" else "client_os"
    if parsed.os and os_key not in contexts:
        os_context = {"type": "os", "name": parsed.os}
        if parsed.os_version:
            frozen = (parsed.os, parsed.os_version) in _FROZEN_OS_VERSIONS
            os_context["version"] = f">={parsed.os_version}" if frozen else parsed.os_version
        contexts[os_key] = os_context
