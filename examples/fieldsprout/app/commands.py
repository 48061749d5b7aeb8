"""`flask --app app seed` and `flask --app app renew-subscriptions`."""

from __future__ import annotations

import click
from flask import Flask

from app.billing import renew_subscriptions
from app.seed import DEMO_PASSWORD, DEMO_USERS, seed_demo_data


def register_commands(app: Flask) -> None:
    @app.cli.command("seed")
    def seed() -> None:
        """Add the demo accounts to an empty database."""
        seed_demo_data()
        click.echo(f"demo users (password {DEMO_PASSWORD}): {', '.join(DEMO_USERS)}")

    @app.cli.command("renew-subscriptions")
    def renew() -> None:
        """Charge every subscription for the next month (the nightly job)."""
        statuses = renew_subscriptions()
        click.echo(", ".join(f"{count} {status}" for status, count in sorted(statuses.items())))
