"""The projects page (`/`): every project the viewer may see, by organization, with a 24-hour sparkline."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import Response

from heron.store.frequency import project_event_series
from heron.store.models import Organization, Project
from heron.store.organizations import visible_organizations, visible_projects
from heron.store.types import utcnow
from heron.web.access import MAX_PROJECTS
from heron.web.charts import BarChart, bar_chart
from heron.web.deps import Db, SignedIn
from heron.web.templates import render

router = APIRouter()

SPARKLINE = {"width": 120, "height": 28}


@dataclass(frozen=True, slots=True)
class ProjectCard:
    """A project as the projects page shows it."""

    project: Project
    sparkline: BarChart


@dataclass(frozen=True, slots=True)
class OrganizationProjects:
    organization: Organization
    cards: list[ProjectCard]


@router.get("/")
def projects_page(request: Request, viewer: SignedIn, db: Db) -> Response:
    """The viewer's organizations and their projects."""
    organizations = visible_organizations(db, viewer.visibility, limit=MAX_PROJECTS)
    projects = visible_projects(db, viewer.visibility, limit=MAX_PROJECTS)
    series = project_event_series(db, (project.id for project in projects), utcnow())
    groups = [
        OrganizationProjects(
            organization,
            [
                ProjectCard(project, bar_chart(series[project.id], **SPARKLINE))
                for project in projects
                if project.organization_id == organization.id
            ],
        )
        for organization in organizations
    ]
    return render(request, "projects.html", {"groups": groups})
