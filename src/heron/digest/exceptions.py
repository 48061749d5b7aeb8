"""Exceptions and threads (Relay `Exception`, `Mechanism`, `Thread`; `event.rs: normalize_exceptions`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from heron.digest.fields import (
    Errors,
    as_bool,
    as_dict,
    as_int,
    as_str,
    json_lenient_string,
    lenient_string,
    put,
    record_error,
    values_of,
)
from heron.digest.stacktraces import normalize_stacktrace
from heron.digest.trimming import ENUMLIKE, MEDIUM_BAG, MESSAGE, SYMBOL, trim_bag, trimmed_text

# Relay's store normalization: an exception with only a value like "ValueError: bad" gets type and value.
_TYPE_AND_VALUE = re.compile(r"(\w+):(.*)")


def normalize_exceptions(raw: dict[str, Any], errors: Errors) -> dict[str, Any] | None:
    """The canonical `exception` (`{"values": [...]}`, oldest → newest) from the event, or `None`.

    Accepts Relay's `Values` forms (object with `values`, bare list, single object). Exceptions with
    neither type nor value are dropped (`missing_attribute`).
    """
    items = values_of(raw.get("exception"))
    if not items:
        return None
    exceptions: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        if item is None:
            continue
        if not isinstance(item, Mapping):
            record_error(errors, "invalid_data", f"exception.values.{index}")
            continue
        exception = normalize_exception(item)
        if exception is None:
            record_error(errors, "missing_attribute", f"exception.values.{index}", attribute="type or value")
            continue
        exceptions.append(exception)
    if not exceptions:
        return None
    return {"values": exceptions}


def normalize_exception(raw: Any) -> dict[str, Any] | None:
    """One exception `{type?, value?, module?, mechanism?, stacktrace?}`; `None` without type and value."""
    exception = as_dict(raw)
    if exception is None:
        return None
    exc_type = as_str(exception.get("type")) or None
    value = json_lenient_string(exception.get("value")) or None
    if exc_type is None and value is not None and (split := _TYPE_AND_VALUE.fullmatch(value)):
        exc_type, value = split[1], split[2].strip() or None
    if exc_type is None and value is None:
        return None

    normalized: dict[str, Any] = {}
    put(normalized, "type", trimmed_text(exc_type, SYMBOL))
    put(normalized, "value", trimmed_text(value, MESSAGE))
    put(normalized, "module", trimmed_text(exception.get("module"), SYMBOL))
    put(normalized, "mechanism", normalize_mechanism(exception.get("mechanism")))
    put(normalized, "stacktrace", normalize_stacktrace(exception.get("stacktrace")))
    return normalized


def normalize_mechanism(raw: Any) -> dict[str, Any] | None:
    """The exception mechanism with its known fields typed; `type` defaults to `generic`."""
    mechanism = as_dict(raw)
    if mechanism is None:
        return None
    normalized: dict[str, Any] = {"type": trimmed_text(mechanism.get("type"), ENUMLIKE) or "generic"}
    # Only the fields sent are looked at: SDKs send two or three of the ten.
    for key, value in mechanism.items():
        read = _MECHANISM_FIELDS.get(key)
        if read is not None and (value := read(value)) is not None:
            normalized[key] = value
    return normalized


def _mechanism_text(value: Any) -> str | None:
    return trimmed_text(value, MESSAGE)


def _mechanism_bag(value: Any) -> Any:
    return trim_bag(as_dict(value), MEDIUM_BAG) or None


# How each known mechanism field (besides `type`) is read; others are dropped.
_MECHANISM_FIELDS: dict[str, Callable[[Any], Any]] = {
    "description": _mechanism_text,
    "help_link": _mechanism_text,
    "source": _mechanism_text,
    "handled": as_bool,
    "synthetic": as_bool,
    "is_exception_group": as_bool,
    "exception_id": as_int,
    "parent_id": as_int,
    "data": _mechanism_bag,
    "meta": _mechanism_bag,
}


def attach_lone_stacktrace(exception: dict[str, Any] | None, stacktrace: dict[str, Any] | None) -> bool:
    """Moves the top-level stack trace into a lone exception, like Relay; `True` when it was moved."""
    if exception is None or stacktrace is None or len(exception["values"]) != 1:
        return False
    exception["values"][0]["stacktrace"] = stacktrace
    return True


def normalize_threads(raw: dict[str, Any]) -> dict[str, Any] | None:
    """The canonical `threads` (`{"values": [...]}`) with each thread's stack trace normalized."""
    items = values_of(raw.get("threads"))
    if not items:
        return None
    threads: list[dict[str, Any]] = []
    for item in items:
        thread = as_dict(item)
        if thread is None:
            continue
        normalized: dict[str, Any] = {}
        put(normalized, "id", _thread_id(thread.get("id")))
        put(normalized, "name", trimmed_text(lenient_string(thread.get("name")), ENUMLIKE))
        for key in ("crashed", "current", "main"):
            put(normalized, key, as_bool(thread.get(key)))
        put(normalized, "stacktrace", normalize_stacktrace(thread.get("stacktrace")))
        threads.append(normalized)
    return {"values": threads} if threads else None


def _thread_id(raw: Any) -> int | str | None:
    # Relay's `ThreadId` is a number or a string.
    number = as_int(raw)
    return number if number is not None else trimmed_text(raw, ENUMLIKE)
