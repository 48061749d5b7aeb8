"""Outgoing email. Delivery is simulated (a sleep as long as an SMTP round trip): the demo sends no mail."""

from __future__ import annotations

import random
import time
import uuid

from app.monitoring import monitor_performance


@monitor_performance("email.send_invitation")
def send_invitation(email: str, role: str, account_name: str) -> str:
    """Invite `email` to join `account_name` as `role`; returns the message id."""
    time.sleep(random.uniform(0.03, 0.12))
    return f"<{uuid.uuid4().hex}@fieldsprout.example>"
