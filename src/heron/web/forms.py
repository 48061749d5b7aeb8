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


def optional_int(form: FormData, name: str, label: str, *, maximum: int = 2**31 - 1) -> int | None:
    """A whole-number field; None when left empty. Raises FormError naming `label` when it is not one."""
    raw = str(form.get(name, "")).strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > maximum:
        raise FormError(f"{label} must be a whole number.")
    return int(raw)


def id_list(form: FormData, name: str) -> list[int]:
    """The ids of a group of checkboxes (non-numeric values are ignored: they can name nothing)."""
    return sorted({int(value) for value in form.getlist(name) if isinstance(value, str) and value.isdigit()})
