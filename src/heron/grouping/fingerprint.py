"""SDK fingerprints (PROTOCOL 7.4): custom grouping keys, variables, and ``{{ default }}`` salting.

A fingerprint without ``{{ default }}`` replaces grouping entirely ("custom"); one that mixes it with other
entries keeps the default grouping but salts every hash with the other entries ("hybrid").
"""

from __future__ import annotations

import re
from typing import Literal

from .fields import EMPTY, Obj, child, crash_frame, tag_value, text, values_of
from .parameterize import replace_parameters

FingerprintKind = Literal["default", "hybrid", "custom"]

# One resolved fingerprint entry; None marks the place of ``{{ default }}``.
ResolvedEntry = str | None

_VARIABLE_RE = re.compile(r"\{\{\s*(\S+)\s*\}\}")


def fingerprint_of(event: Obj) -> list[str]:
    """The event's fingerprint entries; numbers are stringified as Relay does, other junk is dropped."""
    raw = event.get("fingerprint")
    if not isinstance(raw, list):
        return []
    return [
        entry if isinstance(entry, str) else str(entry)
        for entry in raw
        if isinstance(entry, str | int | float) and not isinstance(entry, bool)
    ]


def variable_name(entry: str) -> str | None:
    """``"type"`` for the entry ``"{{ type }}"``; None when the entry is not exactly one variable."""
    match = _VARIABLE_RE.fullmatch(entry)
    return match.group(1) if match else None


def fingerprint_kind(fingerprint: list[str]) -> FingerprintKind:
    """``default`` (absent or just ``{{ default }}``), ``hybrid`` (mixes it in) or ``custom``."""
    defaults = [variable_name(entry) == "default" for entry in fingerprint]
    if not fingerprint or defaults == [True]:
        return "default"
    return "hybrid" if any(defaults) else "custom"


def resolve_fingerprint(fingerprint: list[str], event: Obj) -> list[ResolvedEntry]:
    """Replace ``{{ variable }}`` entries by their value in ``event``; unknown variables stay literal."""
    resolved: list[ResolvedEntry] = []
    for entry in fingerprint:
        name = variable_name(entry)
        if name == "default":
            resolved.append(None)
        elif name is None:
            resolved.append(entry)
        else:
            value = resolve_variable(name, event)
            resolved.append(entry if value is None else value)
    return resolved


def salted_values(resolved: list[ResolvedEntry], default_values: tuple[str, ...]) -> list[str]:
    """The values to hash for a hybrid fingerprint: ``default_values`` in place of ``{{ default }}``."""
    values: list[str] = []
    for entry in resolved:
        if entry is None:
            values.extend(default_values)
        else:
            values.append(entry)
    return values


def resolve_variable(name: str, event: Obj) -> str | None:
    """The value of one fingerprint variable, a ``<no-…>`` placeholder when absent, None if unknown."""
    exceptions = values_of(event, "exception")
    last_exception = exceptions[-1] if exceptions else EMPTY
    if name == "transaction":
        return text(event, "transaction") or "<no-transaction>"
    if name == "message":
        logentry = child(event, "logentry")
        message = text(logentry, "formatted") or text(logentry, "message") or text(last_exception, "value")
        # Parameterized (as Sentry now does) so a formatted message does not split on every id in it.
        return replace_parameters(message) if message else "<no-message>"
    if name in ("type", "error.type"):
        return text(last_exception, "type") or "<no-type>"
    if name in ("value", "error.value"):
        return text(last_exception, "value") or "<no-value>"
    if name in ("level", "logger"):
        return text(event, name) or f"<no-{name}>"
    if name.startswith("tags."):
        tag = name.removeprefix("tags.")
        value = tag_value(event, tag)
        return value if value is not None else f"<no-value-for-tag-{tag}>"
    return _resolve_frame_variable(name, event)


def _resolve_frame_variable(name: str, event: Obj) -> str | None:
    frame = crash_frame(event) or EMPTY
    if name in ("function", "stack.function"):
        return text(frame, "function") or "<no-function>"
    if name in ("path", "stack.abs_path"):
        return text(frame, "abs_path") or text(frame, "filename") or "<no-abs-path>"
    if name == "stack.filename":
        return text(frame, "filename") or text(frame, "abs_path") or "<no-filename>"
    if name in ("module", "stack.module"):
        return text(frame, "module") or "<no-module>"
    if name in ("package", "stack.package"):
        # A package is often a path to a library file; its last segment names it on any OS.
        package = text(frame, "package").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
        return package or "<no-package>"
    return None
