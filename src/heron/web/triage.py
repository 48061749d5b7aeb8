"""Triage from the pages, as plain forms (they work without JavaScript): resolve, resolve in the next release,
unresolve, ignore (forever, for a while, until N more events) and assign, for one issue or the stream's
selection. Each form posts here and is redirected back; the changes are the API's own
(`heron.store.triage.apply_issue_update`)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from heron.store.models import Issue, Organization
from heron.store.triage import IssueUpdate, TriageError, apply_issue_update
from heron.store.types import utcnow
from heron.store.web_sessions import Viewer
from heron.web.access import issue_for, organization_for
from heron.web.csrf import posted_form
from heron.web.deps import Db, SignedIn
from heron.web.errors import PageError

router = APIRouter()

# What the ignore form offers, in minutes ("" = forever).
IGNORE_DURATIONS = (("", "forever"), ("30", "for 30 minutes"), ("120", "for 2 hours"), ("1440", "for 24 hours"),
                    ("10080", "for 7 days"))  # fmt: skip
MAX_SELECTED = 100
ACTIONS = ("resolve", "resolve_in_next_release", "unresolve", "ignore", "ignore_count", "assign")


@router.post("/organizations/{organization_slug}/issues/{issue_id}/triage/")
def triage_issue(request: Request, organization_slug: str, issue_id: str, viewer: SignedIn, db: Db) -> Response:
    """Apply one triage form to one issue, then back to its page."""
    organization = organization_for(db, viewer, organization_slug)
    issue = issue_for(db, viewer, organization, issue_id)
    _apply(db, [issue], form_update(posted_form(request)), organization.id, viewer.user_id)
    return RedirectResponse(f"/organizations/{organization.slug}/issues/{issue.id}/", status_code=303)


@router.post("/organizations/{organization_slug}/issues/triage/")
def triage_issues(request: Request, organization_slug: str, viewer: SignedIn, db: Db) -> Response:
    """Apply the stream's bulk form to the selected issues, then back to the stream as it was."""
    organization = organization_for(db, viewer, organization_slug)
    form = posted_form(request)
    issues = _selected(db, viewer, organization, form)
    _apply(db, issues, form_update(form), organization.id, viewer.user_id)
    back = str(form.get("back", ""))
    target = back if back.startswith(f"/organizations/{organization.slug}/issues/?") else ""
    return RedirectResponse(target or f"/organizations/{organization.slug}/issues/", status_code=303)


def form_update(form: FormData) -> IssueUpdate:
    """The change a triage form asks for; 400 for an unknown action or a bad number."""
    action = str(form.get("action", ""))
    if action == "resolve":
        return IssueUpdate(status="resolved")
    if action == "resolve_in_next_release":
        return IssueUpdate(status="resolved", in_next_release=True)
    if action == "unresolve":
        return IssueUpdate(status="unresolved")
    if action == "ignore":
        minutes = str(form.get("ignore_minutes", ""))
        return IssueUpdate(status="ignored", ignore_minutes=_positive(minutes) if minutes else None)
    if action == "ignore_count":
        return IssueUpdate(status="ignored", ignore_count=_positive(str(form.get("ignore_count", ""))))
    if action == "assign":
        return IssueUpdate(assign=True, assignee=str(form.get("assignee", "")) or None)
    raise PageError(400, f"Unknown action; use one of {', '.join(ACTIONS)}.")


def _apply(db: Db, issues: Sequence[Issue], update: IssueUpdate, organization_id: int, actor_id: int) -> None:
    try:
        apply_issue_update(db, issues, update, organization_id, utcnow(), actor_id=actor_id)
    except TriageError as error:
        raise PageError(400, str(error)) from None


def _selected(db: Db, viewer: Viewer, organization: Organization, form: FormData) -> list[Issue]:
    """The ticked issues; each must be the viewer's (404 otherwise, as on its page)."""
    refs = sorted({str(value) for value in form.getlist("issue")})
    if not refs:
        raise PageError(400, "Select at least one issue.")
    if len(refs) > MAX_SELECTED:
        raise PageError(400, f"Select at most {MAX_SELECTED} issues at a time.")
    return [issue_for(db, viewer, organization, ref) for ref in refs]


def _positive(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 10**9:
        raise PageError(400, "Give a whole number above zero.")
    return int(text)
