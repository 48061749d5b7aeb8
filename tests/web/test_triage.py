"""Triage from the pages with plain forms: each action changes the issue as the API's PUT does, the stream's
bulk form changes every ticked issue, and another organization's issues answer 404."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from heron.store.accounts import add_member, create_user, organization_by_slug
from heron.store.models import IGNORED, RESOLVED, SUB_FOREVER, SUB_UNTIL_CONDITION_MET, UNRESOLVED, Issue
from tests.store.world import NOW, add_issue
from tests.web.site import PASSWORD, Site, form_token, sign_in, signed_in_with_issue

PAGE = "/organizations/acme/issues/{}/"


def _stored(site: Site, issue_id: int) -> Issue:
    with site.db() as session:
        issue = session.get_one(Issue, issue_id)
        session.expunge(issue)
        return issue


def _post(client: Any, issue: int, action: str, **fields: str) -> Any:
    page = PAGE.format(issue)
    token = form_token(client.get(page).text)
    return client.post(f"{page}triage/", data={"csrf_token": token, "action": action, **fields})


def test_resolve_redirects_back_to_the_issue_and_unresolve_reopens_it(site: Site) -> None:
    client, issue = signed_in_with_issue(site)
    response = _post(client, issue, "resolve")
    assert response.status_code == 303
    assert response.headers["location"] == PAGE.format(issue)
    assert _stored(site, issue).status == RESOLVED
    assert "status-resolved" in client.get(PAGE.format(issue)).text
    _post(client, issue, "unresolve")
    assert _stored(site, issue).status == UNRESOLVED


def test_resolve_in_next_release_without_a_release_is_a_plain_resolve(site: Site) -> None:
    client, issue = signed_in_with_issue(site)
    assert _post(client, issue, "resolve_in_next_release").status_code == 303
    stored = _stored(site, issue)
    assert (stored.status, stored.status_details) == (RESOLVED, {})


@pytest.mark.parametrize(("minutes", "until"), [("", None), ("30", 30), ("120", 120), ("1440", 1440), ("10080", 10080)])
def test_ignore_forever_or_for_a_while(site: Site, minutes: str, until: int | None) -> None:
    client, issue = signed_in_with_issue(site)
    before = datetime.now(NOW.tzinfo)
    _post(client, issue, "ignore", ignore_minutes=minutes)
    stored = _stored(site, issue)
    assert stored.status == IGNORED
    if until is None:
        assert (stored.substatus, stored.status_details) == (SUB_FOREVER, {})
    else:
        assert stored.substatus == SUB_UNTIL_CONDITION_MET
        ends = datetime.fromisoformat(stored.status_details["ignoreUntil"]) - before
        assert timedelta(minutes=until) <= ends < timedelta(minutes=until, seconds=30)


def test_ignore_until_it_happens_n_more_times(site: Site) -> None:
    client, issue = signed_in_with_issue(site)
    _post(client, issue, "ignore_count", ignore_count="25")
    stored = _stored(site, issue)
    assert stored.status == IGNORED
    assert stored.status_details == {"ignoreCount": 25, "ignoreBaseline": 1}


@pytest.mark.parametrize("count", ["0", "-3", "many", ""])
def test_a_bad_count_is_a_400(site: Site, count: str) -> None:
    client, issue = signed_in_with_issue(site)
    assert _post(client, issue, "ignore_count", ignore_count=count).status_code == 400
    assert _stored(site, issue).status == UNRESOLVED


def test_assign_to_a_member_then_to_nobody(site: Site) -> None:
    client, issue = signed_in_with_issue(site)
    with site.db() as session:
        bob = create_user(session, "bob@acme.example", PASSWORD, name="Bob")
        organization = organization_by_slug(session, "acme")
        assert organization is not None
        add_member(session, organization, bob, "member")
        bob_id = bob.id
    assert "Bob" in client.get(PAGE.format(issue)).text
    _post(client, issue, "assign", assignee=f"user:{bob_id}")
    assert _stored(site, issue).assignee_id == bob_id
    assert "assignee: Bob" in client.get(PAGE.format(issue)).text
    _post(client, issue, "assign", assignee="")
    assert _stored(site, issue).assignee_id is None


def test_assigning_someone_outside_the_organization_is_refused(site: Site) -> None:
    client, issue = signed_in_with_issue(site)
    site.organization("globex", "gus@globex.example")
    response = _post(client, issue, "assign", assignee="gus@globex.example")
    assert response.status_code == 400
    assert _stored(site, issue).assignee_id is None


def test_an_unknown_action_is_a_400(site: Site) -> None:
    client, issue = signed_in_with_issue(site)
    assert _post(client, issue, "delete").status_code == 400


def test_another_organizations_issue_answers_404(site: Site) -> None:
    _client, issue = signed_in_with_issue(site)
    site.organization("globex", "gus@globex.example")
    intruder = site.client()
    sign_in(intruder, "gus@globex.example")
    token = form_token(intruder.get("/organizations/globex/issues/").text)
    for path in (f"/organizations/acme/issues/{issue}/triage/", f"/organizations/globex/issues/{issue}/triage/"):
        response = intruder.post(path, data={"csrf_token": token, "action": "resolve"})
        assert response.status_code == 404
    bulk = {"csrf_token": token, "action": "resolve", "issue": str(issue)}
    assert intruder.post("/organizations/globex/issues/triage/", data=bulk).status_code == 404
    assert _stored(site, issue).status == UNRESOLVED


def test_a_triage_post_without_the_token_is_refused(site: Site) -> None:
    client, issue = signed_in_with_issue(site)
    response = client.post(f"{PAGE.format(issue)}triage/", data={"action": "resolve"})
    assert response.status_code == 403
    assert _stored(site, issue).status == UNRESOLVED


def test_the_stream_bulk_form_changes_every_ticked_issue(site: Site) -> None:
    client, first = signed_in_with_issue(site)
    project = _stored(site, first).project_id
    with site.db() as session:
        second = add_issue(session, project, "Card expired")
        untouched = add_issue(session, project, "Timeout")
    stream = "/organizations/acme/issues/?query=is%3Aunresolved"
    html = client.get(stream).text
    assert 'form="bulk"' in html
    back = "/organizations/acme/issues/?query=is%3Aunresolved"
    data = {"csrf_token": form_token(html), "action": "ignore", "ignore_minutes": "", "back": back}
    response = client.post("/organizations/acme/issues/triage/", data={**data, "issue": [str(first), str(second)]})
    assert response.status_code == 303
    assert response.headers["location"] == back
    assert [_stored(site, i).status for i in (first, second, untouched)] == [IGNORED, IGNORED, UNRESOLVED]


def test_the_bulk_form_needs_a_selection_and_only_goes_back_to_the_stream(site: Site) -> None:
    client, issue = signed_in_with_issue(site)
    token = form_token(client.get("/organizations/acme/issues/").text)
    empty = client.post("/organizations/acme/issues/triage/", data={"csrf_token": token, "action": "resolve"})
    assert empty.status_code == 400
    data = {"csrf_token": token, "action": "resolve", "issue": str(issue), "back": "https://evil.example/"}
    response = client.post("/organizations/acme/issues/triage/", data=data)
    assert response.headers["location"] == "/organizations/acme/issues/"
