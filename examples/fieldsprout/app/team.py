"""The account's team: owners invite people by email."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask.typing import ResponseReturnValue

from app.auth import login_required, signed_in_user
from app.mail import send_invitation

blueprint = Blueprint("team", __name__)

INVITABLE_ROLES = ("member", "owner")


@blueprint.post("/team/invite")
@login_required
def invite() -> ResponseReturnValue:
    user = signed_in_user()
    if user.role != "owner":
        abort(403)
    email = request.form.get("email", "").strip().lower()
    role = request.form.get("role", "member")
    if "@" not in email or role not in INVITABLE_ROLES:
        return {"error": "an email address and a role (member or owner) are needed"}, 400
    message_id = send_invitation(email, role, user.account.name)
    return {"invited": email, "role": role, "message_id": message_id}
