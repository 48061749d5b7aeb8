"""A project's settings page (`/settings/{org}/projects/{project}/`), for owners and admins: name, slug,
platform and retention; which teams see it; and its DSN keys (create, rate limit, disable, revoke).

Ingest caches keys for up to 30 seconds (heron.ingest.keys), so a disabled or revoked key, or a new rate limit,
takes effect within that time."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from heron.protocol.dsn import build_dsn
from heron.store.models import Organization, Project, ProjectKey
from heron.store.organizations import project_keys
from heron.store.projects import (
    MAX_RATE_LIMIT_WINDOW,
    ProjectSettingsError,
    create_key,
    project_key,
    set_key_rate_limit,
    update_project,
)
from heron.store.teams import TeamError, organization_teams, project_team_ids, set_project_teams, teams_in_organization
from heron.store.web_sessions import Viewer
from heron.web.access import managed_organization, managed_project
from heron.web.csrf import posted_form
from heron.web.deps import Db, SignedIn, services_of
from heron.web.errors import PageError, not_found
from heron.web.forms import id_list, optional_int
from heron.web.templates import render

router = APIRouter()
BASE = "/settings/{organization_slug}/projects/{project_slug}/"
MAX_KEYS = 100


@router.get(BASE)
def project_settings_page(
    request: Request, organization_slug: str, project_slug: str, viewer: SignedIn, db: Db
) -> Response:
    """The project's settings, team access and DSN keys."""
    organization, project = _managed(db, viewer, organization_slug, project_slug)
    public_url = services_of(request).settings.public_url
    keys = [
        (key, build_dsn(public_url, key.public_key, project.id)) for key in project_keys(db, project.id, limit=MAX_KEYS)
    ]
    context = {
        "organization": organization,
        "project": project,
        "teams": organization_teams(db, organization.id),
        "team_ids": project_team_ids(db, [project.id]).get(project.id, set()),
        "keys": keys,
        "max_window": MAX_RATE_LIMIT_WINDOW,
    }
    return render(request, "project_settings.html", context)


@router.post(BASE + "general/")
def save_general(request: Request, organization_slug: str, project_slug: str, viewer: SignedIn, db: Db) -> Response:
    """Save name, slug, platform, retention and performance thresholds (a new slug moves the page)."""
    organization, project = _managed(db, viewer, organization_slug, project_slug)
    form = posted_form(request)
    retention = optional_int(form, "retention_days", "Retention")
    try:
        update_project(
            db,
            project,
            name=str(form.get("name", "")),
            slug=str(form.get("slug", "")),
            platform=str(form.get("platform", "")),
            retention_days=retention if retention is not None else 0,
            thresholds={
                "slow_db_ms": optional_int(form, "slow_db_ms", "The slow query threshold"),
                "slow_http_ms": optional_int(form, "slow_http_ms", "The slow call threshold"),
                "apdex_ms": optional_int(form, "apdex_ms", "The Apdex threshold"),
            },
        )
    except ProjectSettingsError as error:
        raise PageError(400, str(error)) from None
    return _back(organization, project)


@router.post(BASE + "teams/")
def save_teams(request: Request, organization_slug: str, project_slug: str, viewer: SignedIn, db: Db) -> Response:
    """Give exactly the ticked teams access to the project."""
    organization, project = _managed(db, viewer, organization_slug, project_slug)
    try:
        set_project_teams(
            db, project, teams_in_organization(db, organization.id, id_list(posted_form(request), "team"))
        )
    except TeamError as error:
        raise PageError(400, str(error)) from None
    return _back(organization, project)


@router.post(BASE + "keys/")
def add_key(request: Request, organization_slug: str, project_slug: str, viewer: SignedIn, db: Db) -> Response:
    """A new DSN key."""
    organization, project = _managed(db, viewer, organization_slug, project_slug)
    if len(project_keys(db, project.id, limit=MAX_KEYS)) >= MAX_KEYS:
        raise PageError(400, f"A project has at most {MAX_KEYS} keys.")
    label = str(posted_form(request).get("label", "")).strip()[:64] or "Default"
    create_key(db, project, label)
    return _back(organization, project, "#keys")


@router.post(BASE + "keys/{key_id}/")
def save_key(
    request: Request, organization_slug: str, project_slug: str, key_id: int, viewer: SignedIn, db: Db
) -> Response:
    """Save a key's label and rate limit (both numbers empty: unlimited)."""
    organization, project = _managed(db, viewer, organization_slug, project_slug)
    key = _key(db, project, key_id)
    form = posted_form(request)
    count = optional_int(form, "rate_limit_count", "The number of events")
    window = optional_int(form, "rate_limit_window", "The window")
    try:
        set_key_rate_limit(key, count, window)
    except ProjectSettingsError as error:
        raise PageError(400, str(error)) from None
    key.label = str(form.get("label", key.label)).strip()[:64] or key.label
    return _back(organization, project, "#keys")


@router.post(BASE + "keys/{key_id}/{action}/")
def key_action(
    organization_slug: str, project_slug: str, key_id: int, action: str, viewer: SignedIn, db: Db
) -> Response:
    """Disable or enable a key, or revoke it (delete it: its DSN stops working for good)."""
    organization, project = _managed(db, viewer, organization_slug, project_slug)
    key = _key(db, project, key_id)
    if action == "disable":
        key.is_active = False
    elif action == "enable":
        key.is_active = True
    elif action == "revoke":
        db.delete(key)
    else:
        raise not_found()
    return _back(organization, project, "#keys")


def _managed(db: Db, viewer: Viewer, organization_slug: str, project_slug: str) -> tuple[Organization, Project]:
    """The organization (the viewer must manage it: else 403) and its project (else 404)."""
    organization = managed_organization(db, viewer, organization_slug)
    return organization, managed_project(db, viewer, organization, project_slug)


def _key(db: Db, project: Project, key_id: int) -> ProjectKey:
    key = project_key(db, project, key_id)
    if key is None:
        raise not_found()
    return key


def _back(organization: Organization, project: Project, anchor: str = "") -> Response:
    return RedirectResponse(f"/settings/{organization.slug}/projects/{project.slug}/{anchor}", status_code=303)
