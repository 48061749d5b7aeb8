"""The settings pages: members and invitations, teams and what they open, project settings, DSN keys, API
tokens; who may change what."""

from __future__ import annotations

import re

from sqlalchemy import select

from heron.store.accounts import add_member, create_user, token_owner
from heron.store.models import Member, Organization, Project, ProjectKey
from heron.store.projects import create_project
from heron.store.teams import create_team
from tests.web.site import PASSWORD, Site, form_token, sign_in


def _post(client, page_path: str, action: str, **data):  # type: ignore[no-untyped-def]
    token = form_token(client.get(page_path).text)
    return client.post(action, data={"csrf_token": token, **data})


def _team_org(site: Site) -> dict[str, int]:
    """acme (owner ann) with projects app (team acme) and ios (team mobile)."""
    organization_id, app = site.organization("acme", "ann@acme.example")
    with site.db() as session:
        mobile = create_team(session, organization_id, "mobile", "Mobile")
        ios, _ = create_project(session, organization_id, "ios", teams=[mobile])
        return {"organization": organization_id, "app": app, "ios": ios.id, "mobile": mobile.id}


def test_an_invited_member_signs_up_by_link_and_sees_only_their_teams_projects(site: Site) -> None:
    ids = _team_org(site)
    admin = site.client()
    sign_in(admin, "ann@acme.example")
    members = "/settings/acme/members/"
    shown = _post(admin, members, "/settings/acme/members/invite/", role="member", team=str(ids["mobile"]))
    assert shown.status_code == 200
    links = re.findall(r'value="http://testserver(/accept-invite/[^"]+/)"', shown.text)
    assert len(links) == 1
    assert "anyone with the link" in admin.get(members).text  # pending
    assert links[0] not in admin.get(members).text  # the link is shown once

    newcomer = site.client()
    page = newcomer.get(links[0])
    assert page.status_code == 200 and "as a <strong>member</strong>" in page.text
    weak = newcomer.post(links[0], data={"csrf_token": form_token(page.text), "email": "kim@acme.example",
                                         "password": "short"})  # fmt: skip
    assert weak.status_code == 400 and "at least 10 characters" in weak.text
    joined = newcomer.post(
        links[0],
        data={"csrf_token": form_token(page.text), "email": "Kim@Acme.example", "name": "Kim", "password": PASSWORD},
    )
    assert joined.status_code == 303 and joined.headers["location"] == "/"
    home = newcomer.get("/").text
    assert "ios" in home and ">app<" not in home
    stream = newcomer.get("/organizations/acme/issues/").text
    assert f'value="{ids["ios"]}"' in stream and f'value="{ids["app"]}"' not in stream
    assert newcomer.get(f"/organizations/acme/issues/?project={ids['app']}").status_code == 404
    assert newcomer.get(links[0]).status_code == 404  # used up
    assert newcomer.get("/settings/acme/projects/app/").status_code == 403
    assert newcomer.post("/settings/acme/members/invite/", data={"csrf_token": form_token(home)}).status_code == 403


def test_an_invitation_for_an_address_is_refused_to_another_and_can_be_withdrawn(site: Site) -> None:
    _team_org(site)
    admin = site.client()
    sign_in(admin, "ann@acme.example")
    shown = _post(admin, "/settings/acme/members/", "/settings/acme/members/invite/", role="admin",
                  email="lee@acme.example")  # fmt: skip
    link = re.findall(r'value="http://testserver(/accept-invite/[^"]+/)"', shown.text)[0]
    site.user("eve@evil.example")
    eve = site.client()
    sign_in(eve, "eve@evil.example")
    refused = eve.post(link, data={"csrf_token": form_token(eve.get(link).text)})
    assert refused.status_code == 400 and "for lee@acme.example" in refused.text
    invite_id = re.search(r"/settings/acme/invites/(\d+)/revoke/", admin.get("/settings/acme/members/").text)
    assert invite_id is not None
    _post(admin, "/settings/acme/members/", f"/settings/acme/invites/{invite_id.group(1)}/revoke/")
    assert eve.get(link).status_code == 404


def test_roles_owners_and_the_last_owner(site: Site) -> None:
    ids = _team_org(site)
    with site.db() as session:
        organization = session.get_one(Organization, ids["organization"])
        lee = create_user(session, "lee@acme.example", PASSWORD)
        add_member(session, organization, lee, "admin")
        members = {m.role: m.id for m in session.scalars(select(Member))}
    owner, admin = site.client(), site.client()
    sign_in(owner, "ann@acme.example")
    sign_in(admin, "lee@acme.example")
    page = "/settings/acme/members/"
    refused = _post(admin, page, f"/settings/acme/members/{members['owner']}/", role="member")
    assert refused.status_code == 400 and "Only an owner" in refused.text
    last = _post(owner, page, f"/settings/acme/members/{members['owner']}/", role="admin")
    assert last.status_code == 400 and "needs an owner" in last.text
    moved = _post(owner, page, f"/settings/acme/members/{members['admin']}/", role="member", team=str(ids["mobile"]))
    assert moved.status_code == 303
    home = admin.get("/").text  # lee is now a member of mobile only
    assert "ios" in home and ">app<" not in home
    assert _post(owner, page, f"/settings/acme/members/{members['admin']}/remove/").status_code == 303
    assert admin.get("/organizations/acme/issues/").status_code == 404


def test_teams_are_created_and_project_access_follows_them(site: Site) -> None:
    ids = _team_org(site)
    with site.db() as session:
        organization = session.get_one(Organization, ids["organization"])
        kim = create_user(session, "kim@acme.example", PASSWORD)
        add_member(session, organization, kim, "member")
    owner, kim_client = site.client(), site.client()
    sign_in(owner, "ann@acme.example")
    sign_in(kim_client, "kim@acme.example")
    assert "No projects yet" in kim_client.get("/").text
    teams = "/settings/acme/teams/"
    assert _post(owner, teams, teams, slug="web", name="Web").status_code == 303
    bad = _post(owner, teams, teams, slug="Bad Slug")
    assert bad.status_code == 400 and "lowercase" in bad.text
    page = owner.get(teams).text
    assert "#web" in page and "ann@acme.example" in page
    web_team = re.search(r'name="team" value="(\d+)"> Web', owner.get("/settings/acme/members/").text)
    assert web_team is not None
    kim_id = re.search(r'/settings/acme/members/(\d+)/" class="inline-form" aria-label="Role and teams of kim',
                       owner.get("/settings/acme/members/").text)  # fmt: skip
    assert kim_id is not None
    _post(owner, "/settings/acme/members/", f"/settings/acme/members/{kim_id.group(1)}/", role="member",
          team=web_team.group(1))  # fmt: skip
    settings = "/settings/acme/projects/app/"
    _post(owner, settings, settings + "teams/", team=web_team.group(1))
    assert ">app<" in kim_client.get("/").text
    assert kim_client.get(f"/organizations/acme/issues/?project={ids['app']}").status_code == 200
    _post(owner, teams, "/settings/acme/teams/web/delete/")
    assert kim_client.get(f"/organizations/acme/issues/?project={ids['app']}").status_code == 404


def test_project_settings_are_saved_and_checked(site: Site) -> None:
    ids = _team_org(site)
    owner = site.client()
    sign_in(owner, "ann@acme.example")
    page = "/settings/acme/projects/app/"
    thresholds = {"slow_db_ms": "500", "slow_http_ms": "2000", "apdex_ms": "200"}
    saved = _post(owner, page, page + "general/", name="Shop", slug="shop", platform="python-flask",
                  retention_days="30", **thresholds)  # fmt: skip
    assert saved.status_code == 303 and saved.headers["location"] == "/settings/acme/projects/shop/"
    with site.db() as session:
        project = session.get_one(Project, ids["app"])
        assert (project.slow_db_ms, project.slow_http_ms, project.apdex_ms) == (500, 2000, 200)
        assert (project.name, project.slug, project.platform, project.retention_days) == (
            "Shop",
            "shop",
            "python-flask",
            30,
        )
    page = "/settings/acme/projects/shop/"
    for fields, message in (
        ({"slug": "ios"}, "has a project ios already"),
        ({"retention_days": "0"}, "Retention is 1 to"),
        ({"retention_days": "ten"}, "must be a whole number"),
        ({"name": ""}, "1 to 200 characters"),
        ({"apdex_ms": "0"}, "Thresholds are 1 to"),
    ):
        data = {"name": "Shop", "slug": "shop", "platform": "", "retention_days": "30", **fields}
        refused = _post(owner, page, page + "general/", **data)
        assert refused.status_code == 400 and message in refused.text, fields
    assert owner.get("/settings/acme/projects/nope/").status_code == 404
    site.organization("globex", "eve@globex.example")
    assert owner.get("/settings/globex/projects/app/").status_code == 404


def test_dsn_keys_are_created_limited_disabled_and_revoked(site: Site) -> None:
    ids = _team_org(site)
    owner = site.client()
    sign_in(owner, "ann@acme.example")
    page = "/settings/acme/projects/app/"
    html = owner.get(page).text
    assert re.search(rf"http://[0-9a-f]{{32}}@testserver/{ids['app']}", html)
    _post(owner, page, page + "keys/", label="CI")

    def keys() -> list[ProjectKey]:
        with site.db() as session:
            return list(
                session.scalars(select(ProjectKey).where(ProjectKey.project_id == ids["app"]).order_by(ProjectKey.id))
            )

    first, second = keys()
    assert second.label == "CI"
    limited = _post(
        owner, page, page + f"keys/{second.id}/", label="CI", rate_limit_count="100", rate_limit_window="60"
    )
    assert limited.status_code == 303
    assert (keys()[1].rate_limit_count, keys()[1].rate_limit_window) == (100, 60)
    half = _post(owner, page, page + f"keys/{second.id}/", label="CI", rate_limit_count="100", rate_limit_window="")
    assert half.status_code == 400 and "both" in half.text
    _post(owner, page, page + f"keys/{second.id}/", label="CI", rate_limit_count="", rate_limit_window="")
    assert keys()[1].rate_limit_count is None
    _post(owner, page, page + f"keys/{first.id}/disable/")
    assert not keys()[0].is_active and "disabled" in owner.get(page).text
    _post(owner, page, page + f"keys/{first.id}/enable/")
    assert keys()[0].is_active
    _post(owner, page, page + f"keys/{first.id}/revoke/")
    assert [key.id for key in keys()] == [second.id]
    with site.db() as session:
        _other, other_key = create_project(session, ids["organization"], "other")
        other_key_id = other_key.id
    assert _post(owner, page, page + f"keys/{other_key_id}/revoke/").status_code == 404


def test_api_tokens_are_shown_once_and_revoked(site: Site) -> None:
    site.organization("acme", "ann@acme.example")
    ann = site.client()
    sign_in(ann, "ann@acme.example")
    page = "/settings/account/tokens/"
    created = _post(ann, page, page, name="sentry-cli", scope=["project:releases", "org:read"])
    token = re.search(r'value="(heron_[0-9a-f]{64})"', created.text)
    assert created.status_code == 200 and token is not None
    listing = ann.get(page).text
    assert token.group(1) not in listing and "sentry-cli" in listing and token.group(1)[-4:] in listing
    with site.db() as session:
        owner = token_owner(session, token.group(1))
        assert owner is not None and owner.scopes == {"project:releases", "org:read"}
    assert _post(ann, page, page, name="x", scope="no:such").status_code == 400
    assert _post(ann, page, page, name="none").status_code == 400
    token_id = re.search(r'action="(\d+)/revoke/"', listing)
    assert token_id is not None
    site.user("eve@evil.example")
    eve = site.client()
    sign_in(eve, "eve@evil.example")
    assert _post(eve, page, page + f"{token_id.group(1)}/revoke/").status_code == 404
    assert _post(ann, page, page + f"{token_id.group(1)}/revoke/").status_code == 303
    with site.db() as session:
        assert token_owner(session, token.group(1)) is None


def test_every_settings_page_escapes_what_users_typed(site: Site) -> None:
    ids = _team_org(site)
    payload = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    with site.db() as session:
        organization = session.get_one(Organization, ids["organization"])
        organization.name = payload
        project = session.get_one(Project, ids["app"])
        project.name = payload
        create_team(session, ids["organization"], "xss", payload)
        user = create_user(session, "x@acme.example", PASSWORD, name=payload)
        add_member(session, organization, user, "member")
    owner = site.client()
    sign_in(owner, "ann@acme.example")
    for path in ("/settings/", "/settings/acme/members/", "/settings/acme/teams/", "/settings/acme/projects/app/"):
        html = owner.get(path).text
        assert "<script>alert(1)" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;" in html, path
