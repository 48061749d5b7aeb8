"""heron-monitoring: error tracking and performance monitoring for Flask apps, reporting to Heron.

```python
from heron_monitoring import init_monitoring, capture_exception
init_monitoring(app)  # reads SENTRY_DSN and the other SENTRY_* variables
```
"""

from __future__ import annotations

from heron_monitoring.config import MonitoringConfig, MonitoringConfigError, MonitoringOptions
from heron_monitoring.extension import Monitoring, init_monitoring
from heron_monitoring.performance import monitor_performance, start_span, start_transaction
from heron_monitoring.reporting import add_breadcrumb, capture_exception, capture_message, set_fingerprint, set_tag
from heron_monitoring.user import set_user_context

__all__ = [
    "Monitoring",
    "MonitoringConfig",
    "MonitoringConfigError",
    "MonitoringOptions",
    "add_breadcrumb",
    "capture_exception",
    "capture_message",
    "init_monitoring",
    "monitor_performance",
    "set_fingerprint",
    "set_tag",
    "set_user_context",
    "start_span",
    "start_transaction",
]
