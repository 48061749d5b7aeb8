"""Values signed with HERON_SECRET_KEY (HMAC-SHA256), so a cookie that was not issued here is refused before any
lookup. Each use has its own purpose string: a signature made for one never passes for another."""

from __future__ import annotations

import base64
import hashlib
import hmac


def signature(secret: str, purpose: str, value: str) -> str:
    """The URL-safe HMAC of `value` for `purpose`."""
    digest = hmac.new(secret.encode(), f"{purpose}\0{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(secret: str, purpose: str, value: str) -> str:
    """`value.signature`; `value` must not contain a dot."""
    return f"{value}.{signature(secret, purpose, value)}"


def unsign(secret: str, purpose: str, signed: str) -> str | None:
    """The value of a `sign`ed string, or None when the signature does not match."""
    value, dot, mac = signed.rpartition(".")
    if not dot or not value:
        return None
    return value if hmac.compare_digest(mac, signature(secret, purpose, value)) else None
