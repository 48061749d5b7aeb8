"""event dictionaries: zstd dictionaries trained per project, so that event bodies compress ~4x smaller and ~3x
faster than alone (heron.store.dictionaries)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import heron.store.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_dictionaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("created", heron.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ratio", sa.Float(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_event_dictionaries_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_dictionaries")),
    )
    with op.batch_alter_table("event_dictionaries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_dictionaries_project_id"), ["project_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("event_dictionaries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_dictionaries_project_id"))
    op.drop_table("event_dictionaries")
