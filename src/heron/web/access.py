"""What a viewer may open: organizations, projects and issues outside their organizations answer 404 (never
403), so another tenant's slugs and ids leak nothing. Superusers see every organization."""

from __future__ import annotations

from sqlalchemy.orm import Session

from heron.store.issues import visible_issue
from heron.store.models import Issue, Organization, Project
from heron.store.organizations import visible_organization, visible_project, visible_projects
from heron.store.web_sessions import Viewer
from heron.web.errors import PageError, not_found

MAX_PROJECTS = 10_000
_MAX_ID = 2**63 - 1


def organization_for(session: Session, viewer: Viewer, slug: str) -> Organization:
    """The organization with this slug, if the viewer may see it; else 404."""
    organization = visible_organization(session, slug, viewer.visibility)
    if organization is None:
        raise not_found()
    return organization


def managed_organization(session: Session, viewer: Viewer, slug: str) -> Organization:
    """The organization with this slug, if the viewer may see it (else 404) and manage it (else 403)."""
    organization = organization_for(session, viewer, slug)
    if not viewer.visibility.manages(organization.id):
        raise PageError(403, "Only the organization's owners and admins can change its settings.")
    return organization


def managed_project(session: Session, viewer: Viewer, organization: Organization, slug: str) -> Project:
    """The managed organization's project with this slug; else 404."""
    project = visible_project(session, organization.id, slug, viewer.visibility)
    if project is None:
        raise not_found()
    return project


def projects_of(session: Session, viewer: Viewer, organization: Organization) -> list[Project]:
    """The organization's projects the viewer may see, by slug."""
    return visible_projects(session, viewer.visibility, organization_id=organization.id, limit=MAX_PROJECTS)


def issue_for(session: Session, viewer: Viewer, organization: Organization, issue_ref: str) -> Issue:
    """The organization's issue with this numeric id, if the viewer may see it; else 404."""
    if not issue_ref.isdigit() or int(issue_ref) > _MAX_ID:
        raise not_found()
    issue = visible_issue(session, int(issue_ref), viewer.visibility)
    if issue is None:
        raise not_found()
    project = session.get(Project, issue.project_id)
    if project is None or project.organization_id != organization.id:
        raise not_found()
    return issue


def selected_projects(raw_ids: list[str], projects: list[Project]) -> list[Project]:
    """The `?project=` ids (every visible project when absent or `-1`); 404 for one the viewer may not see."""
    wanted = {raw.strip() for raw in raw_ids if raw.strip() and raw.strip() != "-1"}
    if not wanted:
        return projects
    by_id = {str(project.id): project for project in projects}
    if not wanted <= by_id.keys():
        raise not_found()
    return [by_id[raw] for raw in sorted(wanted, key=int)]
