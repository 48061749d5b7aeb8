"""Issue titles, culprits and metadata, as Sentry derives them (``eventtypes/*``, ``culprit.py``).

Unlike hashes these are not versioned: they describe an issue for people and may improve at any time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .csp import csp_message, effective_directive, normalized_blocked_uri
from .exception_groups import select_exceptions
from .fields import Obj, as_obj, child, crash_frame, frames_of, is_in_app, is_synthetic, text, values_of

MAX_TITLE_VALUE_CHARS = 100
MAX_CULPRIT_CHARS = 200
MAX_TYPE_CHARS = 128
MAX_VALUE_CHARS = 1024
UNLABELED = "<unlabeled event>"

# Placeholders native SDKs use for unsymbolicated functions: no better than no function at all.
_UNKNOWN_FUNCTIONS = frozenset({"", "<redacted>", "<unknown>"})
_NATIVE_PLATFORMS = frozenset({"objc", "cocoa", "native"})
_JAVASCRIPT_PLATFORMS = frozenset({"javascript", "node"})


@dataclass(frozen=True, slots=True)
class IssueMetadata:
    """How an issue is shown: its kind (``error``/``default``/``csp``), title, culprit and Sentry metadata."""

    type: str
    title: str
    culprit: str
    metadata: dict[str, Any]


def issue_metadata(event: Mapping[str, Any]) -> IssueMetadata:
    """Title, culprit and metadata of a canonical event."""
    event = as_obj(event)
    if text(event, "type") == "csp" and isinstance(event.get("csp"), Mapping):
        return _csp_metadata(event)
    exceptions = values_of(event, "exception")
    if exceptions:
        return _error_metadata(event, exceptions)
    return _message_metadata(event)


def truncate(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters, the last three of them ``...`` when cut (Sentry's rule)."""
    return value if len(value) <= limit else value[: max(0, limit - 3)] + "..."


def _error_metadata(event: Obj, exceptions: list[Obj]) -> IssueMetadata:
    # An exception group whose members are all alike is titled by that member, not by the group.
    selection = select_exceptions(exceptions, lambda index: _type_and_value(exceptions[index]))
    exception = exceptions[selection.main] if selection.main is not None else exceptions[-1]
    exception_type, value = text(exception, "type"), text(exception, "value")

    metadata: dict[str, Any] = {"value": truncate(value, MAX_VALUE_CHARS)}
    if not is_synthetic(exception):  # a made-up type would only mislead
        metadata["type"] = truncate(exception_type or "Error", MAX_TYPE_CHARS)
    frame = crash_frame(event, accept=lambda frame: text(frame, "function") not in _UNKNOWN_FUNCTIONS)
    if frame is not None:
        filename = text(frame, "filename") or text(frame, "abs_path")
        if filename:
            metadata["filename"] = filename
        metadata["function"] = text(frame, "function")
    frame_mix = in_app_frame_mix(event)
    if frame_mix is not None:
        metadata["in_app_frame_mix"] = frame_mix

    first_line = next((line.strip() for line in value.splitlines() if line.strip()), "")
    if "type" not in metadata:
        title = metadata.get("function") or "<unknown>"
    elif not exception_type and not first_line:
        title = UNLABELED
    elif first_line:
        title = f"{metadata['type']}: {truncate(first_line, MAX_TITLE_VALUE_CHARS)}"
    else:
        title = metadata["type"]
    return IssueMetadata("error", title, culprit(event), metadata)


def _type_and_value(exception: Obj) -> str:
    return repr((text(exception, "type"), text(exception, "value")))


def _message_metadata(event: Obj) -> IssueMetadata:
    message = _message_text(event)
    title = truncate(message.splitlines()[0], MAX_TITLE_VALUE_CHARS) if message else UNLABELED
    return IssueMetadata("default", title, culprit(event), {"title": title})


def _message_text(event: Obj) -> str:
    logentry = child(event, "logentry")
    return (text(logentry, "formatted") or text(logentry, "message")).strip()


def _csp_metadata(event: Obj) -> IssueMetadata:
    csp = child(event, "csp")
    # Ingest puts Relay's title for the report into the logentry; derive one when it is missing.
    message = _message_text(event) or csp_message(csp)
    metadata = {"directive": effective_directive(csp), "uri": normalized_blocked_uri(csp), "message": message}
    # The violated policy says where to fix it, as Sentry's CSP culprit does.
    fallback = " ".join(text(csp, "violated_directive").split())
    return IssueMetadata("csp", message, culprit(event, fallback=fallback), metadata)


def culprit(event: Obj, fallback: str = "") -> str:
    """Where the issue happened: the transaction, else the SDK's culprit, else the crash location.

    The crash location is ``module in function`` (``function(file)`` for JavaScript) of the newest in-app
    frame of the last exception that has frames; the request URL or ``fallback`` when there is none.
    """
    found = text(event, "transaction") or text(event, "culprit") or _stacktrace_culprit(event) or fallback
    return truncate(found or text(child(event, "request"), "url"), MAX_CULPRIT_CHARS)


def _stacktrace_culprit(event: Obj) -> str:
    exceptions = values_of(event, "exception")
    if exceptions and is_synthetic(exceptions[-1]):
        return ""
    stacks = [frames for frames in map(frames_of, exceptions or [event]) if frames]
    if not stacks:
        return ""
    platform = text(event, "platform")
    fallback: str | None = None
    for frame in reversed(stacks[-1]):
        if is_in_app(frame):
            location = _frame_culprit(frame, platform)
            if location:
                return location
        elif fallback is None:
            fallback = _frame_culprit(frame, platform)
    return fallback or ""


def _frame_culprit(frame: Obj, platform: str) -> str:
    platform = text(frame, "platform") or platform
    function = text(frame, "function") or "?"
    if platform in _NATIVE_PLATFORMS:
        return function
    location = text(frame, "module") or text(frame, "filename")
    if not location:
        return ""
    return f"{function}({location})" if platform in _JAVASCRIPT_PLATFORMS else f"{location} in {function}"


def in_app_frame_mix(event: Obj) -> str | None:
    """``in-app-only``, ``system-only`` or ``mixed`` over all stacktraces; None when there are no frames."""
    containers = [*values_of(event, "exception"), event, *values_of(event, "threads")]
    mixes = set()
    for frames in map(frames_of, containers):
        if frames:
            in_app = [is_in_app(frame) for frame in frames]
            mixes.add("in-app-only" if all(in_app) else "system-only" if not any(in_app) else "mixed")
    if not mixes:
        return None
    return mixes.pop() if len(mixes) == 1 else "mixed"
