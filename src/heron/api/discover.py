"""Performance through Sentry's Discover paths: `/organizations/{org}/events/` (a table of transaction names with
aggregates), `/organizations/{org}/events-stats/` (time series) and `/organizations/{org}/events/{project}:{id}/`
(one transaction with its spans and the errors of its trace). Numbers come from the rollups' merged sketches."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from heron.api.access import EVENT_READ, MAX_PROJECTS, OrganizationEvents, bad_request, requested_projects
from heron.api.deps import AuthenticatedCaller, Caller, Db
from heron.api.errors import not_found
from heron.api.pagination import json_response, link_header, requested_page
from heron.api.shapes import iso
from heron.api.shapes.transactions import transaction_detail_shape
from heron.perf.discover import (
    AGGREGATES,
    DiscoverError,
    lists_events,
    meta,
    normalize_field,
    parse_query,
    rows_of,
    sort_rows,
)
from heron.perf.summaries import DAY, Segment, Summary, parse_period, read_plan, resolution_for, series, summarize
from heron.store.models import Organization, Project, Transaction
from heron.store.organizations import visible_projects
from heron.store.transactions import (
    TRANSACTION_ORDERS,
    perf_rollups,
    trace_errors,
    trace_transactions,
    transaction_by_event_id,
    transaction_events,
)
from heron.store.types import utcnow

router = APIRouter()
DEFAULT_PERIOD = "24h"


@router.get("/organizations/{organization_slug}/events/")
def discover_table(
    request: Request, organization: OrganizationEvents, session: Db, caller: AuthenticatedCaller
) -> Response:
    """Transaction names with the requested aggregates over `statsPeriod`, sorted and paged."""
    params = request.query_params
    try:
        fields = [normalize_field(field) for field in params.getlist("field")] or ["transaction", "count()"]
        filters = parse_query(params.get("query", "event.type:transaction"))
        single = lists_events(fields)
    except DiscoverError as error:
        raise bad_request(str(error)) from None
    period, plan = _period(request)
    projects = requested_projects(request, session, caller, organization)
    environments = [*params.getlist("environment"), *([filters.environment] if filters.environment else [])]
    if single:
        return _event_table(request, session, fields, projects, plan, filters.transaction, environments)
    rows = perf_rollups(session, list(projects), plan, environments=environments, name=filters.transaction)
    grouped = summarize(rows, key=lambda row: (row.project_id, row.name))
    by_name = {(projects[project_id].slug, name): summary for (project_id, name), summary in grouped.items()}
    table = rows_of(fields, by_name, period)
    try:
        sort_rows(table, params.get("sort", "-count()" if "count()" in fields else fields[0]), fields)
    except DiscoverError as error:
        raise bad_request(str(error)) from None
    page = requested_page(request, default_per_page=50)
    body = {"data": table[page.offset : page.offset + page.per_page], "meta": meta(fields)}
    has_more = len(table) > page.offset + page.per_page
    return json_response(body, headers={"Link": link_header(request, page, has_more)})


@router.get("/organizations/{organization_slug}/events-stats/")
def discover_series(
    request: Request, organization: OrganizationEvents, session: Db, caller: AuthenticatedCaller
) -> Response:
    """Each `yAxis` aggregate per interval over `statsPeriod`, as Sentry's events-stats answers."""
    params = request.query_params
    try:
        axes = [normalize_field(axis) for axis in params.getlist("yAxis")] or ["count()"]
        filters = parse_query(params.get("query", "event.type:transaction"))
    except DiscoverError as error:
        raise bad_request(str(error)) from None
    if any(axis not in AGGREGATES for axis in axes):
        raise bad_request("yAxis takes aggregates such as count() or p95()")
    period, plan = _period(request)
    resolution = resolution_for(period)
    step = _interval(params.get("interval"), resolution, period)
    projects = requested_projects(request, session, caller, organization)
    environments = [*params.getlist("environment"), *([filters.environment] if filters.environment else [])]
    charted = read_plan(period, utcnow(), coarsest=DAY)
    rows = perf_rollups(session, list(projects), charted, environments=environments, name=filters.transaction)
    buckets = series(rows, plan[0][1], utcnow(), step)
    answers = {axis: _axis_series(axis, buckets, step) for axis in axes}
    if len(axes) == 1:
        return json_response(answers[axes[0]])
    for order, axis in enumerate(axes):
        answers[axis]["order"] = order
    return json_response(answers)


@router.get("/organizations/{organization_slug}/events/{project_event}/")
def discover_event(
    request: Request, project_event: str, organization: OrganizationEvents, session: Db, caller: AuthenticatedCaller
) -> Response:
    """One transaction (`project_slug:event_id`) with its spans and the errors of its trace."""
    caller.require_any(EVENT_READ)
    project_slug, _, event_id = project_event.partition(":")
    projects = {p.slug: p for p in _visible(session, caller, organization)}
    project = projects.get(project_slug)
    found = transaction_by_event_id(session, project.id, event_id.replace("-", "").lower()) if project else None
    if project is None or found is None:
        raise not_found("The requested event does not exist")
    ids = [p.id for p in projects.values()]
    window = timedelta(minutes=5)
    end = found.start + timedelta(milliseconds=found.duration_ms)
    errors = trace_errors(session, ids, found.trace_id, found.start - window, end + window) if found.trace_id else []
    related = trace_transactions(session, ids, found.trace_id) if found.trace_id else []
    by_id = {p.id: p for p in projects.values()}
    return json_response(transaction_detail_shape(found, project, errors, related, by_id))


def _event_table(
    request: Request,
    session: Session,
    fields: list[str],
    projects: dict[int, Project],
    plan: list[Segment],
    name: str | None,
    environments: list[str],
) -> Response:
    """Single transactions of the period `plan` covers, newest or slowest first."""
    order = request.query_params.get("sort", "-timestamp")
    if order.removeprefix("-") not in TRANSACTION_ORDERS:
        raise bad_request("Transactions sort by timestamp or transaction.duration (with - for descending)")
    page = requested_page(request, default_per_page=50)
    matching = None
    if name is not None and order.removeprefix("-") == "transaction.duration":  # how many there are to sort
        rollups = perf_rollups(session, list(projects), plan, environments=environments, name=name)
        matching = sum(row._mapping["count"] for row in rollups)
    found = transaction_events(session, list(projects), plan[0][1], name=name, environments=environments, order=order,
                               offset=page.offset, limit=page.fetch, matching=matching)  # fmt: skip
    rows = [_event_row(transaction, projects[transaction.project_id], fields) for transaction in found]
    body = {"data": rows[: page.per_page], "meta": meta(fields)}
    return json_response(body, headers={"Link": link_header(request, page, len(found) > page.per_page)})


def _event_row(transaction: Transaction, project: Project, fields: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": transaction.event_id,
        "transaction": transaction.name,
        "project": project.slug,
        "transaction.duration": transaction.duration_ms,
        "timestamp": iso(transaction.start + timedelta(milliseconds=transaction.duration_ms)),
        "trace": transaction.trace_id,
        "transaction.status": transaction.status,
        "environment": transaction.environment,
        "release": transaction.release,
        "http.status_code": transaction.http_status,
    }
    return {field: values[field] for field in fields}


def _period(request: Request) -> tuple[timedelta, list[Segment]]:
    """The `statsPeriod` and the rollups that cover its totals (they start where the period's first bucket does)."""
    raw = request.query_params.get("statsPeriod", DEFAULT_PERIOD)
    period = parse_period(raw)
    if period is None:
        raise bad_request(f"Invalid statsPeriod {raw!r}: use e.g. 1h, 24h, 7d, 14d, 30d or 90d (at most 90 days)")
    return period, read_plan(period, utcnow())


def _interval(raw: str | None, resolution: int, period: timedelta) -> int:
    if not raw:
        return max(resolution, int(period.total_seconds() // 100) // resolution * resolution)
    parsed = parse_period(raw) if raw[-1] != "s" else None
    if parsed is None:
        raise bad_request(f"Invalid interval {raw!r}: use e.g. 1m, 1h or 1d")
    step = int(parsed.total_seconds())
    if step % resolution:
        raise bad_request(f"An interval for this period is a multiple of {resolution // 60} minutes")
    return step


def _visible(session: Session, caller: Caller, organization: Organization) -> list[Project]:
    return visible_projects(session, caller.visibility, organization_id=organization.id, limit=MAX_PROJECTS)


def _axis_series(axis: str, buckets: list[tuple[datetime, Summary]], step: int) -> dict[str, Any]:
    compute = AGGREGATES[axis][0]
    data: list[list[Any]] = []
    for moment, summary in buckets:
        value = compute(summary, timedelta(seconds=step))
        data.append([int(moment.timestamp()), [{"count": value if value is not None else 0}]])
    start = int(buckets[0][0].timestamp()) if buckets else None
    end = int(buckets[-1][0].timestamp()) + step if buckets else None
    return {"data": data, "start": start, "end": end, "isMetricsData": False, "meta": meta([axis])}
