"""The library's own failures: logged once per kind and swallowed, so that monitoring never breaks the app.

The public functions are module-level (that is the API the Sentry guide shows), so the record of which kinds
of failure were already logged is module-level too.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import ParamSpec, TypeVar

logger = logging.getLogger("heron_monitoring")

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

_reported_kinds: set[str] = set()


def report_failure(kind: str) -> None:
    """Log the exception being handled as a failure of `kind`: a warning the first time, debug afterwards."""
    if kind in _reported_kinds:
        logger.debug("%s failed again", kind, exc_info=True)
        return
    _reported_kinds.add(kind)
    logger.warning("%s failed; the application carries on without it (logged once)", kind, exc_info=True)


def never_raises(func: Callable[P, R]) -> Callable[P, R | None]:
    """`func`, except that an exception it raises is reported and `None` is returned instead."""

    @functools.wraps(func)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return func(*args, **kwargs)
        except Exception:
            report_failure(func.__name__)
            return None

    return guarded


@contextmanager
def guarded_context(kind: str, open_manager: Callable[[], AbstractContextManager[T]], fallback: T) -> Iterator[T]:
    """Run the caller's block inside the context manager `open_manager` returns.

    A failure to open, enter or exit that manager is reported and swallowed (the block then gets `fallback`);
    an exception raised by the block itself always propagates unchanged.
    """
    manager: AbstractContextManager[T] | None = None
    entered = fallback
    try:
        manager = open_manager()
        entered = manager.__enter__()
    except Exception:
        manager = None
        entered = fallback
        report_failure(kind)
    try:
        yield entered
    except BaseException as error:
        _exit_quietly(kind, manager, error)
        raise
    _exit_quietly(kind, manager, None)


def _exit_quietly(kind: str, manager: AbstractContextManager[object] | None, error: BaseException | None) -> None:
    if manager is None:
        return
    try:
        if error is None:
            manager.__exit__(None, None, None)
        else:
            manager.__exit__(type(error), error, error.__traceback__)
    except Exception:
        report_failure(kind)
