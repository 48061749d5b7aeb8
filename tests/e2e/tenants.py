"""Tenants for flow tests, created while the server's digest is idle."""

from __future__ import annotations

from tests.api.conftest import new_tenant
from tests.harness import HeronServer, Tenant


def fresh_tenant(heron: HeronServer, prefix: str) -> Tenant:
    """A new organization with project `app`, its owner and token, under a slug no other test uses.

    The queue is drained first: a SQLite transaction that reads before it writes fails at once with "database
    is locked" when the digest commits in between (see test_concurrent_writes.py), and creating a tenant is one.
    """
    heron.wait_for_digest()
    return new_tenant(heron, prefix)
