"""Performance: transactions, spans and the `monitor_performance` decorator.

Inside a running transaction (a traced request, say) `start_transaction` and `monitor_performance` open a
child span instead of a second, detached transaction, so the work shows up in the request's trace.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Any, ParamSpec, TypeVar, cast

import sentry_sdk
from sentry_sdk.tracing import NoOpSpan, Span

from heron_monitoring.failures import guarded_context, report_failure

P = ParamSpec("P")
R = TypeVar("R")


def start_transaction(name: str, op: str = "task") -> AbstractContextManager[Span]:
    """Time the block as transaction `name` (a child span when a transaction is already running).

    `with start_transaction(name="checkout.process_payment", op="task") as transaction: ...`
    """
    return guarded_context("start_transaction", lambda: _open_transaction(name, op), NoOpSpan())


def start_span(op: str, description: str | None = None) -> AbstractContextManager[Span]:
    """Time the block as a span of the running transaction: `with start_span("stripe.api", "Create customer"):`."""
    return guarded_context("start_span", lambda: sentry_sdk.start_span(op=op, name=description), NoOpSpan())


def monitor_performance(name: str | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a function (sync or async) to time each call as transaction `name` (by default its dotted name).

    The decorated function keeps its name, docstring and signature, and returns or raises what it did before.
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        try:
            return _timed(func, name or _dotted_name(func))
        except Exception:
            report_failure("monitor_performance")
            return func

    return decorate


def _timed(func: Callable[P, R], name: str) -> Callable[P, R]:
    if inspect.iscoroutinefunction(func):
        coroutine_function = cast(Callable[P, Awaitable[Any]], func)

        @functools.wraps(func)
        async def timed_coroutine(*args: P.args, **kwargs: P.kwargs) -> Any:
            with start_transaction(name, op="function"):
                return await coroutine_function(*args, **kwargs)

        return cast(Callable[P, R], timed_coroutine)

    @functools.wraps(func)
    def timed(*args: P.args, **kwargs: P.kwargs) -> R:
        with start_transaction(name, op="function"):
            return func(*args, **kwargs)

    return timed


def _dotted_name(func: Callable[..., object]) -> str:
    qualname = getattr(func, "__qualname__", None)
    return f"{func.__module__}.{qualname}" if qualname else repr(func)


def _open_transaction(name: str, op: str) -> Span:
    if sentry_sdk.get_current_span() is not None:
        return sentry_sdk.start_span(op=op, name=name)
    return sentry_sdk.start_transaction(name=name, op=op)
