"""performance: transactions, per-bucket rollups with latency sketches, span rollups, slow spans, profiles, and the
projects' performance thresholds

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import heron.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = heron.store.types.UTCDateTime(timezone=True)


def _project_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["project_id"], ["projects.id"], name=op.f(f"fk_{table}_project_id_projects"), ondelete="CASCADE"
    )


def upgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slow_db_ms", sa.Integer(), server_default="1000", nullable=False))
        batch_op.add_column(sa.Column("slow_http_ms", sa.Integer(), server_default="3000", nullable=False))
        batch_op.add_column(sa.Column("apdex_ms", sa.Integer(), server_default="300", nullable=False))
    op.create_table(
        "transactions",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("op", sa.String(length=64), nullable=False),
        sa.Column("environment", sa.String(length=64), nullable=False),
        sa.Column("release", sa.String(length=250), nullable=True),
        sa.Column("trace_id", sa.String(length=32), nullable=True),
        sa.Column("span_id", sa.String(length=16), nullable=True),
        sa.Column("start", WHEN, nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("user_key", sa.String(length=256), nullable=True),
        sa.Column("span_count", sa.Integer(), nullable=False),
        sa.Column("measurements", sa.JSON(), nullable=False),
        sa.Column("spans", sa.LargeBinary(), nullable=False),
        sa.Column("has_profile", sa.Boolean(), nullable=False),
        _project_fk("transactions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions")),
        sa.UniqueConstraint("project_id", "event_id", name=op.f("uq_transactions_project_id_event_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.create_index("ix_transactions_project_name_start", ["project_id", "name", "start"], unique=False)
        batch_op.create_index("ix_transactions_project_start", ["project_id", "start"], unique=False)
        batch_op.create_index(
            "ix_transactions_project_name_duration", ["project_id", "name", "duration_ms"], unique=False
        )
        batch_op.create_index("ix_transactions_trace_id", ["trace_id"], unique=False)
    op.create_table(
        "perf_rollups",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("resolution", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("environment", sa.String(length=64), nullable=False),
        sa.Column("bucket", WHEN, nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("failures", sa.BigInteger(), nullable=False),
        sa.Column("satisfied", sa.BigInteger(), nullable=False),
        sa.Column("tolerated", sa.BigInteger(), nullable=False),
        sa.Column("duration_sum", sa.Float(), nullable=False),
        sa.Column("sketch", sa.LargeBinary(), nullable=False),
        _project_fk("perf_rollups"),
        sa.PrimaryKeyConstraint(
            "project_id", "resolution", "name", "environment", "bucket", name=op.f("pk_perf_rollups")
        ),
    )
    op.create_table(
        "span_rollups",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("resolution", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("op", sa.String(length=64), nullable=False),
        sa.Column("bucket", WHEN, nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("duration_sum", sa.Float(), nullable=False),
        sa.Column("sketch", sa.LargeBinary(), nullable=False),
        _project_fk("span_rollups"),
        sa.PrimaryKeyConstraint("project_id", "resolution", "name", "op", "bucket", name=op.f("pk_span_rollups")),
    )
    op.create_table(
        "slow_spans",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("op", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("start", WHEN, nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        _project_fk("slow_spans"),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_slow_spans_transaction_id_transactions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slow_spans")),
    )
    with op.batch_alter_table("slow_spans", schema=None) as batch_op:
        batch_op.create_index("ix_slow_spans_project_start", ["project_id", "start"], unique=False)
        batch_op.create_index(batch_op.f("ix_slow_spans_transaction_id"), ["transaction_id"], unique=False)
    op.create_table(
        "profiles",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("transaction_event_id", sa.String(length=32), nullable=True),
        sa.Column("received", WHEN, nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        _project_fk("profiles"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profiles")),
        sa.UniqueConstraint("project_id", "event_id", name=op.f("uq_profiles_project_id_event_id")),
    )
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_profiles_transaction_event_id"), ["transaction_event_id"], unique=False)


def downgrade() -> None:
    op.drop_table("profiles")
    op.drop_table("slow_spans")
    op.drop_table("span_rollups")
    op.drop_table("perf_rollups")
    op.drop_table("transactions")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("apdex_ms")
        batch_op.drop_column("slow_http_ms")
        batch_op.drop_column("slow_db_ms")
