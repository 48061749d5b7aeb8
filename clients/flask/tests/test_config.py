"""Configuration from the environment, app.config and keyword arguments."""

from __future__ import annotations

from pathlib import Path

import pytest
from heron_monitoring import MonitoringConfigError
from heron_monitoring.config import DEFAULT_HEALTH_CHECK_PATHS, SETTINGS, MonitoringConfig, load_config

DSN = "http://public@heron.example/7"
README = Path(__file__).resolve().parents[1] / "README.md"


def test_defaults_are_the_guides() -> None:
    assert load_config({}, {}, {}) == MonitoringConfig(
        dsn=None,
        environment="production",
        release=None,
        traces_sample_rate=0.1,
        profiles_sample_rate=0.1,
        sample_rate=1.0,
        ignore_errors=(),
        health_check_paths=frozenset(DEFAULT_HEALTH_CHECK_PATHS),
    )


def test_every_variable_is_read_from_the_environment() -> None:
    environ = {
        "SENTRY_DSN": DSN,
        "SENTRY_ENVIRONMENT": "staging",
        "SENTRY_RELEASE": "fieldsprout@1.4.0",
        "SENTRY_TRACES_SAMPLE_RATE": "0.25",
        "SENTRY_PROFILES_SAMPLE_RATE": "0",
        "SENTRY_SAMPLE_RATE": " 0.5 ",
    }
    config = load_config(environ, {}, {})
    assert (config.dsn, config.environment, config.release) == (DSN, "staging", "fieldsprout@1.4.0")
    assert (config.traces_sample_rate, config.profiles_sample_rate, config.sample_rate) == (0.25, 0.0, 0.5)
    assert config.enabled


def test_release_falls_back_to_the_git_commit() -> None:
    assert load_config({"GIT_COMMIT": "3f2a9c1"}, {}, {}).release == "3f2a9c1"
    assert load_config({"GIT_COMMIT": "3f2a9c1", "SENTRY_RELEASE": "1.4.0"}, {}, {}).release == "1.4.0"


def test_keyword_arguments_win_over_app_config_which_wins_over_the_environment() -> None:
    environ = {"SENTRY_ENVIRONMENT": "from-env", "SENTRY_SAMPLE_RATE": "0.3", "SENTRY_TRACES_SAMPLE_RATE": "0.3"}
    app_config = {"SENTRY_ENVIRONMENT": "from-app-config", "SENTRY_SAMPLE_RATE": 0.6}
    config = load_config(environ, app_config, {"environment": "from-keyword"})
    assert config.environment == "from-keyword"
    assert config.sample_rate == 0.6
    assert config.traces_sample_rate == 0.3


def test_blank_and_none_values_count_as_unset() -> None:
    config = load_config({"SENTRY_DSN": "", "SENTRY_TRACES_SAMPLE_RATE": "  "}, {"SENTRY_ENVIRONMENT": None}, {})
    assert (config.dsn, config.environment, config.traces_sample_rate) == (None, "production", 0.1)
    assert not config.enabled


@pytest.mark.parametrize("variable", ["SENTRY_TRACES_SAMPLE_RATE", "SENTRY_PROFILES_SAMPLE_RATE", "SENTRY_SAMPLE_RATE"])
@pytest.mark.parametrize("value", ["1.5", "-0.1", "ten", "nan", "inf", "0,5"])
def test_a_bad_rate_in_the_environment_stops_startup_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(MonitoringConfigError) as raised:
        load_config({variable: value}, {}, {})
    assert str(raised.value) == f"{variable} in the environment must be a number from 0.0 to 1.0, not {value!r}"


def test_a_bad_rate_in_app_config_names_the_key() -> None:
    with pytest.raises(MonitoringConfigError, match=r"^SENTRY_SAMPLE_RATE in app\.config must be a number"):
        load_config({}, {"SENTRY_SAMPLE_RATE": True}, {})


def test_a_bad_rate_given_as_keyword_names_the_keyword() -> None:
    with pytest.raises(MonitoringConfigError, match=r"^traces_sample_rate= of init_monitoring .* not 2"):
        load_config({}, {}, {"traces_sample_rate": 2})


def test_a_malformed_dsn_stops_startup_naming_the_variable() -> None:
    with pytest.raises(MonitoringConfigError, match=r"^SENTRY_DSN in the environment is not a valid DSN"):
        load_config({"SENTRY_DSN": "heron.example/7"}, {}, {})


def test_the_config_error_is_a_value_error() -> None:
    assert issubclass(MonitoringConfigError, ValueError)


def test_ignore_errors_takes_classes_and_names() -> None:
    config = load_config({}, {}, {"ignore_errors": [KeyboardInterrupt, SystemExit, "YourNoisyException"]})
    assert config.ignore_errors == (KeyboardInterrupt, SystemExit, "YourNoisyException")


@pytest.mark.parametrize("ignored", ["KeyboardInterrupt", [42], [dict], [""]])
def test_ignore_errors_refuses_what_is_neither_a_class_nor_a_name(ignored: object) -> None:
    with pytest.raises(MonitoringConfigError, match="ignore_errors"):
        load_config({}, {}, {"ignore_errors": ignored})  # type: ignore[typeddict-item]


def test_health_check_paths_are_configurable_and_lose_their_trailing_slash() -> None:
    config = load_config({}, {}, {"health_check_paths": ["/status/", "/"]})
    assert config.health_check_paths == frozenset({"/status", "/"})
    with pytest.raises(MonitoringConfigError, match="health_check_paths"):
        load_config({}, {}, {"health_check_paths": ["status"]})


def test_the_readme_documents_every_setting() -> None:
    rows = [line for line in README.read_text().splitlines() if line.startswith("| `SENTRY_")]
    for setting in SETTINGS:
        [row] = [row for row in rows if f"| `{setting.keyword}` |" in row]
        assert all(f"`{variable}`" in row for variable in setting.variables)
        assert f"| {setting.help} |" in row
        assert f"`{setting.default}`" in row if setting.default is not None else "| unset |" in row
