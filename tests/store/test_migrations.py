"""The migrations build exactly the schema the models describe, and 0004 keeps what members saw before teams."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, select, text

from heron.store.engine import make_sessionmaker
from heron.store.migrate import upgrade
from heron.store.models import Base, ProjectTeam, Team, TeamMember


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
