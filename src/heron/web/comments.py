"""Commenting on an issue from its page: a plain form, posted here and redirected back to the comments."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from heron.store.comments import MAX_COMMENT_CHARS, add_comment
from heron.store.types import utcnow
from heron.web.access import issue_for, organization_for
from heron.web.csrf import posted_form
from heron.web.deps import Db, SignedIn
from heron.web.errors import PageError

router = APIRouter()


@router.post("/organizations/{organization_slug}/issues/{issue_id}/comments/")
def comment_on_issue(request: Request, organization_slug: str, issue_id: str, viewer: SignedIn, db: Db) -> Response:
    """Add the form's text as the viewer's comment; 400 when it is empty or too long."""
    organization = organization_for(db, viewer, organization_slug)
    issue = issue_for(db, viewer, organization, issue_id)
    text = str(posted_form(request).get("text", "")).strip()
    if not text:
        raise PageError(400, "A comment needs some text.")
    if len(text) > MAX_COMMENT_CHARS:
        raise PageError(400, f"A comment holds at most {MAX_COMMENT_CHARS:,} characters.")
    add_comment(db, issue.id, viewer.user_id, text, utcnow())
    return RedirectResponse(f"/organizations/{organization.slug}/issues/{issue.id}/#comments", status_code=303)
