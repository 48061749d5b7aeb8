"""The account's gardens and what they yield."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue

from app.auth import login_required, signed_in_user
from app.models import Garden, db

blueprint = Blueprint("gardens", __name__)


def own_garden(garden_id: int) -> Garden:
    """The signed-in user's account's garden; 404 for anyone else's, so ids give nothing away."""
    garden = db.get_or_404(Garden, garden_id)
    if garden.account_id != signed_in_user().account_id:
        abort(404)
    return garden


@blueprint.get("/gardens")
@login_required
def list_gardens() -> ResponseReturnValue:
    gardens = [
        {"id": garden.id, "name": garden.name, "plantings": len(garden.plantings)}
        for garden in signed_in_user().account.gardens
    ]
    return {"gardens": gardens}


@blueprint.get("/gardens/<int:garden_id>/yield")
@login_required
def garden_yield(garden_id: int) -> ResponseReturnValue:
    garden = own_garden(garden_id)
    # A bed with nothing planted yet raises ZeroDivisionError: the bug FieldSprout ships with, left unhandled so
    # that monitoring reports it.
    per_planting = garden.harvest_kg / len(garden.plantings)
    return {"garden": garden.name, "harvest_kg": garden.harvest_kg, "kg_per_planting": round(per_planting, 2)}
