"""The issue stream (`/organizations/{org}/issues/?project=&query=&sort=&cursor=`), Sentry's path: the one
search grammar (heron.search, as the API's `query=`), four sorts, keyset pages, a sparkline per row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from heron.search import DEFAULT_QUERY, SearchError, parse_query
from heron.store.accounts import organization_members, users_by_id
from heron.store.frequency import issue_event_series
from heron.store.issue_pages import IssueCursor, IssuePage, issue_page
from heron.store.models import STATUS_NAMES, SUBSTATUS_NAMES, Issue, Project, User
from heron.store.search import IssueSearch
from heron.store.short_ids import qualified_short_id
from heron.store.types import utcnow
from heron.web.access import organization_for, projects_of, selected_projects
from heron.web.charts import BarChart, bar_chart
from heron.web.deps import Db, SignedIn
from heron.web.page_urls import with_params
from heron.web.templates import render
from heron.web.triage import IGNORE_DURATIONS

router = APIRouter()

PAGE_SIZE = 25
# `sort=` as the API and Sentry spell it → what the page calls it.
SORT_LABELS = {"date": "Last seen", "new": "First seen", "freq": "Events", "user": "Users"}
SPARKLINE = {"width": 96, "height": 24}


@dataclass(frozen=True, slots=True)
class StreamRow:
    """An issue as a row of the stream."""

    issue: Issue
    project: Project
    short_id: str
    status: str
    substatus: str | None
    assignee: User | None
    sparkline: BarChart


@dataclass(frozen=True, slots=True)
class StreamLinks:
    """The stream's own URLs: one per sort, and the pages around this one."""

    sorts: list[tuple[str, str, str]]
    previous: str | None
    next: str | None


@router.get("/organizations/{organization_slug}/issues/")
def issue_stream(request: Request, organization_slug: str, viewer: SignedIn, db: Db) -> Response:
    """The organization's issues matching the search, a page at a time; a bad search says why (400)."""
    organization = organization_for(db, viewer, organization_slug)
    projects = projects_of(db, viewer, organization)
    params = request.query_params
    selected = selected_projects(params.getlist("project"), projects)
    query = params.get("query", DEFAULT_QUERY)
    sort = params.get("sort") or "date"
    problem: str | None = None
    page = IssuePage([], None, None)
    try:
        if sort not in SORT_LABELS:
            raise SearchError(f"unknown sort {sort!r}; use one of {', '.join(SORT_LABELS)}")
        cursor = parse_cursor(params.get("cursor", ""))
        search = IssueSearch([p.id for p in selected], parse_query(query, utcnow()), viewer.user_id, sort)
    except SearchError as error:
        problem = str(error)
    else:
        page = issue_page(db, search, cursor, PAGE_SIZE)
    context = {
        "organization": organization,
        "projects": projects,
        # No filter (every project) shows as "All projects" rather than each project ticked.
        "selected": {p.id for p in selected} if selected is not projects else set(),
        "query": query,
        "sort": sort,
        "problem": problem,
        "rows": stream_rows(db, page.issues, projects),
        "links": _links(request, page),
        "members": organization_members(db, organization.id),
        "ignore_durations": IGNORE_DURATIONS,
        "back": f"{request.url.path}?{request.url.query}",
    }
    return render(request, "stream.html", context, status=400 if problem else 200)


def stream_rows(session: Session, issues: Sequence[Issue], projects: Sequence[Project]) -> list[StreamRow]:
    """Rows for `issues`, with a fixed number of queries whatever their number."""
    by_id = {project.id: project for project in projects}
    assignees = users_by_id(session, (i.assignee_id for i in issues if i.assignee_id is not None))
    series = issue_event_series(session, (issue.id for issue in issues), utcnow())
    return [
        StreamRow(
            issue,
            by_id[issue.project_id],
            qualified_short_id(by_id[issue.project_id].slug, issue.short_id),
            STATUS_NAMES.get(issue.status, "unresolved"),
            SUBSTATUS_NAMES.get(issue.substatus) if issue.substatus is not None else None,
            assignees.get(issue.assignee_id) if issue.assignee_id is not None else None,
            bar_chart(series[issue.id], **SPARKLINE),
        )
        for issue in issues
    ]


def format_cursor(cursor: IssueCursor) -> str:
    """`n:VALUE:ID` for the page after a position, `p:VALUE:ID` for the one before it."""
    return f"{'p' if cursor.backwards else 'n'}:{cursor.value}:{cursor.issue_id}"


def parse_cursor(text: str) -> IssueCursor | None:
    """The cursor of a `format_cursor` string (None for none). Raises SearchError."""
    if not text:
        return None
    parts = text.split(":")
    if len(parts) != 3 or parts[0] not in ("n", "p") or not all(_is_int(part) for part in parts[1:]):
        raise SearchError(f"invalid cursor {text!r}: go back to the first page")
    return IssueCursor(int(parts[1]), int(parts[2]), backwards=parts[0] == "p")


def _links(request: Request, page: IssuePage) -> StreamLinks:
    def url(**changes: str) -> str:
        return with_params(request, drop=("cursor",), **changes)

    sorts = [(key, label, url(sort=key)) for key, label in SORT_LABELS.items()]
    previous = url(cursor=format_cursor(page.previous)) if page.previous is not None else None
    following = url(cursor=format_cursor(page.next)) if page.next is not None else None
    return StreamLinks(sorts, previous, following)


def _is_int(text: str) -> bool:
    return text.lstrip("-").isdigit() and len(text) < 20
