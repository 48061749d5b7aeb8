"""An issue's tags: `/issues/{id}/tags/` (keys with their top values), `/tags/{key}/` and
`/tags/{key}/values/` (every value, paginated), also under `/organizations/{org}/issues/{id}/`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from heron.api.access import ReadableIssue, bad_request
from heron.api.deps import Db
from heron.api.errors import not_found
from heron.api.pagination import json_response, paginated_response, requested_page
from heron.api.shapes import iso
from heron.store.models import IssueTagValue
from heron.store.tags import VALUE_SORTS, TagKeySummary, issue_tag_summaries, issue_tag_values

router = APIRouter()

# Sentry's labels for well-known tag keys; others are title-cased.
TAG_LABELS = {"exc_type": "Exception Type", "os": "OS", "url": "URL", "server_name": "Server", "dist": "Distribution"}
# Sentry's `sort=` names for tag values (with or without the leading minus).
VALUE_SORT_NAMES = {"-last_seen": "date", "-first_seen": "age", "-times_seen": "count", "-count": "count"}


@router.get("/issues/{issue_id}/tags/")
@router.get("/organizations/{organization_slug}/issues/{issue_id}/tags/")
def issue_tags(request: Request, issue: ReadableIssue, session: Db) -> Response:
    """Every tag key of the issue (or the `?key=` ones) with its most frequent values."""
    keys = [key for key in request.query_params.getlist("key") if key] or None
    top = _limit(request, default=9 if keys else 10)
    summaries = issue_tag_summaries(session, issue.id, keys=keys, top=top)
    return json_response([tag_key_shape(summary) for summary in summaries])


@router.get("/issues/{issue_id}/tags/{key}/")
@router.get("/organizations/{organization_slug}/issues/{issue_id}/tags/{key}/")
def issue_tag(key: str, issue: ReadableIssue, session: Db) -> Response:
    """One tag key of the issue with its top values; 404 if no event of the issue had it."""
    summaries = issue_tag_summaries(session, issue.id, keys=[key], top=9)
    if not summaries:
        raise not_found("The requested tag key does not exist")
    return json_response(tag_key_shape(summaries[0]))


@router.get("/issues/{issue_id}/tags/{key}/values/")
@router.get("/organizations/{organization_slug}/issues/{issue_id}/tags/{key}/values/")
def issue_tag_value_list(request: Request, key: str, issue: ReadableIssue, session: Db) -> Response:
    """Every value of one tag key on the issue, most recently seen first (`?sort=count|age|date`)."""
    raw_sort = request.query_params.get("sort") or "date"
    sort = VALUE_SORT_NAMES.get(raw_sort, raw_sort.lstrip("-"))
    if sort not in VALUE_SORTS:
        raise bad_request(f"Invalid sort {raw_sort!r}; use one of {', '.join(VALUE_SORTS)}")
    page = requested_page(request)
    values = issue_tag_values(session, issue.id, key, sort=sort, offset=page.offset, limit=page.fetch)
    if not values and page.number == 0:
        raise not_found("The requested tag key does not exist")
    return paginated_response(request, page, values, _value_shapes)


def tag_key_shape(summary: TagKeySummary) -> dict[str, Any]:
    """Sentry's tag key shape with its top values."""
    return {
        "key": summary.key,
        "name": tag_label(summary.key),
        "uniqueValues": summary.unique_values,
        "totalValues": summary.total,
        "topValues": _value_shapes(summary.top_values),
    }


def tag_label(key: str) -> str:
    """How Sentry names a tag key for people."""
    return TAG_LABELS.get(key) or key.replace("_", " ").title()


def _value_shapes(values: Sequence[IssueTagValue]) -> list[dict[str, Any]]:
    return [
        {
            "key": value.key,
            "name": value.value,
            "value": value.value,
            "count": value.times_seen,
            "firstSeen": iso(value.first_seen),
            "lastSeen": iso(value.last_seen),
        }
        for value in values
    ]


def _limit(request: Request, default: int) -> int:
    raw = request.query_params.get("limit", "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise bad_request(f"Invalid limit {raw!r} (1 to 1000)")
    return int(raw)
