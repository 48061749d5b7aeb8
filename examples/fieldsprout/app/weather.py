"""Frost warnings from a weather forecast fetched over HTTP: the app's outbound call.

The forecast comes from FORECAST_URL (FIELDSPROUT_FORECAST_URL); unset, from the app's own `/api/forecast`,
which stands in for a weather service so that FieldSprout runs without the internet.
"""

from __future__ import annotations

import json
import random
import urllib.request
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, request, url_for
from flask.typing import ResponseReturnValue

from app.auth import login_required
from app.gardens import own_garden

blueprint = Blueprint("weather", __name__)

TENDER_BASE_TEMP_C = 10.0  # crops that stop growing below this are hurt by frost


@blueprint.get("/gardens/<int:garden_id>/frost-risk")
@login_required
def frost_risk(garden_id: int) -> ResponseReturnValue:
    garden = own_garden(garden_id)
    frost_nights = [day["date"] for day in fetch_forecast(garden.id)["days"] if day["min_c"] <= 0.0]
    tender = [planting.crop for planting in garden.plantings if planting.base_temp_c >= TENDER_BASE_TEMP_C]
    return {"garden": garden.name, "frost_nights": frost_nights, "crops_at_risk": tender if frost_nights else []}


def fetch_forecast(garden_id: int) -> dict[str, Any]:
    """The week's forecast for a garden, from the weather service."""
    url = current_app.config["FORECAST_URL"] or url_for("weather.forecast", _external=True)
    with urllib.request.urlopen(f"{url}?{urlencode({'garden': garden_id})}", timeout=10) as response:
        forecast: dict[str, Any] = json.load(response)
    return forecast


@blueprint.get("/api/forecast")
def forecast() -> ResponseReturnValue:
    """A week of night and day temperatures, the same all day for a garden."""
    today = date.today()
    weather = random.Random(request.args.get("garden", 0, type=int) * 7919 + today.toordinal())
    days = []
    for offset in range(7):
        low = round(weather.uniform(-3.0, 9.0), 1)
        days.append({"date": (today + timedelta(offset)).isoformat(), "min_c": low, "max_c": low + 8.0})
    return {"days": days}
