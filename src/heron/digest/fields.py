"""Reading fields out of untrusted event JSON, and recording what had to be repaired.

Every SDK payload is attacker-controlled: any field may hold any JSON type. These helpers return a value
of the expected type or `None`, never raise, and follow Relay's leniency (`LenientString`, `Values<T>`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson

# One event can carry thousands of broken entries; past this many, further repairs are not itemised.
MAX_RECORDED_ERRORS = 100

# Relay stringifies floats only while they are exact integers in a double (`LenientString`).
_MAX_SAFE_FLOAT = float(2**53)
# What orjson writes (and JSON parsers give as integers): i64 and u64. Only Python callers exceed it.
_JSON_INT_MIN = -(2**63)
_JSON_INT_MAX = 2**64 - 1

Errors = list[dict[str, Any]]


def record_error(errors: Errors, kind: str, name: str | None = None, **details: Any) -> None:
    """Appends a Relay-style processing error (`{"type", "name"?, ...details}`), up to a bounded count.

    `kind` is Relay's `ErrorKind` name (`invalid_data`, `value_too_long`, `missing_attribute`,
    `future_timestamp`, ...); `name` the dotted path of the repaired field (`tags.0`, `user.ip_address`).
    """
    if len(errors) >= MAX_RECORDED_ERRORS:
        return
    entry: dict[str, Any] = {"type": kind}
    if name is not None:
        entry["name"] = name
    entry.update(details)
    errors.append(entry)


def as_dict(value: Any) -> dict[str, Any] | None:
    """The value when it is a JSON object, else `None`. Not a copy: callers read it, never change it.

    Keys are strings in JSON; where a Python caller passed other keys, the bags (`trim_bag`) drop them.
    """
    if isinstance(value, dict):
        return value
    if value is not None and isinstance(value, Mapping):  # absent fields skip the (slow) ABC check
        return dict(value)
    return None


def object_field(value: Any, errors: Errors, name: str) -> dict[str, Any] | None:
    """Like `as_dict` for a field that must be an object: absent is fine, anything else is reported."""
    mapping = as_dict(value)
    if mapping is None and value is not None:
        record_error(errors, "invalid_data", name)
    return mapping


def put(target: dict[str, Any], key: str, value: Any) -> None:
    """Sets `target[key]` when there is a value: `None` means the field stays absent."""
    if value is not None:
        target[key] = value


def as_str(value: Any) -> str | None:
    """The value when it is a string, else `None`."""
    return value if isinstance(value, str) else None


def lenient_string(value: Any) -> str | None:
    """Relay's `LenientString`: strings as they are, booleans as `True`/`False`, integral numbers as digits.

    Floats are truncated like Relay does (`3.5` → `"3"`) while they fit a double exactly; anything else
    (objects, arrays, null, huge floats) gives `None`.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value) if is_json_int(value) else None
    if isinstance(value, float) and abs(value) < _MAX_SAFE_FLOAT:
        return str(int(value))
    return None


def json_lenient_string(value: Any) -> str | None:
    """Relay's `JsonLenientString`: like `lenient_string`, but objects and arrays become their JSON text."""
    if isinstance(value, (dict, list)):
        return to_json_text(value)
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else None
    return lenient_string(value)


def as_int(value: Any) -> int | None:
    """Non-negative integers (line and column numbers); booleans and fractions are not numbers here."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 <= value <= _JSON_INT_MAX:
        return value
    if isinstance(value, float) and value.is_integer() and 0 <= value < _MAX_SAFE_FLOAT:
        return int(value)
    return None


def is_json_int(value: int) -> bool:
    """Whether an integer fits JSON as orjson writes it (64 bits, signed or unsigned)."""
    return _JSON_INT_MIN <= value <= _JSON_INT_MAX


def as_bool(value: Any) -> bool | None:
    """The value when it is a JSON boolean, else `None`."""
    return value if isinstance(value, bool) else None


def all_strings(values: Iterable[Any]) -> bool:
    """Whether every value is a string: checked in C by joining them, far cheaper than a loop that looks at each
    (the lists and objects SDKs send with every event hold strings only: modules, source lines, integrations)."""
    try:
        "".join(values)
    except TypeError:
        return False
    return True


def values_of(value: Any) -> list[Any] | None:
    """The items of a Relay `Values<T>`: `{"values": [...]}`, a bare list, or one object standing alone.

    `None` when there is nothing usable (`{}`, `{"values": null}`, a scalar).
    """
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        if "values" in value:
            inner = value["values"]
            return inner if isinstance(inner, list) else None
        return [value] if value else None
    return None


def to_json_text(value: Any) -> str:
    """Compact JSON text of a JSON-shaped value, repairing what orjson refuses (see `json_safe`)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return orjson.dumps(json_safe(value)).decode()


def json_safe(value: Any) -> Any:
    """A copy orjson can always write: integers beyond 64 bits become floats (null if even that overflows),
    strings with lone surrogates are repaired, non-string keys and non-JSON objects are dropped.

    Only Python callers can produce such values; JSON parsed by orjson never holds them.
    """
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode()
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        if is_json_int(value):
            return value
        try:
            return float(value)
        except OverflowError:
            return None
    if isinstance(value, Mapping):
        return {json_safe(key): json_safe(item) for key, item in value.items() if isinstance(key, str)}
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    return None


def pairs_of(value: Any) -> list[tuple[Any, Any] | None] | None:
    """The entries of a Relay `PairList`: an object's items, or a list of `[key, value]` lists.

    A list entry that is not a two-element list comes back as `None`, so callers can report it by
    position; callers decide how to stringify keys and values. `None` when the value is neither form.
    """
    if isinstance(value, Mapping):
        return list(value.items())
    if isinstance(value, list):
        return [(item[0], item[1]) if isinstance(item, list) and len(item) == 2 else None for item in value]
    return None
