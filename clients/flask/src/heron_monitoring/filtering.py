"""Which errors are not reported: the configured `ignore_errors`, and HTTP errors the client caused (404…)."""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.exceptions import HTTPException

from heron_monitoring.config import IgnoredError


def is_ignored(error_type: type[BaseException], ignore_errors: Iterable[IgnoredError]) -> bool:
    """Whether `error_type` is, or inherits from, an ignored class or a class of an ignored name.

    A name matches a class's name (`NoisyError`), qualified name (`Gateway.Timeout`) or module and qualified name
    (`shop.payments.NoisyError`).
    """
    names = {
        name
        for cls in error_type.__mro__
        for name in (cls.__name__, cls.__qualname__, f"{cls.__module__}.{cls.__qualname__}")
    }
    return any(
        ignored in names if isinstance(ignored, str) else issubclass(error_type, ignored) for ignored in ignore_errors
    )


def is_client_error(error: BaseException | None) -> bool:
    """Whether `error` is an HTTP error below 500 (a 404, a 403…): the client's doing, not a bug to report."""
    return isinstance(error, HTTPException) and error.code is not None and error.code < 500
