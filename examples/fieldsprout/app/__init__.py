"""FieldSprout: garden planning for allotments, market gardens and rooftop farms.

`create_app()` builds the app; `flask --app app run` serves it. Settings come from the environment:
FIELDSPROUT_DATABASE_URL (default: a SQLite file in the instance folder), FIELDSPROUT_SECRET_KEY,
FIELDSPROUT_FORECAST_URL, and monitoring's SENTRY_* variables.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask

from app import auth, billing, gardens, health, reports, team, weather
from app.commands import register_commands
from app.models import db
from app.monitoring import init_monitoring

BLUEPRINTS = (
    auth.blueprint,
    billing.blueprint,
    gardens.blueprint,
    health.blueprint,
    reports.blueprint,
    team.blueprint,
    weather.blueprint,
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The FieldSprout app; `config` overrides the settings read from the environment."""
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("FIELDSPROUT_SECRET_KEY") or secrets.token_hex(32),
        SQLALCHEMY_DATABASE_URI=os.environ.get("FIELDSPROUT_DATABASE_URL", "sqlite:///fieldsprout.sqlite3"),
        FORECAST_URL=os.environ.get("FIELDSPROUT_FORECAST_URL", ""),
    )
    app.config.from_mapping(config or {})
    init_monitoring(app)  # first: whatever fails after this is reported
    db.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    register_commands(app)
    with app.app_context():
        db.create_all()
    return app
