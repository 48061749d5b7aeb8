"""The issue page: one event in full, stepping between events by time (ties broken by id), tag distributions."""

from __future__ import annotations

import re
from datetime import timedelta

import orjson

from heron.store.bodies import dictionary_compressor, stored_dictionary, train_dictionary
from heron.store.dictionaries import add_dictionary
from tests.store.world import NOW, add_issue
from tests.web.site import Site, add_event, sign_in


def test_events_step_newest_newer_older_oldest(site: Site) -> None:
    _organization, project = site.organization("acme", "ann@acme.example")
    with site.db() as session:
        issue = add_issue(session, project, "Payment declined")
        first = add_event(session, project, issue, NOW - timedelta(hours=2), logentry={"formatted": "first"})
        second = add_event(session, project, issue, NOW - timedelta(hours=1), logentry={"formatted": "second"})
        third = add_event(session, project, issue, NOW - timedelta(hours=1), logentry={"formatted": "third"})
        other = add_issue(session, project, "Another")
        foreign = add_event(session, project, other, NOW)
    client = site.client()
    sign_in(client, "ann@acme.example")
    base = f"/organizations/acme/issues/{issue}/"

    def steps(path: str) -> dict[str, str]:
        html = client.get(path).text
        return {rel: event for event, rel in re.findall(r'href="[^"]+/events/([0-9a-f]{32})/" rel="(\w+)"', html)}

    assert "third" in client.get(base).text
    assert steps(base) == {"next": second, "last": first}
    assert steps(f"{base}events/{second}/") == {"first": third, "prev": third, "next": first, "last": first}
    assert steps(f"{base}events/oldest/") == {"first": third, "prev": second}
    assert "first" in client.get(f"{base}events/oldest/").text
    assert client.get(f"{base}events/{foreign}/").status_code == 404


def test_tag_values_show_their_share_and_link_to_the_stream(site: Site) -> None:
    _organization, project = site.organization("acme", "ann@acme.example")
    with site.db() as session:
        issue = add_issue(session, project, "Payment declined", tags={"browser": ["Chrome 120", "Firefox 1"]})
        add_event(session, project, issue, NOW)
    client = site.client()
    sign_in(client, "ann@acme.example")
    html = client.get(f"/organizations/acme/issues/{issue}/").text
    assert "50%" in html
    assert f"/organizations/acme/issues/?project={project}&amp;query=browser%3A%22Chrome+120%22" in html


def test_an_issue_page_renders_the_latest_event_in_full(site: Site) -> None:
    _organization, project = site.organization("acme", "ann@acme.example")
    frame = {
        "filename": "shop/pay.py",
        "function": "charge",
        "lineno": 7,
        "in_app": True,
        "context_line": "    gateway.charge(card)",
        "pre_context": ["def charge(card):"],
        "vars": {"card": "'4111…'"},
    }
    body = {
        "exception": {
            "values": [
                {"type": "KeyError", "value": "'card'", "stacktrace": {"frames": [frame]}},
                {"type": "PaymentError", "value": "declined"},
            ]
        },
        "breadcrumbs": {"values": [{"timestamp": NOW.timestamp(), "category": "http", "message": "POST /pay"}]},
        "request": {"method": "POST", "url": "https://shop.example/pay", "headers": [["Accept", "text/html"]]},
        "user": {"email": "ann@example.com"},
        "contexts": {"runtime": {"name": "CPython", "version": "3.11"}},
        "extra": {"cart": {"items": 3}},
        "sdk": {"name": "sentry.python", "version": "2.0"},
        "tags": [["environment", "production"]],
    }
    with site.db() as session:
        issue = add_issue(session, project, "PaymentError: declined")
        add_event(session, project, issue, NOW, **body)
    client = site.client()
    sign_in(client, "ann@acme.example")
    html = client.get(f"/organizations/acme/issues/{issue}/").text
    for expected in ("PaymentError", "Caused by", "KeyError", "shop/pay.py", "charge", "gateway.charge(card)",
                     "Local variables", "POST /pay", "https://shop.example/pay", "Accept", "ann@example.com",
                     "Context: runtime", "CPython", "Extra data", "&#34;items&#34;: 3", "sentry.python",
                     "Raw JSON", "Last 24 hours", "Last 30 days"):  # fmt: skip
        assert expected in html, expected
    assert html.index("PaymentError") < html.index("KeyError")  # the raised exception first


def test_an_event_compressed_with_its_projects_dictionary_renders_in_full(site: Site) -> None:
    _organization, project = site.organization("acme", "ann@acme.example")
    samples = [
        orjson.dumps({"message": f"order {n} declined", "modules": {f"package-{m}": f"1.{m}" for m in range(40)}})
        for n in range(150)
    ]
    data = train_dictionary(samples, 4096)
    with site.db() as session:
        dictionary_id = add_dictionary(session, project, data, ratio=0.1)
        compressor = dictionary_compressor(stored_dictionary(dictionary_id, data))
        issue = add_issue(session, project, "Payment declined")
        add_event(session, project, issue, NOW, compressor=compressor, logentry={"formatted": "order 7 declined"})
    client = site.client()
    sign_in(client, "ann@acme.example")
    assert "order 7 declined" in client.get(f"/organizations/acme/issues/{issue}/").text
