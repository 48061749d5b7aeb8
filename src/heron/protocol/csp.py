"""Browser Content-Security-Policy violation reports turned into Sentry-style `csp` events.

Browsers post either the legacy `report-uri` form, `{"csp-report": {...}}` with kebab-case keys, or the
Reporting API form, `[{"type": "csp-violation", "body": {...}}]` with camelCase keys. Titles, culprit and
tags follow Relay (`relay-event-schema/src/protocol/security_report.rs`), so issues read and group as in
Sentry: "Blocked 'script' from 'evil.example.com'", "Blocked inline 'style'"...
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import orjson

from heron.protocol.errors import MalformedRequest

# fmt: off
_DIRECTIVES = frozenset({
    "base-uri", "child-src", "connect-src", "default-src", "fenced-frame-src", "font-src", "form-action",
    "frame-ancestors", "frame-src", "img-src", "manifest-src", "media-src", "object-src", "plugin-types",
    "prefetch-src", "referrer", "script-src", "script-src-attr", "script-src-elem", "style-src",
    "style-src-elem", "style-src-attr", "upgrade-insecure-requests", "worker-src", "sandbox", "navigate-to",
    "report-uri", "report-to", "block-all-mixed-content", "require-sri-for", "require-trusted-types-for",
    "trusted-types",
})
# fmt: on
# Titles when the blocked URI is the page itself (inline code); other directives: "Blocked inline '<d>'".
_INLINE_TITLES = {
    "child-src": "Blocked inline 'child'",
    "connect-src": "Blocked inline 'connect'",
    "font-src": "Blocked inline 'font'",
    "img-src": "Blocked inline 'image'",
    "manifest-src": "Blocked inline 'manifest'",
    "media-src": "Blocked inline 'media'",
    "object-src": "Blocked inline 'object'",
    "script-src-attr": "Blocked unsafe 'script' element",
    "script-src-elem": "Blocked inline script attribute",
    "style-src": "Blocked inline 'style'",
    "style-src-elem": "Blocked 'style' or 'link' element",
    "style-src-attr": "Blocked style attribute",
    "script-src": "Blocked unsafe (eval() or inline) 'script'",
}
# Titles for a resource from elsewhere; other directives: "Blocked '<d>' from '<uri>'".
_FROM_TITLES = {
    "child-src": "Blocked 'child' from '{uri}'",
    "connect-src": "Blocked 'connect' from '{uri}'",
    "font-src": "Blocked 'font' from '{uri}'",
    "form-action": "Blocked 'form' action to '{uri}'",
    "img-src": "Blocked 'image' from '{uri}'",
    "manifest-src": "Blocked 'manifest' from '{uri}'",
    "media-src": "Blocked 'media' from '{uri}'",
    "object-src": "Blocked 'object' from '{uri}'",
    "script-src": "Blocked 'script' from '{uri}'",
    "script-src-attr": "Blocked inline script attribute from '{uri}'",
    "script-src-elem": "Blocked 'script' from '{uri}'",
    "style-src": "Blocked 'style' from '{uri}'",
    "style-src-elem": "Blocked 'style' from '{uri}'",
    "style-src-attr": "Blocked style attribute from '{uri}'",
}
# CSP level 3 names what script-src blocked with these exact markers.
_SCRIPT_MARKER_TITLES = {"inline": "Blocked unsafe inline 'script'", "eval": "Blocked unsafe eval() 'script'"}
# Schemes that Python's urlunsplit writes with "//", which Relay mimics when naming a blocked URI.
# fmt: off
_SCHEMES_WITH_HOST = frozenset({
    "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https", "shttp", "snews",
    "prospero", "rtsp", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs", "git", "git+ssh", "ws", "wss",
})
# fmt: on
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}
_KEYWORD_SOURCES = frozenset({"'none'", "'self'", "'unsafe-inline'", "'unsafe-eval'"})
_SCHEME_SOURCES = ("data:", "mediastream:", "blob:", "filesystem:", "http:", "https:", "file:")

_STRING_FIELDS = {
    "document_uri": ("document-uri", "documentURL"),
    "referrer": ("referrer",),
    "violated_directive": ("violated-directive", "violatedDirective"),
    "effective_directive": ("effective-directive", "effectiveDirective"),
    "original_policy": ("original-policy", "originalPolicy"),
    "blocked_uri": ("blocked-uri", "blockedURL"),
    "source_file": ("source-file", "sourceFile"),
    "script_sample": ("script-sample", "scriptSample", "sample"),
    "disposition": ("disposition",),
}
_NUMBER_FIELDS = {
    "line_number": ("line-number", "lineNumber"),
    "column_number": ("column-number", "columnNumber"),
    "status_code": ("status-code", "statusCode"),
}
_MAX_NUMBER = 2**64 - 1


def csp_report_to_event(body: bytes) -> dict[str, Any]:
    """A Sentry event dict (`type: csp`) for a browser CSP report; MalformedRequest if it is not one."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedRequest(f"invalid CSP report: {exc}") from None
    report = _violation(data)
    csp: dict[str, Any] = {name: _string(report, name, aliases) for name, aliases in _STRING_FIELDS.items()}
    csp.update({name: _number(report, name, aliases) for name, aliases in _NUMBER_FIELDS.items()})
    # Browsers omit blocked-uri for the page's own inline code; Relay reads that as 'self'.
    blocked_uri: str = csp["blocked_uri"] if csp["blocked_uri"] is not None else "self"
    violated: str = csp["violated_directive"] or ""
    directive = _effective_directive(csp["effective_directive"], violated)
    csp.update(effective_directive=directive, blocked_uri=blocked_uri, violated_directive=violated)
    request: dict[str, Any] = {}
    if csp["document_uri"] is not None:
        request["url"] = csp["document_uri"]
    if csp["referrer"]:
        request["headers"] = [["Referer", csp["referrer"]]]
    return {
        "type": "csp",
        "logger": "csp",
        "level": "error",
        "logentry": {"message": _title(directive, blocked_uri)},
        "culprit": _culprit(violated, csp["document_uri"] or ""),
        "csp": csp,
        "request": request,
        "tags": _tags(directive, blocked_uri),
    }


def _violation(data: Any) -> dict[str, Any]:
    """The violation body of a legacy report, a Reporting API report, or the first in a batch of them."""
    if isinstance(data, dict) and isinstance(legacy := data.get("csp-report"), dict):
        return legacy
    reports = data if isinstance(data, list) else [data]
    for report in reports:
        if isinstance(report, dict) and report.get("type") == "csp-violation":
            body = report.get("body")
            if isinstance(body, dict):
                return body
    raise MalformedRequest("not a CSP report: expected 'csp-report' or a 'csp-violation' report")


def _lookup(report: dict[str, Any], name: str, aliases: tuple[str, ...]) -> tuple[str, Any]:
    for key in (name, *aliases):
        if report.get(key) is not None:
            return key, report[key]
    return name, None


def _string(report: dict[str, Any], name: str, aliases: tuple[str, ...]) -> str | None:
    key, value = _lookup(report, name, aliases)
    if value is not None and not isinstance(value, str):
        raise MalformedRequest(f"invalid CSP report: {key!r} must be a string")
    return value


def _number(report: dict[str, Any], name: str, aliases: tuple[str, ...]) -> int | None:
    # Browsers send numbers; some send them as strings ("status-code": "200").
    key, value = _lookup(report, name, aliases)
    if value is None:
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_NUMBER:
        raise MalformedRequest(f"invalid CSP report: {key!r} must be a non-negative integer")
    return value


def _effective_directive(effective: str | None, violated: str) -> str:
    # Firefox sends no effective-directive; CSP2 browsers put the policy's sources after the name.
    for candidate in (effective or "", violated):
        name = candidate.split(" ", 1)[0]
        if name in _DIRECTIVES:
            return name
    raise MalformedRequest("invalid CSP report: no known effective or violated directive")


def _title(directive: str, blocked_uri: str) -> str:
    if directive == "script-src" and blocked_uri in _SCRIPT_MARKER_TITLES:
        return _SCRIPT_MARKER_TITLES[blocked_uri]
    if _is_local(blocked_uri):
        return _INLINE_TITLES.get(directive, f"Blocked inline '{directive}'")
    title = _FROM_TITLES.get(directive, f"Blocked '{directive}' from '{{uri}}'")
    return title.format(uri=_normalize_uri(blocked_uri))


def _culprit(violated: str, document_uri: str) -> str:
    """The violated directive with sources that name the page itself rewritten to 'self'."""
    bits = violated.split()
    if not bits:
        return ""
    page = _normalize_uri(document_uri)
    page_scheme = document_uri.split(":", 1)[0] if ":" in document_uri else None
    return " ".join([bits[0], *(_normalize_source(bit, page, page_scheme) for bit in bits[1:])])


def _normalize_source(value: str, page: str, page_scheme: str | None) -> str:
    if value in _KEYWORD_SOURCES:
        return value
    if value.startswith(_SCHEME_SOURCES):
        return "'self'" if _normalize_uri(value) == page else value
    if value == page:
        return "'self'"
    # A source without scheme uses the page's; only unusual page schemes are worth spelling out.
    if page_scheme is None or page_scheme in ("http", "https"):
        return value
    return _unsplit(page_scheme, value)


def _tags(directive: str, blocked_uri: str) -> list[list[str]]:
    # Stripe puts card data in query strings of blocked URIs; tags are not scrubbed, so cut it off.
    sanitized = blocked_uri
    if sanitized.startswith("https://api.stripe.com/"):
        sanitized = sanitized.split("?", 1)[0].split("#", 1)[0]
    tags = [["effective-directive", directive], ["blocked-uri", sanitized]]
    parts = _split(blocked_uri)
    if parts is not None and parts[0] in ("http", "https") and parts[1]:
        tags.append(["blocked-host", parts[1]])
    return tags


def _is_local(uri: str) -> bool:
    return uri in ("", "self", "'self'")


def _normalize_uri(value: str) -> str:
    """How a URI is named in titles: host[:port] for http(s), `scheme://host` or `scheme:` otherwise."""
    if _is_local(value):
        return "'self'"
    # Browsers often report just a scheme ("data", "blob").
    if ":" not in value:
        return _unsplit(value, "")
    parts = _split(value)
    if parts is None:
        return value
    scheme, host, port = parts
    name = host if scheme in ("http", "https") else _unsplit(scheme, host)
    return f"{name}:{port}" if port is not None else name


def _split(value: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, non-default port) of an absolute URL, or None if it is not one."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme:
        return None
    scheme = parts.scheme.lower()
    return scheme, parts.hostname or "", None if port == _DEFAULT_PORTS.get(scheme) else port


def _unsplit(scheme: str, host: str) -> str:
    if host or scheme in _SCHEMES_WITH_HOST:
        return f"{scheme}://{host}"
    return f"{scheme}:{host}" if scheme else ""
