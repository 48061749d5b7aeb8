"""teams, project access by team, and invitations

Every existing organization gets a team with its own slug holding all its members and projects, so nobody sees
less after the upgrade than before it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 07:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import heron.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("date_created", heron.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_teams_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("organization_id", "slug", name=op.f("uq_teams_organization_id_slug")),
    )
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_team_members_member_id_members"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_members_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", "member_id", name=op.f("pk_team_members")),
    )
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_members_member_id"), ["member_id"], unique=False)
    op.create_table(
        "project_teams",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_project_teams_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_project_teams_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("project_id", "team_id", name=op.f("pk_project_teams")),
    )
    with op.batch_alter_table("project_teams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_teams_team_id"), ["team_id"], unique=False)
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("team_ids", sa.JSON(), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("date_created", heron.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires", heron.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["users.id"], name=op.f("fk_invites_invited_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_invites_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invites_token_hash")),
    )
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invites_organization_id"), ["organization_id"], unique=False)

    op.execute(
        "INSERT INTO teams (organization_id, slug, name, date_created) "
        "SELECT id, slug, name, date_created FROM organizations"
    )
    op.execute(
        "INSERT INTO team_members (team_id, member_id) "
        "SELECT teams.id, members.id FROM members JOIN teams ON teams.organization_id = members.organization_id"
    )
    op.execute(
        "INSERT INTO project_teams (project_id, team_id) "
        "SELECT projects.id, teams.id FROM projects JOIN teams ON teams.organization_id = projects.organization_id"
    )


def downgrade() -> None:
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invites_organization_id"))
    op.drop_table("invites")
    with op.batch_alter_table("project_teams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_teams_team_id"))
    op.drop_table("project_teams")
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_members_member_id"))
    op.drop_table("team_members")
    op.drop_table("teams")
