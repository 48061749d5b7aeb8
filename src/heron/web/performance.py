"""The Performance pages: every transaction name with throughput, percentiles, failure rate and Apdex over a
period (`/organizations/{org}/performance/`), one name's summary (percentiles over time, a duration histogram,
the slowest events, where the time goes by span operation) and the project's slow spans. Numbers come from the
rollups' merged sketches (heron.perf.summaries), so a 90-day table reads about 19 week and day rows per name, and a
90-day chart 91 day rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from heron.perf.summaries import DAY, PERIODS, Segment, Summary, histogram, read_plan, series, summarize
from heron.store.models import Organization, Project
from heron.store.organizations import environment_names
from heron.store.transactions import perf_rollups, recent_slow_spans, span_rollups, transaction_events
from heron.store.types import utcnow
from heron.store.web_sessions import Viewer
from heron.web.access import organization_for, projects_of, selected_projects
from heron.web.charts import value_chart
from heron.web.deps import Db, SignedIn
from heron.web.errors import PageError, not_found
from heron.web.page_urls import with_params
from heron.web.templates import render

router = APIRouter()
DEFAULT_PERIOD = "24h"
# `sort=` → the column it sorts by, descending except the name.
SORTS = ("tpm", "p50", "p75", "p95", "p99", "failure_rate", "apdex", "name")
CHART = {"width": 560, "height": 80}
MAX_BARS = 60


@dataclass(frozen=True, slots=True)
class NameRow:
    project: Project
    name: str
    summary: Summary
    tpm: float
    percentiles: dict[str, float | None]
    url: str


@dataclass(frozen=True, slots=True)
class Window:
    """The period the viewer picked: its key (`24h`), length, the rollups that cover it for totals and for charts
    (the coarsest resolution last), and where it starts."""

    key: str
    length: timedelta
    plan: list[Segment]
    chart_plan: list[Segment]
    since: datetime

    @property
    def chart_resolution(self) -> int:
        return self.chart_plan[-1][0]


@router.get("/organizations/{organization_slug}/performance/")
def performance_page(request: Request, organization_slug: str, viewer: SignedIn, db: Db) -> Response:
    """Every transaction name of the selected projects with its numbers over the period, sortable."""
    organization = organization_for(db, viewer, organization_slug)
    projects = projects_of(db, viewer, organization)
    chosen = selected_projects(request.query_params.getlist("project"), projects)
    window = _window(request)
    environment = request.query_params.get("environment") or None
    by_id = {project.id: project for project in chosen}
    rows = perf_rollups(db, list(by_id), window.plan, environments=[environment] if environment else [])
    grouped = summarize(rows, key=lambda row: (row.project_id, row.name))
    table = []
    for (project_id, name), summary in grouped.items():
        project = by_id[project_id]
        query = {"project": project.id, "transaction": name, "statsPeriod": window.key}
        if environment:
            query["environment"] = environment
        url = f"/organizations/{organization.slug}/performance/summary/?{urlencode(query)}"
        table.append(NameRow(project, name, summary, summary.per_minute(window.length), summary.percentiles(), url))
    sort = request.query_params.get("sort", "tpm")
    if sort not in SORTS:
        raise PageError(400, f"Sort by one of: {', '.join(SORTS)}.")
    table.sort(key=lambda row: _sort_value(row, sort), reverse=sort != "name")
    context = {
        "organization": organization,
        "projects": projects,
        "selected": {project.id for project in chosen} if chosen is not projects else set(),
        "window": window,
        "periods": list(PERIODS),
        "environment": environment,
        "environments": sorted({name for names in environment_names(db, list(by_id)).values() for name in names}),
        "rows": table,
        "sort": sort,
        "sort_urls": {key: with_params(request, sort=key) for key in SORTS},
    }
    return render(request, "performance.html", context)


@router.get("/organizations/{organization_slug}/performance/summary/")
def transaction_summary(request: Request, organization_slug: str, viewer: SignedIn, db: Db) -> Response:
    """One transaction name: its numbers, percentiles over time, histogram, slowest events and span operations."""
    organization = organization_for(db, viewer, organization_slug)
    project = _one_project(request, db, viewer, organization)
    name = request.query_params.get("transaction", "")
    if not name:
        raise not_found()
    window = _window(request)
    environment = request.query_params.get("environment") or None
    environments = [environment] if environment else []
    rows = perf_rollups(db, [project.id], window.chart_plan, environments=environments, name=name)
    buckets = series(rows, window.since, utcnow(), _step(window))
    total = Summary()
    for _moment, bucket in buckets:
        total.merge(bucket)
    labels = [moment.strftime("%b %d %H:%M UTC") for moment, _summary in buckets]
    charts = {
        "p95": value_chart(
            [(label, s.percentile("p95")) for label, (_m, s) in zip(labels, buckets, strict=True)], unit="ms", **CHART
        ),
        "p50": value_chart(
            [(label, s.percentile("p50")) for label, (_m, s) in zip(labels, buckets, strict=True)], unit="ms", **CHART
        ),
        "throughput": value_chart(
            [(label, float(s.count)) for label, (_m, s) in zip(labels, buckets, strict=True)],
            unit="transactions",
            **CHART,
        ),
    }
    bins = histogram(total.sketch)
    distribution = value_chart([(f"{low:,.0f} to {high:,.0f} ms", float(count)) for low, high, count in bins],
                               unit="transactions", **CHART)  # fmt: skip
    spans = summarize(span_rollups(db, [project.id], window.plan, name=name), key=lambda r: r.op)
    span_time = sum(summary.duration_sum for summary in spans.values()) or 1.0
    breakdown = sorted(
        ((op, summary, summary.duration_sum / span_time) for op, summary in spans.items()),
        key=lambda item: item[1].duration_sum,
        reverse=True,
    )
    slowest = transaction_events(db, [project.id], window.since, name=name, environments=environments,
                                 order="-transaction.duration", limit=10, matching=total.count)  # fmt: skip
    context = {
        "organization": organization,
        "project": project,
        "name": name,
        "window": window,
        "periods": list(PERIODS),
        "environment": environment,
        "total": total,
        "tpm": total.per_minute(window.length),
        "percentiles": total.percentiles(),
        "charts": charts,
        "histogram": distribution if bins else None,
        "breakdown": breakdown,
        "slowest": slowest,
        "period_urls": {key: with_params(request, statsPeriod=key) for key in PERIODS},
    }
    return render(request, "transaction_summary.html", context)


@router.get("/organizations/{organization_slug}/performance/slow-spans/")
def slow_spans_page(request: Request, organization_slug: str, viewer: SignedIn, db: Db) -> Response:
    """The slow spans of each selected project over the period, slowest first, with the project's thresholds."""
    organization = organization_for(db, viewer, organization_slug)
    projects = projects_of(db, viewer, organization)
    chosen = selected_projects(request.query_params.getlist("project"), projects)
    window = _window(request)
    sections = [(project, recent_slow_spans(db, project.id, window.since, limit=50)) for project in chosen]
    context = {"organization": organization, "sections": sections, "window": window, "periods": list(PERIODS),
               "period_urls": {key: with_params(request, statsPeriod=key) for key in PERIODS}}  # fmt: skip
    return render(request, "slow_spans.html", context)


def _window(request: Request) -> Window:
    key = request.query_params.get("statsPeriod", DEFAULT_PERIOD)
    if key not in PERIODS:
        raise PageError(400, f"Pick a period of {', '.join(PERIODS)}.")
    now = utcnow()
    plan = read_plan(PERIODS[key], now)
    return Window(key, PERIODS[key], plan, read_plan(PERIODS[key], now, coarsest=DAY), plan[0][1])


def _step(window: Window) -> int:
    """The bar width of the charts: a multiple of the resolution giving at most MAX_BARS bars."""
    buckets = int(window.length.total_seconds() // window.chart_resolution)
    return window.chart_resolution * max(1, -(-buckets // MAX_BARS))


def _one_project(request: Request, db: Db, viewer: Viewer, organization: Organization) -> Project:
    raw = request.query_params.get("project", "")
    projects = projects_of(db, viewer, organization)
    found = {str(project.id): project for project in projects}.get(raw.strip())
    if found is None:
        raise not_found()
    return found


def _sort_value(row: NameRow, sort: str) -> float | str:
    if sort == "name":
        return row.name
    if sort == "tpm":
        return row.tpm
    value = row.percentiles.get(sort) if sort.startswith("p") else getattr(row.summary, sort)
    return value if value is not None else -1.0
