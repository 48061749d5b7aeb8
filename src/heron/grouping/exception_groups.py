"""Which exceptions of an exception-group event decide its grouping (Sentry RFC 0079).

SDKs flatten an exception tree (Python ``ExceptionGroup``, JS ``AggregateError``) into ``exception.values``
with ``mechanism.exception_id``/``parent_id``. Grouping on the whole flattened list would split issues on
the number and order of the grouped errors, so: the "top-level" exceptions are the first non-group
descendants of the root; if they are all alike, the event groups (and is titled) as that one exception
with its causes; otherwise by one of each distinct top-level exception plus the root group.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .fields import Obj, child


@dataclass(frozen=True, slots=True)
class ExceptionSelection:
    """Positions in ``exception.values`` that group the event, and the one that stands for it if any."""

    indices: list[int]
    main: int | None


def _exception_id(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _is_group(exception: Obj) -> bool:
    return child(exception, "mechanism").get("is_exception_group") is True


def select_exceptions(exceptions: Sequence[Obj], distinct_key: Callable[[int], str]) -> ExceptionSelection:
    """Pick the exceptions to group by; ``distinct_key(index)`` tells which exceptions are alike.

    Events without exception groups, or with incomplete ids, keep every exception in their own order.
    """
    everything = ExceptionSelection(list(range(len(exceptions))), None)
    if len(exceptions) < 2 or not any(_is_group(exception) for exception in exceptions):
        return everything

    ids: list[int] = []
    for exception in exceptions:
        exception_id = _exception_id(child(exception, "mechanism").get("exception_id"))
        if exception_id is None or exception_id in ids:
            return everything
        ids.append(exception_id)
    children: dict[int, list[int]] = {}
    for index, exception in enumerate(exceptions):
        parent_id = _exception_id(child(exception, "mechanism").get("parent_id"))
        if parent_id is not None and parent_id != ids[index]:
            children.setdefault(parent_id, []).append(index)
    if 0 not in ids:
        return everything
    root = ids.index(0)

    distinct: dict[str, int] = {}
    for index in _top_level(root, exceptions, ids, children):
        distinct.setdefault(distinct_key(index), index)
    if len(distinct) == 1:
        main = next(iter(distinct.values()))
        return ExceptionSelection(sorted(_first_path(main, ids, children)), main)
    # Sorted by key so that the same errors raised in another order still group together.
    return ExceptionSelection([distinct[key] for key in sorted(distinct)] + [root], None)


def _top_level(root: int, exceptions: Sequence[Obj], ids: list[int], children: dict[int, list[int]]) -> list[int]:
    """The first non-group exceptions below ``root``, depth first; ``seen`` guards against id cycles."""
    found: list[int] = []
    stack, seen = [root], set()
    while stack:
        index = stack.pop()
        if index in seen:
            continue
        seen.add(index)
        if _is_group(exceptions[index]):
            stack.extend(reversed(children.get(ids[index], [])))
        else:
            found.append(index)
    return found


def _first_path(start: int, ids: list[int], children: dict[int, list[int]]) -> list[int]:
    """``start`` and its chain of first children (its cause, the cause's cause, …)."""
    path = [start]
    while (kids := children.get(ids[path[-1]])) and kids[0] not in path:
        path.append(kids[0])
    return path
