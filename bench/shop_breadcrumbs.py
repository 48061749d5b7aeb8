"""The breadcrumbs both benchmarks' simulated web shop leaves before it fails: HTTP calls, queries, log lines."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any


def shop_breadcrumb(rng: random.Random, index: int, order_id: int, queries: Sequence[str]) -> dict[str, Any]:
    """The `index`-th breadcrumb of a request handling `order_id` (a query is drawn from `queries`)."""
    kind = index % 3
    if kind == 0:
        status = rng.choice((200, 200, 201, 404, 502))
        return {
            "type": "http",
            "category": "httplib",
            "data": {
                "url": f"https://payments.example.net/v2/charges/{order_id}",
                "method": "POST",
                "status_code": status,
                "reason": "OK" if status < 300 else "Bad Gateway",
            },
        }
    if kind == 1:
        return {"category": "query", "message": rng.choice(queries), "data": {"db.system": "postgresql"}}
    return {
        "category": rng.choice(("shop.orders", "shop.payments", "shop.cache")),
        "level": rng.choice(("info", "info", "warning")),
        "message": f"order {order_id}: step {index} done in {rng.uniform(0.5, 80):.1f} ms",
    }
