"""Posted forms (`application/x-www-form-urlencoded` only: pages upload no files), read with a size cap."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.datastructures import FormData, UploadFile

MAX_FORM_BYTES = 256 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"


class FormError(ValueError):
    """A body that is not a form this server reads (wrong type, too large, not UTF-8)."""


def parse_form(content_type: str, body: bytes) -> FormData:
    """The fields of a urlencoded body. Raises FormError."""
    if content_type.split(";", 1)[0].strip().lower() != FORM_TYPE:
        raise FormError(f"forms must be sent as {FORM_TYPE}")
    if len(body) > MAX_FORM_BYTES:
        raise FormError("the form is too large")
    try:
        fields: list[tuple[str, str | UploadFile]] = [
            *parse_qsl(body.decode(), keep_blank_values=True, max_num_fields=1000)
        ]
    except (UnicodeDecodeError, ValueError) as error:
        raise FormError(f"unreadable form: {error}") from None
    return FormData(fields)
