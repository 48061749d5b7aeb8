"""The issue stream: the one search grammar, four sorts, keyset pages in both directions, clear search errors."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.store.world import NOW, add_issue
from tests.web.site import Site, sign_in


@pytest.fixture
def acme(site: Site) -> Site:
    _organization, project = site.organization("acme", "ann@acme.example")
    with site.db() as session:
        site.names["project"] = project
        payment = {"environment": ["production"], "level": ["error"]}
        add_issue(session, project, "Payment declined", culprit="shop.pay", times_seen=5, users=("id:1",),
                  tags=payment, first_seen=NOW - timedelta(days=3))  # fmt: skip
        add_issue(session, project, "Cart is empty", culprit="shop.cart", times_seen=50,
                  tags={"environment": ["staging"]}, last_seen=NOW - timedelta(hours=1))  # fmt: skip
        add_issue(session, project, "Coupon expired", culprit="shop.coupons", times_seen=1,
                  users=("id:1", "id:2", "id:3"), first_seen=NOW - timedelta(days=1),
                  last_seen=NOW - timedelta(hours=2))  # fmt: skip
    return site


def titles(html: str) -> list[str]:
    return re.findall(r'class="issue-title" href="[^"]+">([^<]+)</a>', html)


def stream(site: Site, query: str) -> tuple[int, str]:
    client = site.client()
    sign_in(client, "ann@acme.example")
    response = client.get(f"/organizations/acme/issues/{query}")
    return response.status_code, response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Payment declined", "Cart is empty", "Coupon expired"]),
        ("?query=environment:production", ["Payment declined"]),
        ("?query=!environment:production", ["Cart is empty", "Coupon expired"]),
        ('?query="cart is"', ["Cart is empty"]),
        ("?query=times_seen:>4 shop.*", ["Payment declined", "Cart is empty"]),
        ("?query=user.id:2", ["Coupon expired"]),
        ("?query=is:resolved", []),
    ],
)
def test_the_search_narrows_the_stream(acme: Site, query: str, expected: list[str]) -> None:
    status, html = stream(acme, query)
    assert status == 200
    assert titles(html) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("date", ["Payment declined", "Cart is empty", "Coupon expired"]),
        ("new", ["Cart is empty", "Coupon expired", "Payment declined"]),
        ("freq", ["Cart is empty", "Payment declined", "Coupon expired"]),
        ("user", ["Coupon expired", "Payment declined", "Cart is empty"]),
    ],
)
def test_the_stream_sorts_by_last_seen_first_seen_events_and_users(acme: Site, sort: str, expected: list[str]) -> None:
    assert titles(stream(acme, f"?sort={sort}")[1]) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('?query="unterminated', "unterminated quote"),
        ("?query=is:sleeping", "invalid is:sleeping"),
        ("?query=times_seen:>lots", "invalid number for times_seen"),
        ("?sort=loudest", "unknown sort"),
        ("?cursor=garbage", "invalid cursor"),
    ],
)
def test_a_bad_search_says_what_is_wrong(acme: Site, query: str, message: str) -> None:
    status, html = stream(acme, query)
    assert status == 400
    assert "Your search could not be read" in html and message in html
    assert 'name="query"' in html  # the form is there to fix it


def test_a_project_filter_of_the_organization_narrows_to_it(acme: Site) -> None:
    status, html = stream(acme, f"?project={acme.names['project']}")
    assert status == 200 and len(titles(html)) == 3
    assert f'value="{acme.names["project"]}" selected' in html


def test_pages_follow_each_other_without_gaps_or_repeats(site: Site) -> None:
    _organization, project = site.organization("acme", "ann@acme.example")
    with site.db() as session:
        for number in range(60):
            # Pairs of issues share a last-seen time, so the id has to break ties.
            add_issue(session, project, f"Issue {number:02}", last_seen=NOW - timedelta(minutes=number // 2))
    client = site.client()
    sign_in(client, "ann@acme.example")
    seen: list[list[str]] = []
    url: str | None = "/organizations/acme/issues/"
    pages_html = []
    while url is not None:
        html = client.get(url.replace("&amp;", "&")).text
        pages_html.append(html)
        seen.append(titles(html))
        following = re.search(r'<a href="([^"]+)" rel="next">', html)
        url = following.group(1) if following else None
    assert [len(page) for page in seen] == [25, 25, 10]
    flat = [title for page in seen for title in page]
    assert len(set(flat)) == 60
    back = re.search(r'<a href="([^"]+)" rel="prev">', pages_html[2])
    assert back is not None
    assert titles(client.get(back.group(1).replace("&amp;", "&")).text) == seen[1]
    assert 'rel="prev"' not in pages_html[0]
