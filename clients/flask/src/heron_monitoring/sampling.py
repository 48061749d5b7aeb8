"""Which transactions are traced: none for health checks, the parent's decision when there is one, else the rate."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from heron_monitoring.config import normalize_path
from heron_monitoring.failures import report_failure

TracesSampler = Callable[[Mapping[str, Any]], float]


def is_health_check(path: str, health_check_paths: frozenset[str]) -> bool:
    """Whether a request path is one of the (normalized) health check paths."""
    return normalize_path(path) in health_check_paths


def traces_sampler_for(traces_sample_rate: float, health_check_paths: frozenset[str]) -> TracesSampler:
    """The SDK's `traces_sampler`: it gets the WSGI environ of a request as `wsgi_environ`."""

    def traces_sampler(sampling_context: Mapping[str, Any]) -> float:
        try:
            environ = sampling_context.get("wsgi_environ")
            if isinstance(environ, Mapping) and is_health_check(str(environ.get("PATH_INFO", "")), health_check_paths):
                return 0.0
            parent_sampled = sampling_context.get("parent_sampled")
            if parent_sampled is not None:
                return 1.0 if parent_sampled else 0.0
            return traces_sample_rate
        except Exception:
            report_failure("traces_sampler")
            return 0.0

    return traces_sampler
