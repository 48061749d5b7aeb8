"""The event message: `message` (string or object) and `logentry` become `{message, formatted, params}`.

Relay `logentry.rs`: when `params` are given without `formatted`, the template is formatted with Python
`%` style if it contains `%`, else with `{}`/`{0}`/`{name}` style. Formatting here is done by hand, never
with `str.__mod__` on the whole template, so an SDK cannot make the server allocate `%999999999s`.
"""

from __future__ import annotations

import re
from typing import Any

from heron.digest.fields import Errors, json_lenient_string, object_field, record_error, to_json_text
from heron.digest.trimming import LARGE_BAG, MESSAGE, trim_bag, trim_string

_PERCENT_SPEC = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?(?P<flags>[#0\- +]*)(?P<width>\d+)?(?:\.(?P<precision>\d+))?[hlL]?"
    r"(?P<conversion>[diouxXeEfFgGcrsa%])"
)
_CURLY_SPEC = re.compile(r"\{(\w*)\}")
# Wider padding than this is not a log message any more; refusing it keeps formatting cheap.
_MAX_PADDING = 1024
_MAX_FORMATTED = MESSAGE.limit + MESSAGE.allowance


class _FormatError(Exception):
    """The template does not fit its params; the message is then shown unformatted."""


def normalize_logentry(raw: dict[str, Any], errors: Errors) -> dict[str, Any] | None:
    """The canonical `logentry` from an event's `logentry` (preferred) or legacy `message` field.

    A plain string is both template and formatted text. `params` are kept as a list (a dict of named
    params is kept as its only element). `None` when the event carries no message at all.
    """
    source = raw.get("logentry")
    if source is None:
        source = raw.get("message")
    if source is None:
        return None
    if isinstance(source, str):
        source = {"formatted": source}
    entry = object_field(source, errors, "logentry")
    if entry is None:
        return None

    message = json_lenient_string(entry.get("message"))
    formatted = json_lenient_string(entry.get("formatted"))
    params = trim_bag(entry.get("params"), LARGE_BAG)
    if not isinstance(params, (list, dict)):
        params = None
    if not message and not formatted:
        if params is not None:
            record_error(errors, "invalid_data", "logentry", reason="no message present")
        return None

    template = trim_string(message or formatted or "", MESSAGE)
    if formatted is None and message and params:
        formatted = format_message(template, params)
    text = formatted if formatted is not None else template
    if isinstance(params, dict):
        params = [params]
    return {
        "message": template,
        "formatted": trim_string(text, MESSAGE),
        "params": params or [],
    }


def format_message(template: str, params: list[Any] | dict[str, Any]) -> str | None:
    """`template` with `params` applied (Python `%` style, else `{}` style); `None` if they do not fit."""
    try:
        if "%" in template:
            return _format_percent(template, params)
        if "{" in template:
            return _format_curly(template, params)
    except _FormatError:
        return None
    return None


def _format_percent(template: str, params: list[Any] | dict[str, Any]) -> str:
    parts: list[str] = []
    size = 0
    position = 0
    next_index = 0
    while (start := template.find("%", position)) != -1:
        match = _PERCENT_SPEC.match(template, start)
        if match is None:
            raise _FormatError
        parts.append(template[position:start])
        if match["conversion"] == "%":
            rendered = "%"
        else:
            value, next_index = _percent_argument(match["key"], params, next_index)
            rendered = _render_percent(match, value)
        parts.append(rendered)
        size += start - position + len(rendered)
        position = match.end()
        if size > _MAX_FORMATTED:
            break
    else:
        parts.append(template[position:])
    return "".join(parts)


def _percent_argument(key: str | None, params: list[Any] | dict[str, Any], index: int) -> tuple[Any, int]:
    if key is not None:
        if not isinstance(params, dict) or key not in params:
            raise _FormatError
        return params[key], index
    if not isinstance(params, list) or index >= len(params):
        raise _FormatError
    return params[index], index + 1


def _render_percent(match: re.Match[str], value: Any) -> str:
    width, precision = match["width"], match["precision"]
    if (width and int(width) > _MAX_PADDING) or (precision and int(precision) > _MAX_PADDING):
        raise _FormatError
    spec = "%" + match["flags"] + (width or "") + (f".{precision}" if precision else "") + match["conversion"]
    try:
        return spec % (value,)
    except (TypeError, ValueError, OverflowError) as error:
        raise _FormatError from error


def _format_curly(template: str, params: list[Any] | dict[str, Any]) -> str:
    counter = iter(range(len(template)))

    def replace(match: re.Match[str]) -> str:
        name = match[1]
        if name == "":
            value = _positional(params, next(counter))
        elif name.isdigit():
            value = _positional(params, int(name))
        elif isinstance(params, dict) and name in params:
            value = params[name]
        else:
            raise _FormatError
        return value if isinstance(value, str) else to_json_text(value)

    return _CURLY_SPEC.sub(replace, template)


def _positional(params: list[Any] | dict[str, Any], index: int) -> Any:
    if not isinstance(params, list) or index >= len(params):
        raise _FormatError
    return params[index]
