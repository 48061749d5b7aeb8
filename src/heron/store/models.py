"""The tables. Every schema change goes through an Alembic migration in store/migrations/versions/."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from heron.store.types import UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT for tables that grow without bound.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


# Issue statuses, as Sentry numbers them (GroupStatus) so the API maps one to one.
UNRESOLVED, RESOLVED, IGNORED = 0, 1, 2
STATUS_NAMES = {UNRESOLVED: "unresolved", RESOLVED: "resolved", IGNORED: "ignored"}
# Substatuses (GroupSubStatus).
SUB_ESCALATING, SUB_ONGOING, SUB_REGRESSED, SUB_NEW = 2, 3, 6, 7
SUB_UNTIL_ESCALATING, SUB_UNTIL_CONDITION_MET, SUB_FOREVER = 1, 4, 5
SUBSTATUS_NAMES = {
    SUB_ESCALATING: "escalating",
    SUB_ONGOING: "ongoing",
    SUB_REGRESSED: "regressed",
    SUB_NEW: "new",
    SUB_UNTIL_ESCALATING: "archived_until_escalating",
    SUB_UNTIL_CONDITION_MET: "archived_until_condition_met",
    SUB_FOREVER: "archived_forever",
}


class Organization(Base):
    __tablename__ = "organizations"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    date_created: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    is_superuser: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    date_created: Mapped[datetime] = mapped_column(default=utcnow)


class Member(Base):
    """A user's membership of an organization, with a role: owner, admin or member."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("organization_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")
    date_created: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """A bearer token. Only its sha256 is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_last_characters: Mapped[str] = mapped_column(String(4))
    name: Mapped[str] = mapped_column(String(200), default="")
    scopes: Mapped[str] = mapped_column(Text)
    date_created: Mapped[datetime] = mapped_column(default=utcnow)
    last_used: Mapped[datetime | None]


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("organization_id", "slug"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str | None] = mapped_column(String(64))
    retention_days: Mapped[int] = mapped_column(Integer, default=90)
    grouping_config: Mapped[str] = mapped_column(String(32), default="heron:v1")
    next_short_id: Mapped[int] = mapped_column(Integer, default=1)
    date_created: Mapped[datetime] = mapped_column(default=utcnow)
    # Performance: slow-span thresholds (database queries, external calls) and the Apdex threshold, in ms.
    slow_db_ms: Mapped[int] = mapped_column(Integer, default=1000, server_default="1000")
    slow_http_ms: Mapped[int] = mapped_column(Integer, default=3000, server_default="3000")
    apdex_ms: Mapped[int] = mapped_column(Integer, default=300, server_default="300")


class ProjectKey(Base):
    """A DSN key. `rate_limit_count` events per `rate_limit_window` seconds; None means unlimited."""

    __tablename__ = "project_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    public_key: Mapped[str] = mapped_column(String(32), unique=True)
    label: Mapped[str] = mapped_column(String(64), default="Default")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    rate_limit_count: Mapped[int | None]
    rate_limit_window: Mapped[int | None]
    date_created: Mapped[datetime] = mapped_column(default=utcnow)


class Release(Base):
    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("organization_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(250))
    date_created: Mapped[datetime] = mapped_column(default=utcnow)
    date_released: Mapped[datetime | None]


class ReleaseProject(Base):
    __tablename__ = "release_projects"
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)


class Environment(Base):
    __tablename__ = "environments"
    __table_args__ = (UniqueConstraint("project_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)


class Issue(Base):
    """A group of events that share a grouping hash (Sentry's Group)."""

    __tablename__ = "issues"
    __table_args__ = (
        UniqueConstraint("project_id", "short_id"),
        Index("ix_issues_project_status_last_seen", "project_id", "status", "last_seen"),
        # Ids are in links and API paths: SQLite must never hand a deleted issue's id to a new one.
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    short_id: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(1024))
    culprit: Mapped[str] = mapped_column(String(200), default="")
    level: Mapped[str] = mapped_column(String(16))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata")
    status: Mapped[int] = mapped_column(Integer, default=UNRESOLVED)
    substatus: Mapped[int | None] = mapped_column(Integer, default=SUB_NEW)
    status_details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    times_seen: Mapped[int] = mapped_column(BigInteger, default=0)
    user_count: Mapped[int] = mapped_column(Integer, default=0)
    first_release_id: Mapped[int | None] = mapped_column(ForeignKey("releases.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None]
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    grouping_config: Mapped[str] = mapped_column(String(32))


class GroupHash(Base):
    """A grouping hash that belongs to an issue; an event joins the issue owning any of its hashes."""

    __tablename__ = "grouphashes"
    __table_args__ = (UniqueConstraint("project_id", "hash"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    hash: Mapped[str] = mapped_column(String(32))
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"), index=True)


class Event(Base):
    """A stored error or message event. The whole normalized event is `body` (zstd-compressed JSON)."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("project_id", "event_id"),
        Index("ix_events_issue_timestamp", "issue_id", "timestamp"),
        Index("ix_events_project_timestamp", "project_id", "timestamp"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(32))
    timestamp: Mapped[datetime]
    received: Mapped[datetime]
    level: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(1024))
    environment: Mapped[str | None] = mapped_column(String(64))
    release: Mapped[str | None] = mapped_column(String(250))
    transaction: Mapped[str | None] = mapped_column(String(200))
    user_key: Mapped[str | None] = mapped_column(String(256))
    trace_id: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[bytes] = mapped_column(LargeBinary)


class EventDictionary(Base):
    """A zstd dictionary trained on a project's events; event bodies compressed with it name it in their frame
    header (heron.store.dictionaries). Never edited; kept while the project is, since bodies may refer to it."""

    __tablename__ = "event_dictionaries"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    # compressed / raw size of the events it was trained on, with it: what a worker expects while it still fits
    ratio: Mapped[float] = mapped_column(Float)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class IssueTagValue(Base):
    """How often a tag value was seen on an issue."""

    __tablename__ = "issue_tag_values"
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    times_seen: Mapped[int] = mapped_column(BigInteger, default=0)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    # An issue's most frequent values of a key, read in order (heron.store.tags.issue_tag_summaries).
    __table_args__ = (
        Index("ix_issue_tag_values_issue_id_key_times_seen_value", issue_id, key, times_seen.desc(), value),
    )


class IssueUser(Base):
    """A distinct user (Sentry's `id:`/`email:`/`username:`/`ip:` key) seen on an issue."""

    __tablename__ = "issue_users"
    # The issues a user was seen in (`user.email:` and the other user searches).
    __table_args__ = (Index("ix_issue_users_user_key_issue_id", "user_key", "issue_id"),)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True)
    user_key: Mapped[str] = mapped_column(String(256), primary_key=True)


class Attachment(Base):
    """A file sent with an event (`attachment` envelope item), stored compressed."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("project_id", "event_id", "filename"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(256))
    content_type: Mapped[str | None] = mapped_column(String(128))
    attachment_type: Mapped[str] = mapped_column(String(64), default="event.attachment")
    size: Mapped[int] = mapped_column(BigInteger)
    date_created: Mapped[datetime] = mapped_column(default=utcnow)
    body: Mapped[bytes] = mapped_column(LargeBinary)


class TransactionEvent(Base):
    """A transaction as the SDK sent it, kept raw (zstd) until performance digests it."""

    __tablename__ = "transaction_events"
    __table_args__ = (
        UniqueConstraint("project_id", "event_id"),
        Index("ix_transaction_events_project_received", "project_id", "received"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(32))
    received: Mapped[datetime]
    body: Mapped[bytes] = mapped_column(LargeBinary)


class Outcome(Base):
    """Per-minute counts of what happened to what was sent: accepted, filtered, rate_limited, invalid,
    client_discard (from SDK client reports), or received (kept, not digested yet)."""

    __tablename__ = "outcomes"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    minute: Mapped[datetime] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(32), primary_key=True)
    reason: Mapped[str] = mapped_column(String(64), primary_key=True)
    quantity: Mapped[int] = mapped_column(BigInteger, default=0)


class WebSession(Base):
    """A signed-in browser. Its cookie carries a random key; only the key's sha256 is stored."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    date_created: Mapped[datetime] = mapped_column(default=utcnow)
    expires: Mapped[datetime]


class SignInFailure(Base):
    """A failed sign-in, kept for the throttling window: counted per account (as typed) and per client IP."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_account_attempted_at", "account", "attempted_at"),
        Index("ix_sign_in_failures_ip_attempted_at", "ip", "attempted_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime]


def table_of(model: type[Base]) -> Table:
    """The Core table behind a model (for bulk inserts and upserts)."""
    return cast(Table, model.__table__)


class IssueActivity(Base):
    """One thing a person did to an issue: a comment (`text`), or a triage action (`kind` "resolved",
    "resolved_in_next_release", "unresolved", "ignored", "assigned", "unassigned") with what it set in `data`."""

    __tablename__ = "issue_activities"
    __table_args__ = (Index("ix_issue_activities_issue_id_date_created", "issue_id", "date_created"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    date_created: Mapped[datetime] = mapped_column(default=utcnow)


class Team(Base):
    """A group of an organization's members that owns projects: a member (role `member`) sees only the projects
    of their teams; owners and admins see every project of the organization."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("organization_id", "slug"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    date_created: Mapped[datetime] = mapped_column(default=utcnow)


class TeamMember(Base):
    __tablename__ = "team_members"
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True)


class ProjectTeam(Base):
    __tablename__ = "project_teams"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, index=True)


class Invite(Base):
    """An invitation to join an organization, by link: only the link token's sha256 is stored. `email`, when
    set, is the only address that may accept it. Accepting makes a member with `role` in `team_ids`."""

    __tablename__ = "invites"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    team_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    date_created: Mapped[datetime] = mapped_column(default=utcnow)
    expires: Mapped[datetime]


class Transaction(Base):
    """A transaction (performance monitoring): one row per transaction event, its spans zstd-compressed JSON."""

    __tablename__ = "transactions"
    __table_args__ = (
        UniqueConstraint("project_id", "event_id"),
        Index("ix_transactions_project_name_start", "project_id", "name", "start"),
        # The slowest transactions of a name: walked from the longest down, whatever the period.
        Index("ix_transactions_project_name_duration", "project_id", "name", "duration_ms"),
        Index("ix_transactions_project_start", "project_id", "start"),
        Index("ix_transactions_trace_id", "trace_id"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    op: Mapped[str] = mapped_column(String(64))
    environment: Mapped[str] = mapped_column(String(64))
    release: Mapped[str | None] = mapped_column(String(250))
    trace_id: Mapped[str | None] = mapped_column(String(32))
    span_id: Mapped[str | None] = mapped_column(String(16))
    start: Mapped[datetime]
    duration_ms: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(32))
    http_status: Mapped[int | None] = mapped_column(Integer)
    user_key: Mapped[str | None] = mapped_column(String(256))
    span_count: Mapped[int] = mapped_column(Integer, default=0)
    measurements: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    spans: Mapped[bytes] = mapped_column(LargeBinary)
    has_profile: Mapped[bool] = mapped_column(Boolean, default=False)


class PerfRollup(Base):
    """Transactions of one name and environment in one time bucket (`resolution` seconds: a minute, an hour, a day
    or a week): counts for throughput, failure rate and Apdex, and a latency sketch (heron.perf.sketch)."""

    __tablename__ = "perf_rollups"
    # the whole project's rows of a time range (the Performance table), without walking every name's series
    __table_args__ = (Index("ix_perf_rollups_project_resolution_bucket", "project_id", "resolution", "bucket"),)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    resolution: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    environment: Mapped[str] = mapped_column(String(64), primary_key=True)
    bucket: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    failures: Mapped[int] = mapped_column(BigInteger, default=0)
    satisfied: Mapped[int] = mapped_column(BigInteger, default=0)
    tolerated: Mapped[int] = mapped_column(BigInteger, default=0)
    duration_sum: Mapped[float] = mapped_column(Float, default=0.0)
    sketch: Mapped[bytes] = mapped_column(LargeBinary)


class SpanRollup(Base):
    """Spans of one operation (db, http.client, template…) within transactions of one name, per time bucket:
    where the time goes, and span percentiles per operation."""

    __tablename__ = "span_rollups"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    resolution: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    op: Mapped[str] = mapped_column(String(64), primary_key=True)
    bucket: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    duration_sum: Mapped[float] = mapped_column(Float, default=0.0)
    sketch: Mapped[bytes] = mapped_column(LargeBinary)


class SlowSpan(Base):
    """A span over its project's threshold for its kind (database queries, external calls)."""

    __tablename__ = "slow_spans"
    __table_args__ = (Index("ix_slow_spans_project_start", "project_id", "start"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    transaction_id: Mapped[int] = mapped_column(ForeignKey("transactions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    op: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    start: Mapped[datetime]
    duration_ms: Mapped[float] = mapped_column(Float)


class Profile(Base):
    """A profile sent with a transaction, kept (zstd JSON) for a flame graph to come."""

    __tablename__ = "profiles"
    __table_args__ = (UniqueConstraint("project_id", "event_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(32))
    transaction_event_id: Mapped[str | None] = mapped_column(String(32), index=True)
    received: Mapped[datetime]
    body: Mapped[bytes] = mapped_column(LargeBinary)
