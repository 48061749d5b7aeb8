"""The issue search grammar (Sentry's `?query=`), parsed in one place into plain filters. Pure: no I/O.

    is:unresolved  !is:ignored  assigned:me  level:error  browser:"Chrome 120"  release:[1.0, 1.1]
    user.email:jane@example.com  firstSeen:-24h  lastSeen:+7d  times_seen:>100  has:user  "connection reset"

Terms are ANDed, except several `is:` statuses, which mean any of them. `docs/search.md` describes every key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

DEFAULT_QUERY = "is:unresolved"

STATUSES = {"unresolved": 0, "resolved": 1, "ignored": 2, "archived": 2, "muted": 2}
DATE_KEYS = {"firstSeen": "first_seen", "first_seen": "first_seen", "age": "first_seen",
             "lastSeen": "last_seen", "last_seen": "last_seen"}  # fmt: skip
COUNT_KEYS = {"times_seen": "times_seen", "timesSeen": "times_seen", "user_count": "user_count"}
USER_KEYS = {"user.id": "id", "user.email": "email", "user.username": "username", "user.ip": "ip"}
TEXT_KEYS = frozenset({"message", "title"})
OPERATORS = (">=", "<=", ">", "<", "=")

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<neg>!)?(?P<key>[A-Za-z_][\w.\-]*):(?P<value>"(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^\s"]+)
      | "(?P<phrase>(?:[^"\\]|\\.)*)"
      | (?P<word>[^\s"]+)
      | (?P<bad>")
    )""",
    re.VERBOSE,
)
_EMPTY_TERM = re.compile(r"!?[A-Za-z_][\w.\-]*:")
_DURATION = re.compile(r"([+-])(\d+)([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)([km]?)", re.IGNORECASE)


class SearchError(ValueError):
    """A query that does not parse; the message says what is wrong and where."""


@dataclass(frozen=True, slots=True)
class StatusFilter:
    """`is:unresolved|resolved|ignored` — the issue has one of `statuses` (none of them when negated)."""

    statuses: frozenset[int]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class AssignedFilter:
    """`is:assigned` / `is:unassigned`."""

    assigned: bool


@dataclass(frozen=True, slots=True)
class AssigneeFilter:
    """`assigned:me|none|EMAIL|USERNAME|ID` — `who` is kept as written; the store resolves it."""

    who: str
    negated: bool = False


@dataclass(frozen=True, slots=True)
class TagFilter:
    """`key:value` (or `key:[a, b]`): some event of the issue had one of `values`; `*` is a wildcard."""

    key: str
    values: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class HasFilter:
    """`has:key`: some event of the issue had tag `key`."""

    key: str
    negated: bool = False


@dataclass(frozen=True, slots=True)
class UserFilter:
    """`user.id|email|username|ip:value`: the issue was seen by that user (Sentry's `field:value` user key)."""

    field: str
    value: str
    negated: bool = False


@dataclass(frozen=True, slots=True)
class DateFilter:
    """`firstSeen` / `lastSeen` compared with `when` (`column` is the issue column); operator `day` means
    on that UTC day."""

    column: str
    operator: str
    when: datetime


@dataclass(frozen=True, slots=True)
class CountFilter:
    """`times_seen` / `user_count` compared with a number."""

    column: str
    operator: str
    value: int


@dataclass(frozen=True, slots=True)
class TextFilter:
    """Free text: the title or the culprit contains `text` (case-insensitive; `*` is a wildcard)."""

    text: str
    negated: bool = False


Filter = (
    StatusFilter
    | AssignedFilter
    | AssigneeFilter
    | TagFilter
    | HasFilter
    | UserFilter
    | DateFilter
    | CountFilter
    | TextFilter
)


@dataclass(frozen=True, slots=True)
class IssueQuery:
    """A parsed query: every filter must hold."""

    filters: tuple[Filter, ...]


def parse_query(query: str, now: datetime) -> IssueQuery:
    """Parse an issue search; relative dates (`-24h`) count back from `now`. Raises SearchError."""
    filters: list[Filter] = []
    statuses: set[int] = set()
    position = 0
    query = query.strip()
    while position < len(query):
        match = _TOKEN.match(query, position)
        if match is None or match.group("bad") is not None:
            raise SearchError(f"unterminated quote at position {position + 1} of the query")
        position = match.end()
        if match.group("key") is not None:
            key, raw, negated = match.group("key"), match.group("value"), match.group("neg") is not None
            if key == "is" and not negated and raw in STATUSES:
                statuses.add(STATUSES[raw])
            else:
                filters.append(_term(key, raw, negated, now))
        else:
            word, phrase = match.group("word"), match.group("phrase")
            if word is not None and _EMPTY_TERM.fullmatch(word):
                if query.startswith('"', position):
                    raise SearchError(f"unterminated quote at position {position + 1} of the query")
                raise SearchError(f"{word} needs a value (no space after the colon)")
            text = word if phrase is None else _unescape(phrase)
            if text:
                filters.append(TextFilter(text))
    if statuses:
        filters.insert(0, StatusFilter(frozenset(statuses)))
    return IssueQuery(tuple(filters))


def parse_duration(value: str) -> timedelta:
    """`24h`, `14d`, `30m`, `2w`, `90s` as a timedelta (what `statsPeriod` takes). Raises SearchError."""
    match = _DURATION.fullmatch("-" + value.strip())
    if match is None:
        raise SearchError(f"invalid period {value!r}: use a number and a unit s, m, h, d or w (e.g. 24h, 14d)")
    return timedelta(**{_UNITS[match.group(3)]: int(match.group(2))})


def _term(key: str, raw: str, negated: bool, now: datetime) -> Filter:
    values = _values(key, raw)
    if key == "is":
        return _is_term(values[0], negated)
    if key == "has":
        return HasFilter(values[0], negated)
    if key == "assigned":
        return AssigneeFilter(values[0], negated)
    if key in USER_KEYS:
        return UserFilter(USER_KEYS[key], values[0], negated)
    if key in TEXT_KEYS:
        return TextFilter(values[0], negated)
    if key in DATE_KEYS:
        _refuse_negation(key, negated)
        operator, when = _date(key, values[0], now)
        return DateFilter(DATE_KEYS[key], operator, when)
    if key in COUNT_KEYS:
        _refuse_negation(key, negated)
        operator, number = _split_operator(values[0])
        return CountFilter(COUNT_KEYS[key], operator or "=", _number(key, number))
    return TagFilter(key, values, negated)


def _is_term(value: str, negated: bool) -> Filter:
    if value in STATUSES:
        return StatusFilter(frozenset({STATUSES[value]}), negated)
    if value in ("assigned", "unassigned"):
        return AssignedFilter((value == "assigned") != negated)
    known = ", ".join([*STATUSES, "assigned", "unassigned"])
    raise SearchError(f"invalid is:{value}; use one of {known}")


def _values(key: str, raw: str) -> tuple[str, ...]:
    if raw.startswith("["):
        items = tuple(_unquote(item.strip()) for item in raw[1:-1].split(","))
        values = tuple(item for item in items if item)
    else:
        values = (_unquote(raw),)
    if not values or not all(values):
        raise SearchError(f"{key}: needs a value")
    return values


def _date(key: str, value: str, now: datetime) -> tuple[str, datetime]:
    relative = _DURATION.fullmatch(value)
    if relative is not None:
        sign, amount, unit = relative.groups()
        when = now - timedelta(**{_UNITS[unit]: int(amount)})
        # `-24h`: within the last 24 hours; `+24h`: longer ago than that (Sentry's reading).
        return (">=" if sign == "-" else "<="), when
    operator, text = _split_operator(value)
    when = _absolute(key, text)
    if operator:
        return operator, when
    if "T" in text:
        raise SearchError(f"{key}:{value} needs an operator (>, >=, <, <=) before a date and time")
    return "day", when


def _absolute(key: str, text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SearchError(f"invalid date for {key}: {text!r}; use -24h, +7d, 2024-05-01 or >2024-05-01T10:00") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _split_operator(value: str) -> tuple[str, str]:
    for operator in OPERATORS:
        if value.startswith(operator):
            return operator, value[len(operator) :]
    return "", value


def _number(key: str, text: str) -> int:
    match = _NUMBER.fullmatch(text)
    if match is None:
        raise SearchError(f"invalid number for {key}: {text!r}")
    scale = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)


def _refuse_negation(key: str, negated: bool) -> None:
    if negated:
        raise SearchError(f"!{key}: cannot be negated; use the opposite operator")


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return _unescape(value[1:-1])
    return value


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)
