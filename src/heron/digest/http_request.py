"""The HTTP request interface (Relay `Request` and `normalize/request.rs`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

import orjson

from heron.digest.fields import (
    Errors,
    as_dict,
    as_str,
    json_lenient_string,
    lenient_string,
    object_field,
    pairs_of,
    put,
    record_error,
)
from heron.digest.trimming import (
    LARGE_BAG,
    MEDIUM_BAG,
    SMALL_BAG,
    SUMMARY,
    URL,
    BagSize,
    trim_bag,
    trimmed_text,
)

_METHOD = re.compile(r"[A-Z_-]{3,32}")
# Old JavaScript SDKs cut long URLs with a single ellipsis character.
_UNICODE_ELLIPSIS = "\u2026"

Pairs = list[list[str]]


def normalize_request(raw: Any, errors: Errors) -> dict[str, Any] | None:
    """The canonical request: `url` without query and fragment (moved to their fields when unset), `method`
    upper-cased, `headers`/`cookies`/`query_string` as lists of string pairs, `data` parsed from JSON text,
    `env` as an object. The `Cookie` header becomes `cookies`. `None` when nothing is left.
    """
    request = object_field(raw, errors, "request")
    if request is None:
        return None
    normalized: dict[str, Any] = {}

    method = as_str(request.get("method"))
    if method:
        if _METHOD.fullmatch(method.upper()):
            normalized["method"] = method.upper()
        else:
            record_error(errors, "invalid_data", "request.method")

    headers = _headers(request.get("headers"))
    cookies = _cookies(request.get("cookies"))
    cookie_header = next((value for name, value in headers if name == "Cookie"), None)
    if cookies is None and cookie_header is not None:
        cookies = parse_cookies(cookie_header)
    headers = [pair for pair in headers if pair[0] != "Cookie"]

    query = _query(request.get("query_string"))
    fragment = as_str(request.get("fragment")) or None
    url = as_str(request.get("url"))
    if url:
        url, url_query, url_fragment = split_url(url)
        query = query if query is not None else (parse_query(url_query) if url_query else None)
        fragment = fragment or url_fragment
        put(normalized, "url", trimmed_text(url, URL))
    put(normalized, "query_string", _bagged_pairs(query, SMALL_BAG))
    put(normalized, "fragment", trimmed_text(fragment, SUMMARY))
    put(normalized, "headers", _bagged_pairs(headers, LARGE_BAG))
    put(normalized, "cookies", _bagged_pairs(cookies, MEDIUM_BAG))
    put(normalized, "data", trim_bag(_parse_body(request.get("data")), LARGE_BAG))
    put(normalized, "env", trim_bag(as_dict(request.get("env")), LARGE_BAG) or None)
    return normalized or None


def header_value(request: Mapping[str, Any] | None, name: str) -> str | None:
    """The first value of a header of a normalized request, matched case-insensitively."""
    if request is None:
        return None
    wanted = name.lower()
    for key, value in request.get("headers", ()):
        if key.lower() == wanted:
            return str(value)
    return None


def split_url(url: str) -> tuple[str, str, str]:
    """`(url without query and fragment, query, fragment)`; tolerant of URLs that do not parse."""
    if url.endswith(_UNICODE_ELLIPSIS):
        url = url[: -len(_UNICODE_ELLIPSIS)] + "..."
    try:
        parts = urlsplit(url)
    except ValueError:
        # Like Relay's fallback for unparseable URLs: cut at the first `#`, then at the first `?`.
        url, _, fragment = url.partition("#")
        url, _, query = url.partition("?")
        return url, query, fragment
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), parts.query, parts.fragment


def parse_query(query: str) -> Pairs:
    """A query string as `[name, value]` pairs, blank values kept, a leading `?` ignored."""
    return [[name, value] for name, value in parse_qsl(query.removeprefix("?"), keep_blank_values=True)]


def parse_cookies(header: str) -> Pairs:
    """A `Cookie` header (`a=1; b=2`) as `[name, value]` pairs, percent-decoded."""
    cookies: Pairs = []
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            cookies.append([unquote(name.strip()), unquote(value.strip())])
    return cookies


def normalize_header_name(name: str) -> str:
    """`content-type` → `Content-Type`: first letter and each letter after `-` upper-cased, as Relay does."""
    # Every event of a web app sends the same dozen names: their spelling is remembered, for names of a
    # sensible length only, so that the memo stays small whatever clients send.
    if len(name) <= 64:
        return _remembered_header_name(name)
    return _capitalize_parts(name)


def _capitalize_parts(name: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


_remembered_header_name = lru_cache(maxsize=1024)(_capitalize_parts)


def _headers(raw: Any) -> Pairs:
    entries = pairs_of(raw)
    if entries is None:
        return []
    headers: Pairs = []
    for entry in entries:
        if entry is None:
            continue
        name, value = lenient_string(entry[0]), _header_value(entry[1])
        if name and value is not None:
            headers.append([normalize_header_name(name), value])
    # Relay sorts headers given as an object; a list keeps the order the SDK saw.
    if isinstance(raw, Mapping):
        headers.sort(key=lambda pair: pair[0])
    return headers


def _header_value(raw: Any) -> str | None:
    # A header repeated by the SDK arrives as a list; HTTP joins repeated values with commas.
    if isinstance(raw, list):
        return ",".join(text for text in map(lenient_string, raw) if text is not None)
    return lenient_string(raw)


def _cookies(raw: Any) -> Pairs | None:
    if isinstance(raw, str):
        return parse_cookies(raw)
    return _string_pairs(raw)


def _query(raw: Any) -> Pairs | None:
    if isinstance(raw, str):
        return parse_query(raw)
    return _string_pairs(raw)


def _string_pairs(raw: Any) -> Pairs | None:
    entries = pairs_of(raw)
    if entries is None:
        return None
    pairs: Pairs = []
    for entry in entries:
        if entry is None:
            continue
        name, value = lenient_string(entry[0]), json_lenient_string(entry[1])
        if name is not None and value is not None:
            pairs.append([name, value])
    return pairs


def _bagged_pairs(pairs: Pairs | None, bag: BagSize) -> Pairs | None:
    # `None` (and an empty list) leave the field out.
    trimmed = trim_bag(pairs, bag) or []
    return [pair for pair in trimmed if isinstance(pair, list) and len(pair) == 2] or None


def _parse_body(raw: Any) -> Any:
    # Relay infers structure from a body sent as text: JSON first, then a form-encoded body.
    if not isinstance(raw, str):
        return raw
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    return _form_body(raw) or raw


def _form_body(raw: str) -> dict[str, str] | None:
    if not raw.isascii() or raw.startswith(("<?xml", "{", "[")):
        return None
    form = dict(parse_qsl(raw, keep_blank_values=True))
    # A lone word or base64 text also "parses" (`foo` → {"foo": ""}); that is not a form.
    if len(form) > 1 or (len(form) == 1 and next(iter(form.values())) not in ("", "=")):
        return form
    return None
