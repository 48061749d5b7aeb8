"""Teams decide what a member sees: owners and admins see every project of their organization, a member only
the projects of their teams; the organization's first team gets new projects by default."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from heron.store.accounts import add_member, create_organization, create_user
from heron.store.issues import visible_issue
from heron.store.models import Member
from heron.store.organizations import visible_projects
from heron.store.projects import create_project
from heron.store.teams import (
    TeamError,
    create_team,
    organization_teams,
    project_team_ids,
    set_member_teams,
    set_project_teams,
    team_by_slug,
)
from heron.store.visibility import user_visibility
from tests.store.world import add_issue


def test_a_member_sees_only_the_projects_of_their_teams(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        owner = create_user(session, "ann@acme.example", None)
        acme = create_organization(session, "acme", owner=owner)
        mobile = create_team(session, acme.id, "mobile", "Mobile")
        web, _ = create_project(session, acme.id, "web")
        create_project(session, acme.id, "ios", teams=[mobile])
        issue = add_issue(session, web.id, "ValueError: web")
        kim = create_user(session, "kim@acme.example", None)
        add_member(session, acme, kim, "member", [mobile])
        lee = create_user(session, "lee@acme.example", None)
        add_member(session, acme, lee, "admin")

        kim_sees = user_visibility(session, kim.id, superuser=False)
        assert [p.slug for p in visible_projects(session, kim_sees)] == ["ios"]
        assert visible_issue(session, issue, kim_sees) is None
        assert kim_sees.organization_ids == {acme.id} and not kim_sees.manages(acme.id)

        lee_sees = user_visibility(session, lee.id, superuser=False)
        assert [p.slug for p in visible_projects(session, lee_sees)] == ["ios", "web"]
        assert lee_sees.manages(acme.id) and not lee_sees.is_owner(acme.id)

        set_project_teams(session, web, [mobile])  # the web project joins kim's team too
        kim_sees = user_visibility(session, kim.id, superuser=False)
        assert [p.slug for p in visible_projects(session, kim_sees)] == ["ios", "web"]
        assert visible_issue(session, issue, kim_sees) is not None


def test_organizations_start_with_a_team_that_owns_new_projects(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        owner = create_user(session, "ann@acme.example", None)
        acme = create_organization(session, "acme", "Acme Inc.", owner=owner)
        team = team_by_slug(session, acme.id, "acme")
        assert team is not None and team.name == "Acme Inc."
        project, _ = create_project(session, acme.id, "app")
        assert project_team_ids(session, [project.id]) == {project.id: {team.id}}


def test_teams_of_another_organization_and_bad_slugs_are_refused(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        owner = create_user(session, "ann@acme.example", None)
        acme = create_organization(session, "acme", owner=owner)
        globex = create_organization(session, "globex", owner=owner)
        foreign = create_team(session, globex.id, "ops")
        project, _ = create_project(session, acme.id, "app")
        with pytest.raises(TeamError):
            set_project_teams(session, project, [foreign])
        member = session.query(Member).filter_by(organization_id=acme.id).one()
        with pytest.raises(TeamError):
            set_member_teams(session, member, [foreign])
        for bad in ("", "Has Space", "-lead", "x" * 51):
            with pytest.raises(TeamError):
                create_team(session, acme.id, bad)
        with pytest.raises(TeamError):
            create_team(session, acme.id, "acme")
        assert [t.slug for t in organization_teams(session, acme.id)] == ["acme"]
