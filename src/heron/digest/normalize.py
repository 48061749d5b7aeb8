"""Event normalization: whatever an SDK sent becomes the canonical event of `docs/canonical-event.md`.

`normalize_event` reads top to bottom as Relay's normalization does (`relay-event-normalization`,
`event.rs: normalize`): attributes, message, exceptions, breadcrumbs, tags, user and IP, request and
contexts, the free-form bags, then the clock. Each step reads the raw event and adds its canonical parts;
repairs are recorded in the event's `errors` the way Relay records them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from heron.digest.breadcrumbs import normalize_breadcrumbs
from heron.digest.clock import correct_clock
from heron.digest.contexts import add_user_agent_contexts, normalize_contexts
from heron.digest.exceptions import attach_lone_stacktrace, normalize_exceptions, normalize_threads
from heron.digest.fields import (
    Errors,
    all_strings,
    as_dict,
    as_str,
    lenient_string,
    object_field,
    put,
    record_error,
)
from heron.digest.http_request import header_value, normalize_request
from heron.digest.levels import parse_level
from heron.digest.logentry import normalize_logentry
from heron.digest.releases import dist_problem, environment_is_valid, release_is_valid
from heron.digest.stacktraces import normalize_stacktrace
from heron.digest.tag_pairs import normalize_tags, set_tag
from heron.digest.trimming import (
    CULPRIT,
    ENUMLIKE,
    LARGE_BAG,
    LOGGER,
    MASSIVE_BAG,
    SERVER_NAME,
    TRANSACTION,
    trim_bag,
    trim_string,
    trimmed_text,
)
from heron.digest.users import event_user_key, normalize_user, resolve_ip_addresses
from heron.protocol.timestamps import parse_timestamp

__all__ = ["event_user_key", "normalize_event"]

logger = logging.getLogger(__name__)


def normalize_event(
    raw: Mapping[str, Any] | Any,
    *,
    event_id: str,
    received: float,
    client_ip: str | None = None,
    sent_at: float | None = None,
) -> dict[str, Any]:
    """The canonical event for an SDK payload of any shape. Never raises.

    `event_id` (from the envelope) replaces the payload's; `received` is when ingest accepted the event;
    `client_ip` fills `{{auto}}` and inferred user IPs; `sent_at` (envelope header) corrects SDK clocks.
    Parts of the payload that need no change (data bags within their limits) are shared, not copied: the
    payload is never changed, and the event's parts are not changed in place afterwards.
    """
    try:
        return _normalize(raw, event_id=event_id, received=received, client_ip=client_ip, sent_at=sent_at)
    except Exception:
        # A bug here must not wedge the digest on one poisoned event: keep a minimal, honest event.
        logger.exception("normalizing event %s failed", event_id)
        return {
            "event_id": _clean_event_id(event_id),
            "type": "default",
            "timestamp": received,
            "received": received,
            "level": "error",
            "platform": "other",
            "tags": [],
            "errors": [{"type": "normalization_failed"}],
        }


def _normalize(
    raw: Any, *, event_id: str, received: float, client_ip: str | None, sent_at: float | None
) -> dict[str, Any]:
    errors: Errors = []
    source = as_dict(raw)
    if source is None:
        record_error(errors, "invalid_data", "event")
        source = {}

    event: dict[str, Any] = {"event_id": _clean_event_id(event_id)}
    _add_attributes(source, event, errors)
    _add_release_and_dist(source, event, errors)
    put(event, "logentry", normalize_logentry(source, errors))
    _add_stack_traces(source, event, errors)
    put(event, "breadcrumbs", normalize_breadcrumbs(source))
    _add_tags_and_environment(source, event, errors)
    _add_user_request_contexts(source, event, errors, client_ip=client_ip)
    _add_bags(source, event, errors)
    event["type"] = _event_type(source, event)

    correct_clock(event, received=received, sent_at=sent_at, errors=errors)
    _fill_breadcrumb_timestamps(event)
    if errors:
        event["errors"] = errors
    return event


def _clean_event_id(event_id: str) -> str:
    return event_id.replace("-", "").lower()


def _add_attributes(source: dict[str, Any], event: dict[str, Any], errors: Errors) -> None:
    """`timestamp` (raw, corrected at the end), `platform`, `level`, `logger`, `server_name`, `culprit`,
    `transaction`."""
    timestamp = parse_timestamp(source.get("timestamp"))
    if timestamp is not None:
        event["timestamp"] = timestamp
    elif source.get("timestamp") is not None:
        record_error(errors, "invalid_data", "timestamp")
    event["platform"] = trim_string(as_str(source.get("platform")) or "other", ENUMLIKE)
    # Sentry's default: an event that does not say otherwise is an error, message or not.
    level = parse_level(source.get("level"))
    if level is None and source.get("level") is not None:
        record_error(errors, "invalid_data", "level")
    event["level"] = level or "error"

    logger_name = as_str(source.get("logger"))
    if logger_name:
        if "\r" in logger_name or "\n" in logger_name:
            record_error(errors, "invalid_data", "logger")
        else:
            event["logger"] = trim_string(logger_name, LOGGER)
    for key, limit in (("server_name", SERVER_NAME), ("culprit", CULPRIT), ("transaction", TRANSACTION)):
        put(event, key, trimmed_text((as_str(source.get(key)) or "").strip(), limit))


def _add_release_and_dist(source: dict[str, Any], event: dict[str, Any], errors: Errors) -> None:
    """`release` and `dist`, dropped with an error when Sentry would refuse them (never truncated: a cut
    release would be another release)."""
    release = lenient_string(source.get("release"))
    if release is not None:
        release = release.strip()
        if release_is_valid(release):
            event["release"] = release
        else:
            record_error(errors, "invalid_data", "release")

    # Relay wants a string; build numbers sent as numbers are too common to refuse.
    dist = (lenient_string(source.get("dist")) or "").strip()
    if not dist:
        return
    problem = dist_problem(dist)
    if problem is None:
        event["dist"] = dist
    else:
        record_error(errors, problem, "dist")


def _add_stack_traces(source: dict[str, Any], event: dict[str, Any], errors: Errors) -> None:
    """`exception`, `threads` and the deprecated top-level `stacktrace` (moved into a lone exception)."""
    exception = normalize_exceptions(source, errors)
    stacktrace = normalize_stacktrace(source.get("stacktrace"))
    if not attach_lone_stacktrace(exception, stacktrace):
        put(event, "stacktrace", stacktrace)
    put(event, "exception", exception)
    put(event, "threads", normalize_threads(source))


def _add_tags_and_environment(source: dict[str, Any], event: dict[str, Any], errors: Errors) -> None:
    """Tags as string pairs; an `environment` tag becomes the environment when the field is unset; the
    server name and the legacy `site` are copied into tags, as Relay does."""
    tags = normalize_tags(source.get("tags"), errors)
    raw_environment = source.get("environment")
    if raw_environment is not None and not isinstance(raw_environment, str):
        record_error(errors, "invalid_data", "environment")
    environment = (as_str(raw_environment) or "").strip() or tags.environment
    if environment:
        if environment_is_valid(environment):
            event["environment"] = environment
        else:
            record_error(errors, "invalid_data", "environment")
    if "server_name" in event:
        set_tag(tags.pairs, "server_name", event["server_name"])
    site = as_str(source.get("site"))
    if site:
        set_tag(tags.pairs, "site", site.strip())
    event["tags"] = tags.pairs


def _add_user_request_contexts(
    source: dict[str, Any], event: dict[str, Any], errors: Errors, *, client_ip: str | None
) -> None:
    """`request`, `user` with its IP settled, and `contexts` completed from the User-Agent."""
    request = normalize_request(source.get("request"), errors)
    sdk = as_dict(source.get("sdk")) or {}
    settings = as_dict(sdk.get("settings")) or {}
    user = resolve_ip_addresses(
        normalize_user(source.get("user"), errors),
        request,
        platform=event["platform"],
        client_ip=client_ip,
        infer_ip=as_str(settings.get("infer_ip")),
        errors=errors,
    )
    if request is not None and request.get("env") == {}:
        del request["env"]  # its only entry was an unresolvable `{{auto}}`
    put(event, "request", request or None)
    put(event, "user", user or None)

    contexts = normalize_contexts(source.get("contexts"), errors)
    user_agent = header_value(request, "User-Agent")
    if user_agent:
        add_user_agent_contexts(contexts, user_agent, event["platform"])
    put(event, "contexts", contexts or None)


def _add_bags(source: dict[str, Any], event: dict[str, Any], errors: Errors) -> None:
    """`extra`, `modules`, `fingerprint`, `sdk` and, for CSP reports, `csp`."""
    put(event, "extra", trim_bag(object_field(source.get("extra"), errors, "extra"), MASSIVE_BAG) or None)
    put(event, "modules", _modules(source.get("modules"), errors) or None)
    put(event, "fingerprint", _fingerprint(source.get("fingerprint"), errors) or None)
    put(event, "sdk", _sdk(source.get("sdk")))
    if source.get("type") == "csp":
        put(event, "csp", trim_bag(as_dict(source.get("csp")), LARGE_BAG) or None)


def _modules(raw: Any, errors: Errors) -> dict[str, str] | None:
    modules = object_field(raw, errors, "modules")
    if modules is None:
        return None
    if all_strings(modules.values()):
        versions = modules  # kept as it is: the Python SDK sends every installed package with every event
    else:
        versions = {}
        for name, version in modules.items():
            if isinstance(version, str):
                versions[name] = version
            elif version is not None:
                record_error(errors, "invalid_data", f"modules.{name}")
    trimmed: dict[str, str] = trim_bag(versions, LARGE_BAG)
    return trimmed


def _fingerprint(raw: Any, errors: Errors) -> list[str] | None:
    """Relay's `Fingerprint`: strings, with numbers and booleans stringified; null entries skipped."""
    if raw is None:
        return None
    if not isinstance(raw, list):
        record_error(errors, "invalid_data", "fingerprint")
        return None
    parts = [lenient_string(item) for item in raw if item is not None]
    fingerprint = [part for part in parts if part is not None]
    if len(fingerprint) != len(parts):
        record_error(errors, "invalid_data", "fingerprint")
    return fingerprint


def _sdk(raw: Any) -> dict[str, Any] | None:
    sdk = as_dict(raw)
    if sdk is None:
        return None
    normalized: dict[str, Any] = {}
    for key in ("name", "version"):
        put(normalized, key, trimmed_text(sdk.get(key), ENUMLIKE))
    integrations = sdk.get("integrations")
    if isinstance(integrations, list):
        normalized["integrations"] = _integration_names(integrations)
    packages = sdk.get("packages")
    if isinstance(packages, list):
        normalized["packages"] = [package for package in map(_sdk_package, packages) if package]
    return normalized or None


def _integration_names(names: list[Any]) -> list[str]:
    if all_strings(names) and (not names or max(map(len, names)) <= ENUMLIKE.limit):
        return names  # kept as it is, as SDKs send it
    return [trim_string(name, ENUMLIKE) for name in names if isinstance(name, str)]


def _sdk_package(raw: Any) -> dict[str, str]:
    package = as_dict(raw) or {}
    fields = {key: trimmed_text(package.get(key), ENUMLIKE) for key in ("name", "version")}
    return {key: value for key, value in fields.items() if value is not None}


def _event_type(source: dict[str, Any], event: dict[str, Any]) -> str:
    if event.get("exception"):
        return "error"
    if source.get("type") == "csp" and "csp" in event:
        return "csp"
    return "default"


def _fill_breadcrumb_timestamps(event: dict[str, Any]) -> None:
    # A breadcrumb without a usable time is shown at the event's own time, after clock correction.
    for breadcrumb in event.get("breadcrumbs", {}).get("values", ()):
        breadcrumb.setdefault("timestamp", event["timestamp"])
