"""A transaction's spans laid out as a waterfall: each span's depth in the tree (by parent span id) and where its
bar starts and ends as fractions of the transaction's duration. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 4  # deeper spans are drawn at this indent
FAILED = frozenset({"ok", "cancelled", "unknown"})


@dataclass(frozen=True, slots=True)
class WaterfallRow:
    span_id: str
    op: str
    description: str
    depth: int
    offset: float  # 0..1 of the transaction's duration
    width: float  # 0..1
    duration_ms: float
    status: str
    data: dict[str, Any]

    @property
    def failed(self) -> bool:
        return self.status not in FAILED


def waterfall(
    root_span_id: str | None, start: float, duration_ms: float, spans: list[dict[str, Any]]
) -> list[WaterfallRow]:
    """Rows in tree order (a span, then its children by start), from spans as the digest keeps them."""
    total = max(duration_ms / 1000, 1e-6)
    children: dict[str | None, list[dict[str, Any]]] = {}
    known = {span["span_id"] for span in spans}
    for span in sorted(spans, key=lambda s: float(s["start"])):
        parent = span.get("parent_span_id")
        children.setdefault(parent if parent in known else root_span_id, []).append(span)
    rows: list[WaterfallRow] = []
    seen: set[str] = set()

    def visit(parent: str | None, depth: int) -> None:
        for span in children.get(parent, []):
            if span["span_id"] in seen:  # a cycle in hostile data
                continue
            seen.add(span["span_id"])
            offset = min(max((float(span["start"]) - start) / total, 0.0), 1.0)
            width = min(float(span["duration_ms"]) / 1000 / total, 1.0 - offset)
            rows.append(
                WaterfallRow(
                    span_id=span["span_id"],
                    op=str(span.get("op") or ""),
                    description=str(span.get("description") or ""),
                    depth=min(depth, MAX_DEPTH),
                    offset=offset,
                    width=max(width, 0.0),
                    duration_ms=float(span["duration_ms"]),
                    status=str(span.get("status") or "ok"),
                    data=dict(span.get("data") or {}),
                )
            )
            visit(span["span_id"], depth + 1)

    visit(root_span_id, 1)
    for span in spans:  # spans whose parents form a cycle are still shown, at the top level
        if span["span_id"] not in seen:
            children[None] = [span]
            visit(None, 1)
    return rows
