"""Tag values become searches that the one grammar reads back as the same value."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from heron.search import TagFilter, parse_query
from heron.web.tag_links import search_term, tag_search_url


@pytest.mark.parametrize(
    "value", ["production", "Chrome 120", 'say "hi"', "back\\slash", "[bracketed]", "a:b", "ünïcode", "<img src=x>"]
)
def test_a_tag_value_reads_back_as_itself(value: str) -> None:
    parsed = parse_query(search_term("browser", value), datetime.now(UTC))
    assert parsed.filters == (TagFilter("browser", (value,)),)


def test_keys_the_grammar_cannot_read_get_no_link() -> None:
    assert tag_search_url("acme", 1, "has space", "x") is None
    assert tag_search_url("acme", 1, "browser", "x") == "/organizations/acme/issues/?project=1&query=browser%3Ax"
