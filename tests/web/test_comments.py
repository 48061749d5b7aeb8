"""Comments and history on the issue page: comments are escaped and shown newest last with author and time; the
history lists who resolved, ignored, assigned and commented, whether through the page or the API's PUT."""

from __future__ import annotations

import re

from heron.api.issue_updates import apply_issue_update
from heron.store.accounts import organization_by_slug
from heron.store.models import Issue
from heron.store.triage import IssueUpdate
from heron.store.types import utcnow
from tests.web.site import Site, form_token, sign_in, signed_in_with_issue

PAGE = "/organizations/acme/issues/{}/"


def test_comments_are_escaped_and_shown_oldest_first(site: Site) -> None:
    client, issue = signed_in_with_issue(site)
    page = PAGE.format(issue)
    for text in ("<script>alert(1)</script> first", "second"):
        token = form_token(client.get(page).text)
        response = client.post(f"{page}comments/", data={"csrf_token": token, "text": text})
        assert response.status_code == 303
        assert response.headers["location"] == f"{page}#comments"
    html = client.get(page).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; first" in html
    assert html.index("alert(1)") < html.index(">second<")
    comments = re.findall(r'<span class="author">([^<]+)</span>', html)
    assert comments[:2] == ["ann@acme.example", "ann@acme.example"]
    assert "ann@acme.example</span> commented" in html


def test_an_empty_comment_is_a_400(site: Site) -> None:
    client, issue = signed_in_with_issue(site)
    page = PAGE.format(issue)
    token = form_token(client.get(page).text)
    assert client.post(f"{page}comments/", data={"csrf_token": token, "text": "  "}).status_code == 400


def test_another_organization_cannot_comment(site: Site) -> None:
    _client, issue = signed_in_with_issue(site)
    site.organization("globex", "gus@globex.example")
    intruder = site.client()
    sign_in(intruder, "gus@globex.example")
    token = form_token(intruder.get("/organizations/globex/issues/").text)
    response = intruder.post(f"{PAGE.format(issue)}comments/", data={"csrf_token": token, "text": "hi"})
    assert response.status_code == 404
    with site.db() as session:
        assert session.get_one(Issue, issue).id == issue


def test_the_history_lists_triage_from_the_page_and_from_the_api(site: Site) -> None:
    client, issue = signed_in_with_issue(site)
    page = PAGE.format(issue)
    token = form_token(client.get(page).text)
    client.post(f"{page}triage/", data={"csrf_token": token, "action": "resolve"})
    client.post(f"{page}triage/", data={"csrf_token": token, "action": "ignore_count", "ignore_count": "5"})
    with site.db() as session:
        organization = organization_by_slug(session, "acme")
        assert organization is not None
        target = session.get_one(Issue, issue)
        update = IssueUpdate(assign=True, assignee="ann@acme.example")
        apply_issue_update(session, [target], update, organization.id, utcnow(), actor_id=None)
    html = client.get(page).text
    history = html[html.index('id="history"') :]
    assert "ann@acme.example</span> resolved the issue" in history
    assert "ignored the issue until it happens 5 more times" in history
    assert "Someone</span> assigned the issue to ann@acme.example" in history
    assert history.index("resolved the issue") < history.index("ignored the issue") < history.index("assigned")
