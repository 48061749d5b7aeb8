"""The migrations build exactly the schema the models describe, 0004 keeps what members saw before teams, and 0007
adds up the week rollups of what was digested before it."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, select, text

from heron.perf.sketch import Sketch
from heron.store.engine import make_sessionmaker
from heron.store.migrate import upgrade
from heron.store.models import Base, PerfRollup, ProjectTeam, Team, TeamMember
from heron.store.transactions import DAY, WEEK


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_the_teams_migration_gives_each_organization_a_team_of_all_its_members_and_projects(
    database_url: str,
) -> None:
    from heron.store.engine import make_engine

    engine = make_engine(database_url)
    upgrade(engine, "0003")
    now = "2026-11-01 00:00:00.000000" if engine.dialect.name == "sqlite" else "2026-11-01T00:00:00+00:00"
    with engine.begin() as connection:
        connection.execute(
            text(f"INSERT INTO organizations (id, slug, name, date_created) VALUES (1, 'acme', 'Acme', '{now}')")
        )
        for user_id in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO users (id, email, name, is_superuser, is_active, date_created) "
                    f"VALUES ({user_id}, 'u{user_id}@acme.example', '', false, true, '{now}')"
                )
            )
            role = "owner" if user_id == 1 else "member"
            connection.execute(
                text(
                    "INSERT INTO members (id, organization_id, user_id, role, date_created) "
                    f"VALUES ({user_id}, 1, {user_id}, '{role}', '{now}')"
                )
            )
        connection.execute(
            text(
                "INSERT INTO projects (id, organization_id, slug, name, retention_days, grouping_config, "
                f"next_short_id, date_created) VALUES (7, 1, 'app', 'app', 90, 'heron:v1', 1, '{now}')"
            )
        )
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        team = session.scalars(select(Team)).one()
        assert (team.organization_id, team.slug, team.name) == (1, "acme", "Acme")
        assert set(session.scalars(select(TeamMember.member_id))) == {1, 2}
        assert list(session.execute(select(ProjectTeam.project_id, ProjectTeam.team_id))) == [(7, team.id)]
    engine.dispose()


def test_the_week_rollups_migration_adds_up_the_day_rollups_of_each_week(database_url: str) -> None:
    from heron.store.engine import make_engine

    engine = make_engine(database_url)
    upgrade(engine, "0006")
    now = "2026-11-01 00:00:00.000000" if engine.dialect.name == "sqlite" else "2026-11-01T00:00:00+00:00"
    # 2026-11-19 and -20 fall in the week (epoch-aligned, from Thursdays) starting 2026-11-19; 2026-11-26 in the next
    days = {"2026-11-19": [100.0, 200.0], "2026-11-20": [300.0], "2026-11-26": [50.0]}
    with engine.begin() as connection:
        connection.execute(
            text(f"INSERT INTO organizations (id, slug, name, date_created) VALUES (1, 'acme', 'Acme', '{now}')")
        )
        connection.execute(
            text(
                "INSERT INTO projects (id, organization_id, slug, name, retention_days, grouping_config, "
                "next_short_id, date_created, slow_db_ms, slow_http_ms, apdex_ms) "
                f"VALUES (7, 1, 'app', 'app', 90, 'heron:v1', 1, '{now}', 1000, 3000, 300)"
            )
        )
        for day, durations in days.items():
            sketch = Sketch()
            for duration in durations:
                sketch.add(duration)
            bucket = f"{day} 00:00:00.000000" if engine.dialect.name == "sqlite" else f"{day}T00:00:00+00:00"
            connection.execute(
                text(
                    "INSERT INTO perf_rollups (project_id, resolution, name, environment, bucket, count, failures, "
                    "satisfied, tolerated, duration_sum, sketch) "
                    f"VALUES (7, {DAY}, 'GET /', 'production', '{bucket}', :count, 1, 0, 0, :total, :sketch)"
                ),
                {"count": len(durations), "total": sum(durations), "sketch": sketch.to_bytes()},
            )
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        weeks = session.scalars(select(PerfRollup).where(PerfRollup.resolution == WEEK).order_by(PerfRollup.bucket))
        found = [(w.bucket, w.count, w.failures, w.duration_sum, Sketch.from_bytes(w.sketch).count) for w in weeks]
    assert found == [
        (datetime(2026, 11, 19, tzinfo=UTC), 3, 2, 600.0, 3),
        (datetime(2026, 11, 26, tzinfo=UTC), 1, 1, 50.0, 1),
    ]
    engine.dispose()
