"""Settings: one declaration per setting, read from HERON_* environment variables, checked at start.

`docs/settings.md` is generated from this file (`make docs`), and a test fails when the two disagree.
"""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MiB = 1024 * 1024


class SettingsError(Exception):
    """A setting with a bad value; the message names the environment variable."""


class Settings(BaseSettings):
    """Every setting of Heron. The environment variable is the field name, upper-cased, prefixed HERON_."""

    model_config = SettingsConfigDict(env_prefix="HERON_", frozen=True, extra="ignore")

    data_dir: Annotated[
        Path, Field(description="Directory for the SQLite database, the queue spool and the secret key.")
    ] = Path("heron-data")
    database_url: Annotated[
        str,
        Field(description="Main database URL: empty means a SQLite file in the data dir; `postgresql://…` accepted."),
    ] = ""
    queue_url: Annotated[
        str,
        Field(description="Ingest's spool: empty means a SQLite file in the data dir; `sqlite:///PATH` moves it."),
    ] = ""
    url: Annotated[str, Field(description="Public base URL of this server, used in DSNs and links.")] = (
        "http://127.0.0.1:8000"
    )
    secret_key: Annotated[
        str,
        Field(
            description="Signing key for sessions and tokens; generated into the data dir on first start when empty."
        ),
    ] = ""
    host: Annotated[str, Field(description="Address `heron serve` listens on.")] = "127.0.0.1"
    port: Annotated[int, Field(description="Port `heron serve` listens on.", ge=1, le=65535)] = 8000
    max_body_size: Annotated[
        int, Field(description="Largest request body ingest reads, in bytes (compressed).", gt=0)
    ] = 20 * MiB
    max_envelope_size: Annotated[int, Field(description="Largest decompressed envelope, in bytes.", gt=0)] = 100 * MiB
    max_event_size: Annotated[int, Field(description="Largest event or transaction item, in bytes.", gt=0)] = 1 * MiB
    max_attachment_size: Annotated[
        int, Field(description="Largest attachment stored with an event, in bytes.", gt=0)
    ] = 20 * MiB
    digest_batch_size: Annotated[
        int,
        Field(
            description=(
                "Envelopes a worker claims and commits at once; its peak memory grows ~20 KiB per envelope, and a "
                "larger batch costs less CPU per event (docs/performance.md)."
            ),
            ge=1,
        ),
    ] = 500
    digest_workers: Annotated[
        int,
        Field(
            description="Digest worker processes that `heron serve` and `heron worker` run; each keeps up to one "
            "core busy.",
            ge=1,
            le=64,
        ),
    ] = 2
    queue_max_depth: Annotated[
        int, Field(description="Envelopes waiting in the queue above which ingest answers 503.", ge=1)
    ] = 1_000_000
    trust_x_forwarded_for: Annotated[
        bool,
        Field(description="Take the client IP from the first X-Forwarded-For hop (only behind a trusted proxy)."),
    ] = False
    event_retention_days: Annotated[int, Field(description="Default days events are kept for a new project.", ge=1)] = (
        90
    )

    @field_validator("database_url", "queue_url")
    @classmethod
    def _known_scheme(cls, value: str, info: ValidationInfo) -> str:
        schemes = {"sqlite", "postgresql", "postgres"} if info.field_name == "database_url" else {"sqlite"}
        if value and value.split(":", 1)[0].split("+", 1)[0] not in schemes:
            raise ValueError(f"must start with one of {', '.join(sorted(s + ':' for s in schemes))}")
        return value

    @cached_property
    def resolved_database_url(self) -> str:
        """The database URL with the SQLite default filled in and `postgresql://` mapped to psycopg 3."""
        url = self.database_url or f"sqlite:///{(self.data_dir / 'heron.sqlite3').resolve()}"
        if url.startswith(("postgresql://", "postgres://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url

    @cached_property
    def resolved_queue_url(self) -> str:
        """The queue URL with the SQLite spool default filled in."""
        return self.queue_url or f"sqlite:///{(self.data_dir / 'queue.sqlite3').resolve()}"

    @property
    def public_url(self) -> str:
        """`url` without a trailing slash."""
        return self.url.rstrip("/")


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment (overrides win), create the data dir and the secret key.

    Raises SettingsError naming the HERON_* variable when a value is invalid.
    """
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"HERON_{str(err['loc'][0]).upper()}: {err['msg']}" for err in exc.errors() if err.get("loc")
        )
        raise SettingsError(f"invalid settings: {problems}") from None
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if not settings.secret_key:
        settings = settings.model_copy(update={"secret_key": _stored_secret_key(settings.data_dir)})
    return settings


def _stored_secret_key(data_dir: Path) -> str:
    """The secret key kept in the data dir, generated on first start (readable by the owner only)."""
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
