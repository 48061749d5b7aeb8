"""One transaction (`/organizations/{org}/performance/{project}/{event_id}/`): its span waterfall (every query with
its SQL, every outbound call with its URL and status, nested spans, timings), web vitals, whether a profile was
sent, the other transactions of its trace, and the errors of the same trace, linked to their issues."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from starlette.responses import Response

from heron.perf.waterfall import waterfall
from heron.store.bodies import decompress_json
from heron.store.transactions import profile_of, trace_errors, trace_transactions, transaction_by_event_id
from heron.web.access import organization_for, projects_of
from heron.web.deps import Db, SignedIn
from heron.web.errors import not_found
from heron.web.templates import render

router = APIRouter()
WEB_VITALS = {"lcp": "Largest contentful paint", "fcp": "First contentful paint", "cls": "Cumulative layout shift",
              "ttfb": "Time to first byte", "inp": "Interaction to next paint", "fid": "First input delay"}  # fmt: skip
TRACE_WINDOW = timedelta(minutes=5)


@router.get("/organizations/{organization_slug}/performance/{project_slug}/{event_id}/")
def transaction_page(
    request: Request, organization_slug: str, project_slug: str, event_id: str, viewer: SignedIn, db: Db
) -> Response:
    """The transaction's waterfall and its trace."""
    organization = organization_for(db, viewer, organization_slug)
    projects = projects_of(db, viewer, organization)
    project = next((p for p in projects if p.slug == project_slug), None)
    found = transaction_by_event_id(db, project.id, event_id.lower()) if project is not None else None
    if project is None or found is None:
        raise not_found()
    spans = decompress_json(found.spans).get("spans", [])
    rows = waterfall(found.span_id, found.start.timestamp(), found.duration_ms, spans)
    ids = [p.id for p in projects]
    end = found.start + timedelta(milliseconds=found.duration_ms)
    errors = (
        trace_errors(db, ids, found.trace_id, found.start - TRACE_WINDOW, end + TRACE_WINDOW) if found.trace_id else []
    )
    others = [t for t in trace_transactions(db, ids, found.trace_id) if t.id != found.id] if found.trace_id else []
    vitals = [(WEB_VITALS[key], key, value) for key, value in (found.measurements or {}).items() if key in WEB_VITALS]
    context = {
        "organization": organization,
        "project": project,
        "transaction": found,
        "rows": rows,
        "errors": errors,
        "others": others,
        "slugs": {p.id: p.slug for p in projects},
        "vitals": vitals,
        # Marked when the profile came in the transaction's batch; looked up when it came separately.
        "profile": found.has_profile or profile_of(db, project.id, found.event_id) is not None,
    }
    return render(request, "transaction.html", context)
