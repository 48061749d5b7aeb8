"""Errors that are never reported: `ignore_errors` by class or name, and HTTP errors below 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask, abort
from heron_monitoring import capture_exception, capture_message
from heron_monitoring.filtering import is_client_error, is_ignored
from werkzeug.exceptions import Forbidden, HTTPException, InternalServerError, NotFound

from conftest import RecordingTransport


class NoisyError(Exception):
    """Raised all day by a flaky dependency."""


class NoisierError(NoisyError):
    pass


class Gateway:
    class Timeout(Exception):
        pass


@pytest.mark.parametrize(
    ("error_type", "ignored"),
    [
        (KeyboardInterrupt, [KeyboardInterrupt]),
        (SystemExit, [KeyboardInterrupt, SystemExit]),
        (NoisyError, [NoisyError]),
        (NoisierError, [NoisyError]),
        (NoisyError, ["NoisyError"]),
        (NoisierError, ["NoisyError"]),
        (NoisyError, [f"{__name__}.NoisyError"]),
        (Gateway.Timeout, ["Timeout"]),
        (Gateway.Timeout, ["Gateway.Timeout"]),
        (Gateway.Timeout, [f"{__name__}.Gateway.Timeout"]),
    ],
)
def test_errors_are_ignored_by_class_or_name_with_their_subclasses(
    error_type: type[BaseException], ignored: list[type[BaseException] | str]
) -> None:
    assert is_ignored(error_type, ignored)


@pytest.mark.parametrize(
    ("error_type", "ignored"),
    [
        (NoisyError, []),
        (NoisyError, [NoisierError]),
        (NoisyError, ["NoisierError"]),
        (ValueError, ["Noisy"]),
        (Gateway.Timeout, ["Gateway"]),
    ],
)
def test_other_errors_are_not_ignored(
    error_type: type[BaseException], ignored: list[type[BaseException] | str]
) -> None:
    assert not is_ignored(error_type, ignored)


@pytest.mark.parametrize(
    ("error", "client_error"),
    [(NotFound(), True), (Forbidden(), True), (InternalServerError(), False), (HTTPException(), False), (None, False)],
)
def test_http_errors_below_500_are_the_clients(error: BaseException | None, client_error: bool) -> None:
    assert is_client_error(error) is client_error


def test_ignored_and_client_errors_are_not_sent_and_others_are(
    recording: Callable[..., RecordingTransport], app: Flask
) -> None:
    sent = recording(ignore_errors=(KeyboardInterrupt, "NoisyError"))
    for error in (NoisierError("flaky"), NotFound(), KeyboardInterrupt(), ValueError("real")):
        capture_exception(error)
    capture_message("still reported")

    @app.route("/missing")
    def missing() -> str:
        abort(404)

    assert app.test_client().get("/missing").status_code == 404
    assert [event.get("message") or event["exception"]["values"][0]["type"] for event in sent.events()] == [
        "ValueError",
        "still reported",
    ]
