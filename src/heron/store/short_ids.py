"""Sentry's short issue ids (`APP-1A`): the project slug and the issue's per-project number in base32."""

from __future__ import annotations

# Sentry's short-id alphabet (Crockford's base32: no I, L, O, U).
SHORT_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def encode_short_id(number: int) -> str:
    """Sentry's base32 form of an issue's per-project number."""
    digits = ""
    while True:
        number, remainder = divmod(number, 32)
        digits = SHORT_ID_ALPHABET[remainder] + digits
        if number == 0:
            return digits


def qualified_short_id(project_slug: str, number: int) -> str:
    """`APP-1A`: what an issue is called in lists, titles and sentry-cli."""
    return f"{project_slug.upper()}-{encode_short_id(number)}"
