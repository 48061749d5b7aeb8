"""The issue search grammar: each kind of term, and the errors bad queries get."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from heron.search import (
    AssignedFilter,
    AssigneeFilter,
    CountFilter,
    DateFilter,
    HasFilter,
    SearchError,
    StatusFilter,
    TagFilter,
    TextFilter,
    UserFilter,
    parse_duration,
    parse_query,
)

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("is:unresolved", StatusFilter(frozenset({0}))),
        ("is:resolved", StatusFilter(frozenset({1}))),
        ("is:ignored", StatusFilter(frozenset({2}))),
        ("is:archived", StatusFilter(frozenset({2}))),
        ("!is:resolved", StatusFilter(frozenset({1}), negated=True)),
        ("is:assigned", AssignedFilter(True)),
        ("is:unassigned", AssignedFilter(False)),
        ("!is:assigned", AssignedFilter(False)),
        ("assigned:me", AssigneeFilter("me")),
        ("assigned:none", AssigneeFilter("none")),
        ("assigned:jane@example.com", AssigneeFilter("jane@example.com")),
        ("!assigned:me", AssigneeFilter("me", negated=True)),
        ("level:error", TagFilter("level", ("error",))),
        ("environment:production", TagFilter("environment", ("production",))),
        ("release:1.0.0", TagFilter("release", ("1.0.0",))),
        ("transaction:/checkout", TagFilter("transaction", ("/checkout",))),
        ('browser:"Chrome 120"', TagFilter("browser", ("Chrome 120",))),
        ('release:[1.0, "1.1 beta"]', TagFilter("release", ("1.0", "1.1 beta"))),
        ("server_name:web-*", TagFilter("server_name", ("web-*",))),
        ("!environment:staging", TagFilter("environment", ("staging",), negated=True)),
        ("has:user", HasFilter("user")),
        ("!has:release", HasFilter("release", negated=True)),
        ("user.email:jane@example.com", UserFilter("email", "jane@example.com")),
        ("user.id:42", UserFilter("id", "42")),
        ("!user.username:bob", UserFilter("username", "bob", negated=True)),
        ("firstSeen:-24h", DateFilter("first_seen", ">=", NOW - timedelta(hours=24))),
        ("age:-2w", DateFilter("first_seen", ">=", NOW - timedelta(weeks=2))),
        ("lastSeen:+7d", DateFilter("last_seen", "<=", NOW - timedelta(days=7))),
        ("lastSeen:>2024-05-01", DateFilter("last_seen", ">", datetime(2024, 5, 1, tzinfo=UTC))),
        ("firstSeen:<=2024-05-01T10:30:00Z", DateFilter("first_seen", "<=", datetime(2024, 5, 1, 10, 30, tzinfo=UTC))),
        ("firstSeen:2024-05-01", DateFilter("first_seen", "day", datetime(2024, 5, 1, tzinfo=UTC))),
        ("times_seen:>100", CountFilter("times_seen", ">", 100)),
        ("times_seen:<=1k", CountFilter("times_seen", "<=", 1000)),
        ("timesSeen:5", CountFilter("times_seen", "=", 5)),
        ('"connection reset"', TextFilter("connection reset")),
        ("timeout", TextFilter("timeout")),
        ('message:"db down"', TextFilter("db down")),
        ("!message:healthcheck", TextFilter("healthcheck", negated=True)),
        ('"say \\"hi\\""', TextFilter('say "hi"')),
    ],
)
def test_each_term_parses_to_its_filter(query: str, expected: object) -> None:
    assert parse_query(query, NOW).filters == (expected,)


def test_terms_combine_and_several_statuses_mean_any_of_them() -> None:
    parsed = parse_query("level:error is:unresolved  is:ignored  KeyError", NOW)
    assert parsed.filters == (
        StatusFilter(frozenset({0, 2})),
        TagFilter("level", ("error",)),
        TextFilter("KeyError"),
    )


def test_an_empty_query_has_no_filters() -> None:
    assert parse_query("   ", NOW).filters == ()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('title:"unterminated', "unterminated quote"),
        ('"unterminated', "unterminated quote"),
        ("level: error", "level: needs a value"),
        ("is:sleeping", "invalid is:sleeping"),
        ("release:[]", "release: needs a value"),
        ("times_seen:>lots", "invalid number for times_seen"),
        ("firstSeen:yesterday", "invalid date for firstSeen"),
        ("lastSeen:2024-05-01T10:00", "needs an operator"),
        ("!firstSeen:-24h", "cannot be negated"),
    ],
)
def test_bad_queries_say_what_is_wrong(query: str, message: str) -> None:
    with pytest.raises(SearchError, match=message):
        parse_query(query, NOW)


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("24h", timedelta(hours=24)),
        ("14d", timedelta(days=14)),
        ("30m", timedelta(minutes=30)),
        ("2w", timedelta(weeks=2)),
    ],
)
def test_periods(period: str, expected: timedelta) -> None:
    assert parse_duration(period) == expected


@pytest.mark.parametrize("period", ["", "24", "1y", "-1d", "h"])
def test_bad_periods_are_refused(period: str) -> None:
    with pytest.raises(SearchError, match="invalid period"):
        parse_duration(period)
