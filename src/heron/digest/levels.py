"""Severity levels (Relay `Level`): the five canonical names and what SDKs send instead."""

from __future__ import annotations

from typing import Any

LEVELS = ("debug", "info", "warning", "error", "fatal")

_ALIASES = {level: level for level in LEVELS} | {
    "log": "info",
    "warn": "warning",
    "critical": "fatal",
}
# Python `logging` numbers, which the Python SDK's older versions and some integrations send verbatim.
_PYTHON_LEVELS = {10: "debug", 20: "info", 30: "warning", 40: "error", 50: "fatal"}


def parse_level(value: Any) -> str | None:
    """The canonical level for a name (any case, aliases included) or a Python logging number, else `None`."""
    if isinstance(value, str):
        # Nearly every SDK sends a canonical name already.
        return _ALIASES.get(value) or _ALIASES.get(value.strip().lower())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _PYTHON_LEVELS.get(value)
    return None
