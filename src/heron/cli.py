"""The `heron` command. Every command reads the same settings (HERON_* environment variables)."""

from __future__ import annotations

import logging
import secrets
import sys
import time
import uuid
from typing import Any

import click

from heron.config import Settings, SettingsError, load_settings


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def _sessions(settings: Settings) -> Any:
    """Sessions for commands that write: they take SQLite's write lock up front, waiting for a busy digest."""
    from heron.store.engine import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(settings.resolved_database_url, writer=True))


def _migrate(settings: Settings) -> None:
    from heron.queue import prepare_queue
    from heron.store.engine import make_engine
    from heron.store.migrate import upgrade

    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    engine.dispose()
    prepare_queue(settings.resolved_queue_url)


@click.group(invoke_without_command=True)
@click.pass_context
def main(ctx: click.Context) -> None:
    """Heron: self-hosted error tracking and performance monitoring that speaks the Sentry protocol.

    Without a command, runs `heron serve`.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


@main.command()
@click.option("--host", help="Address to listen on (default: HERON_HOST).")
@click.option("--port", type=int, help="Port to listen on (default: HERON_PORT).")
@click.option("--no-worker", is_flag=True, help="Do not run a digest worker (run `heron worker` elsewhere).")
def serve(host: str | None, port: int | None, no_worker: bool) -> None:
    """Migrate, then serve ingest, the API and pages, supervising the digest worker processes."""
    import uvicorn

    from heron.digest.pool import DigestProcesses
    from heron.server import create_app

    settings = _settings()
    _migrate(settings)
    # Started before anything else starts a thread: the digest's processes are forked from this one.
    digest = None if no_worker else DigestProcesses(settings)
    if digest is not None:
        digest.start()
    try:
        uvicorn.run(
            create_app(settings, on_shutdown=digest.stop if digest is not None else None),
            host=host or settings.host,
            port=port or settings.port,
            loop="uvloop",
            http="httptools",
            access_log=False,
            proxy_headers=False,  # the client address: HERON_TRUST_X_FORWARDED_FOR alone decides
            server_header=False,  # no `server: uvicorn` on every response
            log_level="warning",
            lifespan="on",
        )
    finally:
        # uvicorn re-raises SIGTERM and SIGINT after its shutdown, so this runs only on other exits; the
        # lifespan's shutdown stops the digest in those cases.
        if digest is not None:
            digest.stop()


@main.command()
@click.option(
    "--processes", type=click.IntRange(1, 64), help="Worker processes to run (default: HERON_DIGEST_WORKERS)."
)
@click.option("--no-migrate", is_flag=True, hidden=True, help="Skip the migration (`heron serve` migrated already).")
def worker(processes: int | None, no_migrate: bool) -> None:
    """Run the digest workers (for `heron serve --no-worker` deployments)."""
    from heron.digest.pool import run_pool

    settings = _settings()
    if not no_migrate:
        _migrate(settings)
    run_pool(settings, processes or settings.digest_workers)


@main.command()
def cleanup() -> None:
    """Delete events, issues and raw transactions older than each project's retention (workers do it hourly)."""
    from heron.store.retention import delete_expired
    from heron.store.types import utcnow

    settings = _settings()
    _migrate(settings)
    result = delete_expired(_sessions(settings), utcnow())
    click.echo(f"deleted {result.events} events, {result.issues} issues, {result.transactions} transactions")


@main.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    _migrate(_settings())
    click.echo("database is up to date")


@main.group()
def user() -> None:
    """Manage users."""


@user.command("create")
@click.argument("email")
@click.option("--superuser", is_flag=True, help="May administer every organization.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_create(email: str, superuser: bool, password_stdin: bool) -> None:
    """Create a user; prints a generated password unless --password-stdin."""
    from heron.store.accounts import AccountError, create_user
    from heron.store.engine import transaction

    password = sys.stdin.readline().rstrip("\n") if password_stdin else secrets.token_urlsafe(12)
    if not password:
        raise click.ClickException("empty password")
    settings = _settings()
    _migrate(settings)
    try:
        with transaction(_sessions(settings)) as session:
            create_user(session, email, password, superuser=superuser)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created user {email.strip().lower()}")
    if not password_stdin:
        click.echo(f"password: {password}")


@main.group()
def org() -> None:
    """Manage organizations."""


@org.command("create")
@click.argument("slug")
@click.option("--name", help="Display name (default: the slug).")
@click.option("--owner", help="Email of an existing user who becomes its owner.")
def org_create(slug: str, name: str | None, owner: str | None) -> None:
    """Create an organization."""
    from heron.store.accounts import AccountError, create_organization, user_by_email
    from heron.store.engine import transaction

    settings = _settings()
    _migrate(settings)
    try:
        with transaction(_sessions(settings)) as session:
            owner_user = user_by_email(session, owner) if owner else None
            if owner and owner_user is None:
                raise click.ClickException(f"no user with email {owner}")
            create_organization(session, slug, name, owner_user)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created organization {slug}")


@main.group()
def project() -> None:
    """Manage projects."""


@project.command("create")
@click.argument("organization")
@click.argument("slug")
@click.option("--platform", help="The SDK platform, e.g. python-flask.")
@click.option("--name", help="Display name (default: the slug).")
def project_create(organization: str, slug: str, platform: str | None, name: str | None) -> None:
    """Create a project in ORGANIZATION; prints its DSN as the last line."""
    from heron.protocol.dsn import build_dsn
    from heron.store.accounts import organization_by_slug
    from heron.store.engine import transaction
    from heron.store.projects import create_project

    settings = _settings()
    _migrate(settings)
    with transaction(_sessions(settings)) as session:
        found = organization_by_slug(session, organization)
        if found is None:
            raise click.ClickException(f"no organization with slug {organization}")
        try:
            created, key = create_project(
                session, found.id, slug, name, platform, retention_days=settings.event_retention_days
            )
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        dsn = build_dsn(settings.public_url, key.public_key, created.id)
    click.echo(f"created project {organization}/{slug}")
    click.echo(dsn)


@main.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.argument("email")
@click.option("--scopes", help="Space- or comma-separated scopes (default: read, write events, releases).")
@click.option("--name", default="", help="A note to recognise the token by.")
def token_create(email: str, scopes: str | None, name: str) -> None:
    """Create an API token for the user with EMAIL; prints the token once."""
    from heron.store.accounts import DEFAULT_SCOPES, AccountError, create_token, user_by_email
    from heron.store.engine import transaction

    settings = _settings()
    _migrate(settings)
    wanted = tuple(scopes.replace(",", " ").split()) if scopes else DEFAULT_SCOPES
    try:
        with transaction(_sessions(settings)) as session:
            found = user_by_email(session, email)
            if found is None:
                raise click.ClickException(f"no user with email {email}")
            value = create_token(session, found, wanted, name)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(value)


@main.command("send-test-event")
@click.argument("dsn")
@click.option("--message", default="This is a test event sent by heron send-test-event.", help="The message.")
def send_test_event(dsn: str, message: str) -> None:
    """Send one test message event to DSN, as an SDK would."""
    import httpx
    import orjson

    from heron import __version__
    from heron.protocol.dsn import parse_dsn
    from heron.protocol.envelope import Envelope, Item, serialize_envelope
    from heron.protocol.errors import ProtocolError

    try:
        target = parse_dsn(dsn)
    except ProtocolError as exc:
        raise click.ClickException(f"invalid DSN: {exc.detail}") from None
    event_id = uuid.uuid4().hex
    event = {
        "event_id": event_id,
        "timestamp": time.time(),
        "level": "info",
        "platform": "other",
        "message": message,
        "logger": "heron.send-test-event",
        "sdk": {"name": "heron.send-test-event", "version": __version__},
    }
    body = serialize_envelope(Envelope({"event_id": event_id}, [Item({"type": "event"}, orjson.dumps(event))]))
    auth = f"Sentry sentry_key={target.public_key}, sentry_version=7, sentry_client=heron/{__version__}"
    try:
        response = httpx.post(target.envelope_url, content=body, headers={"X-Sentry-Auth": auth}, timeout=10)
    except httpx.HTTPError as exc:
        raise click.ClickException(f"sending failed: {exc}") from None
    if response.status_code != 200:
        raise click.ClickException(f"server answered {response.status_code}: {response.text}")
    click.echo(f"sent event {event_id}")


@main.command()
def bootstrap() -> None:
    """Create an admin, an organization and a demo project on first run; print the login and the DSN."""
    from heron.bootstrap import ensure_demo

    settings = _settings()
    _migrate(settings)
    for line in ensure_demo(settings, _sessions(settings)):
        click.echo(line)
