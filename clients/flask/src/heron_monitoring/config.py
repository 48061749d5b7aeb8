"""Configuration: the Sentry guide's environment variables, Flask `app.config` keys and keyword arguments.

For each setting the first value found wins, in this order: the keyword argument of `init_monitoring` (or
`Monitoring`), then the key of the same name as the variable in `app.config`, then the environment variable.
`None` and blank strings count as not set.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from sentry_sdk.utils import BadDsn, Dsn

DEFAULT_HEALTH_CHECK_PATHS = ("/health", "/healthz", "/ping")

IgnoredError = type[BaseException] | str


class MonitoringConfigError(ValueError):
    """A setting has a value monitoring cannot start with; the message names the setting."""


class MonitoringOptions(TypedDict, total=False):
    """The keyword arguments of `init_monitoring` and `Monitoring`; each one overrides its variable."""

    dsn: str | None
    environment: str | None
    release: str | None
    traces_sample_rate: float | None
    profiles_sample_rate: float | None
    sample_rate: float | None
    ignore_errors: Iterable[IgnoredError]
    health_check_paths: Iterable[str]


@dataclass(frozen=True)
class MonitoringConfig:
    """The resolved configuration. Without a DSN monitoring is off."""

    dsn: str | None
    environment: str
    release: str | None
    traces_sample_rate: float
    profiles_sample_rate: float
    sample_rate: float
    ignore_errors: tuple[IgnoredError, ...] = ()
    health_check_paths: frozenset[str] = frozenset(DEFAULT_HEALTH_CHECK_PATHS)

    @property
    def enabled(self) -> bool:
        return self.dsn is not None


@dataclass(frozen=True)
class Setting:
    """One setting: its keyword argument, the variables it is read from (first found wins), default and help.

    The README's table has a row for each, with the same help.
    """

    keyword: str
    variables: tuple[str, ...]
    default: str | float | None
    parse: Callable[[object, str], Any]
    help: str


def parse_dsn(value: object, where: str) -> str:
    dsn = str(value).strip()
    try:
        Dsn(dsn)
    except BadDsn as error:
        raise MonitoringConfigError(f"{where} is not a valid DSN ({error}): {dsn!r}") from error
    return dsn


def parse_text(value: object, where: str) -> str:
    return str(value).strip()


def parse_rate(value: object, where: str) -> float:
    """A sample rate: a number from 0.0 to 1.0, given as a number or as text."""
    problem = f"{where} must be a number from 0.0 to 1.0, not {value!r}"
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise MonitoringConfigError(problem)
    try:
        rate = float(value)
    except ValueError:
        raise MonitoringConfigError(problem) from None
    if math.isnan(rate) or not 0.0 <= rate <= 1.0:
        raise MonitoringConfigError(problem)
    return rate


SETTINGS = (
    Setting("dsn", ("SENTRY_DSN",), None, parse_dsn, "Where events go; unset, monitoring is off and does nothing"),
    Setting("environment", ("SENTRY_ENVIRONMENT",), "production", parse_text, "The environment events are tagged with"),
    Setting("release", ("SENTRY_RELEASE", "GIT_COMMIT"), None, parse_text, "The release events belong to"),
    Setting("traces_sample_rate", ("SENTRY_TRACES_SAMPLE_RATE",), 0.1, parse_rate, "Share of requests traced"),
    Setting("profiles_sample_rate", ("SENTRY_PROFILES_SAMPLE_RATE",), 0.1, parse_rate, "Share of traces profiled"),
    Setting("sample_rate", ("SENTRY_SAMPLE_RATE",), 1.0, parse_rate, "Share of errors sent"),
)


def load_config(
    environ: Mapping[str, str], app_config: Mapping[str, Any], options: MonitoringOptions
) -> MonitoringConfig:
    """The configuration from keyword `options`, then `app_config`, then `environ`; raises MonitoringConfigError."""
    values = {setting.keyword: _resolve(setting, environ, app_config, options) for setting in SETTINGS}
    return MonitoringConfig(
        **values,
        ignore_errors=parse_ignore_errors(options.get("ignore_errors", ())),
        health_check_paths=parse_health_check_paths(options.get("health_check_paths", DEFAULT_HEALTH_CHECK_PATHS)),
    )


def parse_ignore_errors(ignored: Iterable[object]) -> tuple[IgnoredError, ...]:
    """Exception classes and class names, as `ignore_errors=[KeyboardInterrupt, "YourNoisyException"]`."""
    if isinstance(ignored, str):
        raise MonitoringConfigError(f"ignore_errors must be a list of exception classes or names, not {ignored!r}")
    found: list[IgnoredError] = []
    for item in ignored:
        if isinstance(item, str) and item.strip():
            found.append(item.strip())
        elif isinstance(item, type) and issubclass(item, BaseException):
            found.append(item)
        else:
            raise MonitoringConfigError(f"ignore_errors: {item!r} is neither an exception class nor a class name")
    return tuple(found)


def parse_health_check_paths(paths: Iterable[object]) -> frozenset[str]:
    """URL paths (`/health`) whose requests are never traced; a trailing slash does not matter."""
    if isinstance(paths, str):
        raise MonitoringConfigError(f"health_check_paths must be a list of paths, not {paths!r}")
    found: set[str] = set()
    for path in paths:
        if not isinstance(path, str) or not path.startswith("/"):
            raise MonitoringConfigError(f"health_check_paths: {path!r} is not a path starting with '/'")
        found.add(normalize_path(path))
    return frozenset(found)


def normalize_path(path: str) -> str:
    """A URL path without its trailing slash (`/` stays `/`)."""
    return path.rstrip("/") or "/"


def _resolve(
    setting: Setting, environ: Mapping[str, str], app_config: Mapping[str, Any], options: MonitoringOptions
) -> Any:
    given = dict(options).get(setting.keyword)
    if _is_set(given):
        return setting.parse(given, f"{setting.keyword}= of init_monitoring")
    for source, where in ((app_config, "app.config"), (environ, "the environment")):
        for variable in setting.variables:
            if _is_set(source.get(variable)):
                return setting.parse(source[variable], f"{variable} in {where}")
    return setting.default


def _is_set(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())
