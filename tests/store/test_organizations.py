"""What a user may see: organizations by membership, projects by role and team, everything for superusers."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from heron.store.issues import issue_by_short_id, issues_in_projects, visible_issue
from heron.store.organizations import (
    environment_names,
    first_event_times,
    member_roles,
    visible_organization,
    visible_organizations,
    visible_project,
    visible_projects,
)
from heron.store.releases import ensure_environments
from heron.store.visibility import Visibility
from tests.store.world import NOW, build_world


def test_members_see_only_their_organizations_and_superusers_see_all(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        world = build_world(session)
        acme, globex = world.organizations["acme"], world.organizations["globex"]
        assert [o.slug for o in visible_organizations(session, Visibility.of_organizations({acme}))] == ["acme"]
        assert [o.slug for o in visible_organizations(session, Visibility.everything())] == ["acme", "globex"]
        assert visible_organization(session, "globex", Visibility.of_organizations({acme})) is None
        assert visible_organization(session, "globex", Visibility.everything()) is not None
        assert visible_project(session, globex, "web", Visibility.of_organizations({acme})) is None
        assert visible_project(session, acme, "app", Visibility.of_organizations({acme})) is not None
        assert [p.slug for p in visible_projects(session, Visibility.of_organizations({acme}))] == ["api", "app"]
        assert [p.slug for p in visible_projects(session, Visibility.everything(), organization_id=globex)] == ["web"]


def test_issues_of_other_organizations_are_invisible(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        world = build_world(session)
        acme = world.organizations["acme"]
        assert visible_issue(session, world.issues["value_error"], Visibility.of_organizations({acme})) is not None
        assert visible_issue(session, world.issues["globex_error"], Visibility.of_organizations({acme})) is None
        assert visible_issue(session, world.issues["globex_error"], Visibility.everything()) is not None
        mixed = [world.issues["value_error"], world.issues["globex_error"]]
        found = issues_in_projects(session, mixed, [world.projects["app"]])
        assert [issue.id for issue in found] == [world.issues["value_error"]]


def test_issues_are_found_by_short_id_within_an_organization(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        world = build_world(session)
        found = issue_by_short_id(session, world.organizations["acme"], "app", 2)
        assert found is not None and found.id == world.issues["key_error"]
        assert issue_by_short_id(session, world.organizations["globex"], "app", 2) is None


def test_project_facts_are_read_for_many_projects_at_once(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        world = build_world(session)
        app, api, web = world.projects["app"], world.projects["api"], world.projects["web"]
        ensure_environments(session, app, ["production", "staging"])
        assert environment_names(session, [app, api]) == {app: ["production", "staging"]}
        first = first_event_times(session, [app, web])
        assert first[app] < NOW and set(first) == {app, web}
        roles = member_roles(session, world.users["bob"], world.organizations.values())
        assert roles == {world.organizations["acme"]: "member"}
