"""indexes for the dashboard's pages: an issue's most frequent tag values, the issues a user was seen in, and (on
PostgreSQL) statistics of which tag values go with which keys

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Without it PostgreSQL takes `level:error environment:production` for rare (a value's share times its key's), scans
# every issue of the search and probes each one's tags: 75 ms against 1 ms walking the issues by last seen until a
# page is full. Statistics are not part of the models: the schema comparison does not see them.
KEY_VALUE_STATISTICS = "issue_tag_values_key_value"


def upgrade() -> None:
    with op.batch_alter_table("issue_tag_values", schema=None) as batch_op:
        batch_op.create_index(
            "ix_issue_tag_values_issue_id_key_times_seen_value",
            ["issue_id", "key", sa.text("times_seen DESC"), "value"],
            unique=False,
        )
    with op.batch_alter_table("issue_users", schema=None) as batch_op:
        batch_op.create_index("ix_issue_users_user_key_issue_id", ["user_key", "issue_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE STATISTICS {KEY_VALUE_STATISTICS} (dependencies, mcv) ON key, value FROM issue_tag_values")
        op.execute("ANALYZE issue_tag_values")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP STATISTICS IF EXISTS {KEY_VALUE_STATISTICS}")
    with op.batch_alter_table("issue_users", schema=None) as batch_op:
        batch_op.drop_index("ix_issue_users_user_key_issue_id")
    with op.batch_alter_table("issue_tag_values", schema=None) as batch_op:
        batch_op.drop_index("ix_issue_tag_values_issue_id_key_times_seen_value")
