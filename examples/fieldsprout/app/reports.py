"""The season report: growing degree hours per planting over decades of modelled hourly temperatures.

It is one SQL query, and a slow one (over a second): a day-by-day model of the climate, generated hour by hour
by a recursive CTE and joined with every planting of the account. That is the slow query the demo shows.
"""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from app.auth import login_required, signed_in_user
from app.models import db

blueprint = Blueprint("reports", __name__)

SEASONS = 80  # over a second with margin: 50 seasons took 0.88 s on a fast day of the CI machine
HOURS_A_SEASON = 365 * 24

# The modelled temperature peaks at 20 °C on day 200, around 2 pm.
SEASON_REPORT = text(
    """
    WITH RECURSIVE hour(n) AS (
        SELECT 0 UNION ALL SELECT n + 1 FROM hour WHERE n < :hours - 1
    ),
    climate(temp_c) AS (
        SELECT 20.0 - abs(n / 24 % 365 - 200) / 10.0 + 6.0 - abs(n % 24 - 14) / 2.0 FROM hour
    )
    SELECT gardens.name AS garden,
           plantings.crop AS crop,
           count(*) FILTER (WHERE climate.temp_c > plantings.base_temp_c) / :seasons AS growing_hours,
           round(sum(max(climate.temp_c - plantings.base_temp_c, 0.0)) / :seasons, 1) AS degree_hours
    FROM plantings
    JOIN gardens ON gardens.id = plantings.garden_id
    CROSS JOIN climate
    WHERE gardens.account_id = :account_id
    GROUP BY plantings.id
    ORDER BY gardens.name, plantings.crop
    """
)


@blueprint.get("/reports/season")
@login_required
def season_report() -> ResponseReturnValue:
    parameters = {"hours": SEASONS * HOURS_A_SEASON, "seasons": SEASONS, "account_id": signed_in_user().account_id}
    rows = db.session.execute(SEASON_REPORT, parameters).mappings()
    return {"seasons": SEASONS, "plantings": [dict(row) for row in rows]}
