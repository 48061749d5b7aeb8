"""SDK fingerprints: custom keys, {{ default }} salting and variables (PROTOCOL 7.4)."""

from __future__ import annotations

from typing import Any

import pytest

from heron.grouping import compute_hashes
from heron.grouping.fingerprint import fingerprint_kind, resolve_fingerprint
from heron.grouping.result import hash_values

from .events import error_event, exception, hashes, message_event, py_frame, same_group

EVENT = error_event(
    exception("KeyError", "'id'", [py_frame("load", "row['id']", module="app.db", in_app=False)]),
    exception(
        "LookupError",
        "user 42 missing",
        [
            py_frame("get_user", "load()", module="app.users", package="/srv/venv/lib/app.so"),
            py_frame("load", "row['id']", module="app.db", in_app=False),
        ],
    ),
    transaction="/users/{id}",
    level="error",
    logger="app.users",
    tags=[["region", "eu"], ["server_name", "web-1"]],
)


@pytest.mark.parametrize(
    ("fingerprint", "kind"),
    [
        ([], "default"),
        (["{{ default }}"], "default"),
        (["{{default}}"], "default"),
        (["{{ default }}", "db"], "hybrid"),
        (["db-down"], "custom"),
        (["{{ default }} extra"], "custom"),  # a variable must be the whole entry
    ],
)
def test_fingerprint_kinds(fingerprint: list[str], kind: str) -> None:
    assert fingerprint_kind(fingerprint) == kind


def test_custom_fingerprints_replace_default_grouping() -> None:
    first = {**EVENT, "fingerprint": ["database-unavailable"]}
    unrelated = {**message_event("something else"), "fingerprint": ["database-unavailable"]}
    result = compute_hashes(first)
    assert (result.variant, result.hashes) == ("custom", [hash_values(["database-unavailable"])])
    assert same_group(first, unrelated)


def test_default_fingerprint_is_the_default_grouping() -> None:
    assert hashes({**EVENT, "fingerprint": ["{{ default }}"]}) == hashes(EVENT)


def test_default_with_salt_splits_the_default_groups() -> None:
    eu = {**EVENT, "fingerprint": ["{{ default }}", "{{ tags.region }}"]}
    us = {**EVENT, "fingerprint": ["{{ default }}", "{{ tags.region }}"], "tags": [["region", "us"]]}
    result = compute_hashes(eu)
    assert result.variant == "salted-app"
    assert len(result.hashes) == 2
    assert not same_group(eu, us)
    assert not same_group(eu, EVENT)


def test_salting_puts_the_default_values_in_place() -> None:
    event = {"logentry": {"message": "disk full"}, "fingerprint": ["before", "{{ default }}", "after"]}
    assert compute_hashes(event).hashes == [hash_values(["before", "disk full", "after"])]
    assert compute_hashes(event).variant == "salted-default"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("transaction", "/users/{id}"),
        ("type", "LookupError"),
        ("error.type", "LookupError"),
        ("value", "user 42 missing"),
        ("error.value", "user 42 missing"),
        ("message", "user <int> missing"),
        ("function", "get_user"),  # the crash frame is the newest in-app frame
        ("stack.function", "get_user"),
        ("module", "app.users"),
        ("stack.module", "app.users"),
        ("path", "/srv/app/users.py"),
        ("stack.abs_path", "/srv/app/users.py"),
        ("stack.filename", "app/users.py"),
        ("package", "app.so"),
        ("stack.package", "app.so"),
        ("level", "error"),
        ("logger", "app.users"),
        ("tags.region", "eu"),
        ("tags.missing", "<no-value-for-tag-missing>"),
        ("not_a_variable", "{{ not_a_variable }}"),
    ],
)
def test_each_variable_resolves_from_the_event(variable: str, value: str) -> None:
    assert resolve_fingerprint(["{{ " + variable + " }}"], EVENT) == [value]


@pytest.mark.parametrize(
    ("variable", "placeholder"),
    [
        ("transaction", "<no-transaction>"),
        ("type", "<no-type>"),
        ("value", "<no-value>"),
        ("message", "<no-message>"),
        ("function", "<no-function>"),
        ("module", "<no-module>"),
        ("path", "<no-abs-path>"),
        ("stack.filename", "<no-filename>"),
        ("package", "<no-package>"),
        ("level", "<no-level>"),
        ("logger", "<no-logger>"),
    ],
)
def test_missing_values_resolve_to_placeholders(variable: str, placeholder: str) -> None:
    assert resolve_fingerprint(["{{ " + variable + " }}"], {}) == [placeholder]


def test_message_variable_prefers_the_formatted_message() -> None:
    event = message_event("Paid %s", "Paid 12.50")
    assert resolve_fingerprint(["{{ message }}"], event) == ["Paid <float>"]


def test_crash_frame_falls_back_to_the_newest_frame_without_in_app_frames() -> None:
    event = error_event(exception("E", "x", [py_frame("outer", in_app=False), py_frame("inner", in_app=False)]))
    assert resolve_fingerprint(["{{ function }}"], event) == ["inner"]


def test_fingerprint_entries_and_variables_combine() -> None:
    event: dict[str, Any] = {**EVENT, "fingerprint": ["checkout", "{{ type }}", 3]}
    assert compute_hashes(event).hashes == [hash_values(["checkout", "LookupError", "3"])]
