"""Reading CSP violation reports: the directive, the blocked origin and the human message.

Grouping keys on (directive, blocked origin) so one misconfigured host is one issue however many pages
trip it; titles reuse the same two values, phrased the way Sentry and Relay phrase them.
"""

from __future__ import annotations

from .fields import Obj, text

LOCAL = "'self'"

# Chrome reports inline script/eval as these pseudo-URIs; older browsers leave blocked_uri empty.
_LOCAL_URIS = frozenset({"", "self", LOCAL, "inline", "eval"})

_RESOURCE_NAMES = {
    "child-src": "child",
    "connect-src": "connect",
    "font-src": "font",
    "form-action": "form action",
    "frame-src": "frame",
    "img-src": "image",
    "manifest-src": "manifest",
    "media-src": "media",
    "object-src": "object",
    "script-src": "script",
    "style-src": "style",
    "worker-src": "worker",
}


def effective_directive(csp: Obj) -> str:
    """The directive that was violated, e.g. ``script-src`` (from ``violated_directive`` if needed)."""
    directive = text(csp, "effective_directive") or text(csp, "violated_directive")
    return directive.split()[0] if directive.split() else ""


def normalized_blocked_uri(csp: Obj) -> str:
    """The blocked origin: the host for http(s), ``scheme:`` or ``scheme://host`` otherwise, or ``'self'``."""
    uri = text(csp, "blocked_uri").strip()
    if uri in _LOCAL_URIS:
        return LOCAL
    scheme, separator, rest = uri.partition(":")
    scheme = scheme.lower()
    if not separator or not rest.startswith("//"):
        # "data:image/png;…", "about:blank", or just "data"/"blob": the scheme is all that identifies it
        return f"{scheme}:"
    host = rest[2:].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1]
    return host if scheme in ("http", "https") else f"{scheme}://{host}"


def local_script_violation(csp: Obj) -> str | None:
    """``unsafe-inline`` or ``unsafe-eval`` when a page's own inline script or eval() was blocked."""
    if not effective_directive(csp).startswith("script-src") or normalized_blocked_uri(csp) != LOCAL:
        return None
    blocked = text(csp, "blocked_uri").strip()
    if blocked in ("inline", "eval"):
        return f"unsafe-{blocked}"
    # Older reports do not say which; a policy that allows one of the two must have blocked the other.
    policy = text(csp, "violated_directive")
    if "'unsafe-inline'" in policy:
        return "unsafe-eval"
    if "'unsafe-eval'" in policy:
        return "unsafe-inline"
    return None


def csp_message(csp: Obj) -> str:
    """A one-line description such as ``Blocked 'script' from 'cdn.example.com'``."""
    violation = local_script_violation(csp)
    if violation == "unsafe-eval":
        return "Blocked unsafe eval() 'script'"
    if violation == "unsafe-inline":
        return "Blocked unsafe inline 'script'"
    directive = effective_directive(csp)
    family = directive.removesuffix("-elem").removesuffix("-attr")
    resource = _RESOURCE_NAMES.get(family, directive or "resource")
    uri = normalized_blocked_uri(csp)
    if uri == LOCAL:
        return f"Blocked inline '{resource}'"
    return f"Blocked '{resource}' from '{uri}'"
