"""Organizations, projects and DSN keys in Sentry's shapes (OrganizationSerializer, ProjectSerializer,
ProjectKeySerializer)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from heron.api.shapes import iso
from heron.protocol.dsn import build_dsn
from heron.store.models import Organization, Project, ProjectKey
from heron.store.organizations import environment_names, first_event_times, organizations_by_id


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    """What project shapes show besides the row, loaded for a whole list at once."""

    organizations: Mapping[int, Organization] = field(default_factory=dict)
    first_events: Mapping[int, datetime] = field(default_factory=dict)
    environments: Mapping[int, list[str]] = field(default_factory=dict)
    member_of: frozenset[int] = frozenset()


def load_project_facts(session: Session, projects: Sequence[Project], member_of: frozenset[int]) -> ProjectFacts:
    """The organizations, first events and environments of a list of projects, one query each."""
    ids = [project.id for project in projects]
    return ProjectFacts(
        organizations=organizations_by_id(session, (project.organization_id for project in projects)),
        first_events=first_event_times(session, ids),
        environments=environment_names(session, ids),
        member_of=member_of,
    )


def organization_shape(organization: Organization, public_url: str) -> dict[str, Any]:
    """An organization as Sentry's organization list shows it."""
    return {
        "id": str(organization.id),
        "slug": organization.slug,
        "name": organization.name,
        "dateCreated": iso(organization.date_created),
        "status": {"id": "active", "name": "active"},
        "isEarlyAdopter": False,
        "require2FA": False,
        "requireEmailVerification": False,
        "avatar": {"avatarType": "letter_avatar", "avatarUuid": None, "avatarUrl": None},
        "features": [],
        "hasAuthProvider": False,
        "allowMemberInvite": True,
        "allowMemberProjectCreation": True,
        "links": {
            "organizationUrl": f"{public_url}/organizations/{organization.slug}/",
            "regionUrl": public_url,
        },
    }


def organization_detail_shape(
    organization: Organization, public_url: str, role: str | None, scopes: frozenset[str], projects: list[Any]
) -> dict[str, Any]:
    """An organization as Sentry's organization details show it: with the caller's role, access and projects."""
    return {
        **organization_shape(organization, public_url),
        "orgRole": role,
        "access": sorted(scopes),
        "isDefault": False,
        "defaultRole": "member",
        "openMembership": True,
        "pendingAccessRequests": 0,
        "projects": projects,
        "teams": [],
    }


def project_shape(project: Project, facts: ProjectFacts, *, with_organization: bool = False) -> dict[str, Any]:
    """A project as Sentry's project lists show it (with its organization for `/api/0/projects/`)."""
    shape: dict[str, Any] = {
        "id": str(project.id),
        "slug": project.slug,
        "name": project.name,
        "platform": project.platform,
        "platforms": [project.platform] if project.platform else [],
        "dateCreated": iso(project.date_created),
        "firstEvent": iso(facts.first_events.get(project.id)),
        "firstTransactionEvent": False,
        "environments": facts.environments.get(project.id, []),
        "isBookmarked": False,
        "isMember": project.organization_id in facts.member_of,
        "hasAccess": True,
        "isPublic": False,
        "isInternal": False,
        "status": "active",
        "features": [],
        "color": "#3f70dd",
        "team": None,
        "teams": [],
    }
    organization = facts.organizations.get(project.organization_id)
    if with_organization and organization is not None:
        shape["organization"] = {
            "id": str(organization.id),
            "slug": organization.slug,
            "name": organization.name,
        }
    return shape


def project_detail_shape(project: Project, facts: ProjectFacts, public_url: str) -> dict[str, Any]:
    """A project as Sentry's project details show it."""
    shape = project_shape(project, facts, with_organization=True)
    organization = facts.organizations.get(project.organization_id)
    if organization is not None:
        shape["organization"] = organization_shape(organization, public_url)
    shape["options"] = {}
    shape["resolveAge"] = 0
    shape["dataScrubber"] = True
    shape["subjectPrefix"] = ""
    shape["digestsMinDelay"] = 300
    shape["digestsMaxDelay"] = 1800
    shape["groupingConfig"] = project.grouping_config
    shape["eventRetentionDays"] = project.retention_days
    return shape


def key_shape(key: ProjectKey, public_url: str) -> dict[str, Any]:
    """A DSN key as Sentry shows it, with the DSN and the report endpoints built for this server."""
    dsn = build_dsn(public_url, key.public_key, key.project_id)
    endpoint = f"{public_url}/api/{key.project_id}"
    query = f"?sentry_key={key.public_key}"
    rate_limit = None
    if key.rate_limit_count is not None and key.rate_limit_window is not None:
        rate_limit = {"count": key.rate_limit_count, "window": key.rate_limit_window}
    return {
        "id": key.public_key,
        "name": key.label,
        "label": key.label,
        "public": key.public_key,
        "secret": None,
        "projectId": key.project_id,
        "isActive": key.is_active,
        "rateLimit": rate_limit,
        "dsn": {
            # Heron's keys have no secret part; every current SDK accepts the public DSN.
            "secret": dsn,
            "public": dsn,
            "csp": f"{endpoint}/csp-report/{query}",
            "security": f"{endpoint}/security/{query}",
            "minidump": f"{endpoint}/minidump/{query}",
            "nel": f"{endpoint}/nel/{query}",
            "unreal": f"{endpoint}/unreal/{key.public_key}/",
            "cdn": f"{public_url}/js-sdk-loader/{key.public_key}.min.js",
            "crons": f"{endpoint}/cron/___MONITOR_SLUG___/{key.public_key}/",
        },
        "browserSdkVersion": "latest",
        "browserSdk": {"choices": [["latest", "latest"]]},
        "dateCreated": iso(key.date_created),
        "dynamicSdkLoaderOptions": {"hasReplay": False, "hasPerformance": False, "hasDebug": False},
    }


def project_list(projects: Sequence[Project], facts: ProjectFacts, *, with_organization: bool) -> list[dict[str, Any]]:
    """Project shapes of a list."""
    return [project_shape(project, facts, with_organization=with_organization) for project in projects]
