"""Grouping strategy ``heron:v1``: Sentry's newstyle grouping for Python, JavaScript/Node and "other".

RELEASED AND FROZEN. Every stored group hash was computed by this code, so any change in what it hashes
silently splits or merges existing issues. Never edit its behaviour: write ``v2.py``, register it under a
new config id and move projects to it deliberately. The helpers it calls (``parameterize``,
``fingerprint``, ``csp``, ``exception_groups``, ``fields``, ``result``) are part of the frozen surface
too: change what they return only by adding new functions for the next strategy.

Strategies are tried by priority (chained exception, threads, stacktrace, CSP, message); the first that
contributes anything wins. Stack-based ones yield an ``app`` variant (in-app frames only) and a ``system``
variant (all frames); message and CSP yield ``default``. Each variant is hashed over its flattened values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .csp import effective_directive, local_script_violation, normalized_blocked_uri
from .exception_groups import select_exceptions
from .fields import Obj, as_obj, child, frames_of, has_stacktrace, is_in_app, is_synthetic, text, values_of
from .fingerprint import fingerprint_kind, fingerprint_of, resolve_fingerprint, salted_values
from .parameterize import parameterize_message
from .result import GroupingResult, hash_values

CONFIG_ID = "heron:v1"

# Platforms whose source context is trustworthy enough to group on.
CONTEXT_LINE_PLATFORMS = frozenset({"javascript", "node", "python", "php", "ruby"})
JAVASCRIPT_PLATFORMS = frozenset({"javascript", "node"})
MAX_CONTEXT_LINE_CHARS = 120  # longer lines are usually minified bundles: they change on every build
# Function names browsers report differently for the same code, so they must not split groups.
UNKNOWN_JS_FUNCTIONS = frozenset({"?", "<anonymous function>", "<anonymous>", "Anonymous function"})
# Frames browsers add or omit at will (Safari's [native code] for forEach, eval wrappers).
LOW_QUALITY_JS_PATHS = frozenset({"[native code]", "native code", "eval code", "<anonymous>"})
# Ordered by how often consecutive frames differ in them, so that a frame that is no repeat shows it early.
RECURSION_FIELDS = ("lineno", "function", "colno", "abs_path", "module", "filename", "package")

_PATH_SEPARATOR_RE = re.compile(r"[/\\]")


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one variant contributes: its flattened values, and whether a stacktrace is among them."""

    values: tuple[str, ...]
    has_stacktrace: bool = False


Variants = dict[str, Contribution]


def _has_url_origin(path: str, *, allow_file: bool) -> bool:
    if path.startswith(("http:", "https:", "applewebdata:", "blob:")):
        return True
    return path.startswith("file:") and not allow_file


def frame_values(frame: Obj, event_platform: str) -> list[str]:
    """The values a frame contributes: module (else file basename), function, collapsed context line.

    Line and column numbers never contribute, so unrelated edits above the crash keep the group.
    """
    # Runs for every frame of every event: fields are read as `text()` reads them, but inline, and only
    # where they can make a difference.
    platform = frame.get("platform")
    platform = platform if isinstance(platform, str) and platform else event_platform
    abs_path = frame.get("abs_path")
    abs_path = abs_path if isinstance(abs_path, str) else ""
    function = frame.get("function")
    function = function if isinstance(function, str) else ""
    module = frame.get("module")
    module = module if isinstance(module, str) else ""
    is_js = platform in JAVASCRIPT_PLATFORMS
    reported_name = ""
    if is_js:
        reported_name = (text(frame, "raw_function") or function).rsplit(".", 1)[-1]
        if reported_name == "eval" or abs_path in LOW_QUALITY_JS_PATHS:
            return []

    if platform == "javascript" and "/" in module and abs_path.endswith(module):
        module = ""  # a URL path the SDK guessed as module; the filename logic below handles it better
    # A module is the steadier key; URL hosts and paths differ per deployment; placeholders say nothing.
    filename = ""
    if not module and not _has_url_origin(abs_path, allow_file=True):
        filename = _PATH_SEPARATOR_RE.split(text(frame, "filename"))[-1].lower()
        if filename in ("<anonymous>", "[native code]"):
            filename = ""

    context_line = ""
    if platform in CONTEXT_LINE_PLATFORMS:
        raw_line = frame.get("context_line")
        raw_line = raw_line if isinstance(raw_line, str) else ""
        too_long = len(raw_line) > MAX_CONTEXT_LINE_CHARS
        unreliable = is_js and not function and _has_url_origin(abs_path, allow_file=False)
        if not too_long and not unreliable:
            context_line = " ".join(raw_line.expandtabs(2).split())

    name = function or text(frame, "raw_function")
    if is_js:
        name = name.rsplit(".", 1)[-1]  # Chrome says Foo.bar where Firefox says bar
        if not reported_name or reported_name in UNKNOWN_JS_FUNCTIONS or reported_name.endswith("/<"):
            name = ""
        if child(frame, "data").get("sourcemap") is not None and context_line:
            name = ""  # source-mapped names are guesses; the original source line is the better key
    return list(filter(None, (module, filename, name, context_line)))


def _is_recursion(frame: Obj, previous: Obj | None) -> bool:
    if previous is None:
        return False
    # A plain loop: twice as fast as `all()` over a generator, and it runs for every frame.
    for key in RECURSION_FIELDS:  # noqa: SIM110
        if frame.get(key) != previous.get(key):
            return False
    return True


def _is_url(path: str) -> bool:
    return "://" in path or path.startswith(("blob:", "data:", "about:"))


def stacktrace_variants(frames: list[Obj], platform: str) -> Variants:
    """``app`` (in-app frames only) and ``system`` (all frames) contributions of one stacktrace."""
    app: list[str] = []
    system: list[str] = []
    previous: Obj | None = None
    for frame in frames:
        if not _is_recursion(frame, previous):
            values = frame_values(frame, platform)
            system.extend(values)
            if is_in_app(frame):
                app.extend(values)
        previous = frame
    # A lone anonymous frame from a script URL says nothing about which error this is.
    if len(frames) == 1 and system:
        frame = frames[0]
        frame_platform = text(frame, "platform") or platform
        if frame_platform in JAVASCRIPT_PLATFORMS and not text(frame, "function") and _is_url(text(frame, "abs_path")):
            app, system = [], []
    return {
        "app": Contribution(tuple(app), has_stacktrace=bool(app)),
        "system": Contribution(tuple(system), has_stacktrace=bool(system)),
    }


def remove_non_stacktrace_variants(variants: Variants) -> Variants:
    """Keep the contributing variants; when any has a contributing stacktrace, only those.

    An exception without in-app frames thus yields only its ``system`` hash, instead of an ``app`` hash
    of type and value alone that would merge unrelated crashes.
    """
    contributing = {name: part for name, part in variants.items() if part.values}
    with_stacktrace = {name: part for name, part in contributing.items() if part.has_stacktrace}
    return with_stacktrace or contributing


def exception_variants(exception: Obj, platform: str) -> Variants:
    """``[type, value, stacktrace]`` per variant; the value only counts when no stacktrace does."""
    exception_type = "" if is_synthetic(exception) else text(exception, "type")
    if has_stacktrace(exception):
        stacks = stacktrace_variants(frames_of(exception), platform)
    else:
        stacks = {"app": Contribution(())}
    value: str | None = None  # parameterized only when a variant needs it: the regexes are costly
    variants: Variants = {}
    for name, stack in stacks.items():
        values = [exception_type] if exception_type else []
        if not stack.has_stacktrace:
            if value is None:
                value = parameterize_message(text(exception, "value"))
            if value:
                values.append(value)
        values.extend(stack.values)
        variants[name] = Contribution(tuple(values), stack.has_stacktrace)
    return variants


def chained_exception_strategy(event: Obj, platform: str) -> Variants:
    """Every (selected) exception's contribution, oldest first, concatenated per variant."""
    exceptions = values_of(event, "exception")
    per_exception = [exception_variants(exception, platform) for exception in exceptions]
    selection = select_exceptions(exceptions, lambda index: repr(sorted(per_exception[index].items())))
    combined: dict[str, list[str]] = {}
    with_stacktrace: set[str] = set()
    for index in selection.indices:
        for name, part in per_exception[index].items():
            combined.setdefault(name, []).extend(part.values)
            if part.has_stacktrace:
                with_stacktrace.add(name)
    variants = {name: Contribution(tuple(values), name in with_stacktrace) for name, values in combined.items()}
    return remove_non_stacktrace_variants(variants)


def threads_strategy(event: Obj, platform: str) -> Variants:
    """The stacktrace of the crashed thread, else the current one, else the only one."""
    threads = values_of(event, "threads")
    crashed = [thread for thread in threads if thread.get("crashed") is True]
    current = [thread for thread in threads if thread.get("current") is True]
    for chosen in (crashed, current, threads):
        if len(chosen) == 1:
            if not has_stacktrace(chosen[0]):
                return {}
            return remove_non_stacktrace_variants(stacktrace_variants(frames_of(chosen[0]), platform))
    return {}


def stacktrace_strategy(event: Obj, platform: str) -> Variants:
    """The legacy top-level stacktrace (``attach_stacktrace`` on messages)."""
    if not has_stacktrace(event):
        return {}
    return remove_non_stacktrace_variants(stacktrace_variants(frames_of(event), platform))


def csp_strategy(event: Obj, platform: str) -> Variants:
    """A CSP report groups by directive and blocked origin (or which local script rule it broke)."""
    csp = event.get("csp")
    if not isinstance(csp, Mapping):
        return {}
    violation = local_script_violation(csp)
    target = f"'{violation}'" if violation else normalized_blocked_uri(csp)
    values = tuple(value for value in (effective_directive(csp), target) if value)
    return {"default": Contribution(values)}


def message_strategy(event: Obj, platform: str) -> Variants:
    """The message template (params do not split groups), parameterized."""
    logentry = child(event, "logentry")
    message = parameterize_message(text(logentry, "message") or text(logentry, "formatted"))
    return {"default": Contribution((message,))} if message else {}


Strategy = Callable[[Obj, str], Variants]

# By priority: the first strategy that contributes decides the event's grouping.
STRATEGY_ORDER: tuple[Strategy, ...] = (
    chained_exception_strategy,
    threads_strategy,
    stacktrace_strategy,
    csp_strategy,
    message_strategy,
)


def winning_variants(event: Obj) -> Variants:
    """The contributing variants of the highest-priority strategy that has any."""
    platform = text(event, "platform") or "other"
    for strategy in STRATEGY_ORDER:
        variants = {name: part for name, part in strategy(event, platform).items() if part.values}
        if variants:
            return variants
    return {}


def _checksum_hash(checksum: str) -> str:
    if re.fullmatch(r"[0-9a-fA-F]{32}", checksum):
        return checksum.lower()
    return hash_values([checksum])


def compute_hashes(event: Mapping[str, Any]) -> GroupingResult:
    """Group hashes of ``event``: a legacy checksum, a custom fingerprint, or the strategies' variants."""
    event = as_obj(event)
    checksum = text(event, "checksum")
    if checksum:
        return GroupingResult(CONFIG_ID, [_checksum_hash(checksum)], "checksum")

    fingerprint = fingerprint_of(event)
    kind = fingerprint_kind(fingerprint)
    resolved = resolve_fingerprint(fingerprint, event) if kind != "default" else []
    if kind == "custom":
        return GroupingResult(CONFIG_ID, [hash_values(entry for entry in resolved if entry is not None)], "custom")

    variants = winning_variants(event)
    if kind == "hybrid":
        variants = {
            f"salted-{name}": Contribution(tuple(salted_values(resolved, part.values)))
            for name, part in variants.items()
        }
    if not variants:
        return GroupingResult(CONFIG_ID, [hash_values([])], "fallback")

    # "system" goes last: the more specific app hash is the one a new group is primarily known by.
    ordered = sorted(variants.items(), key=lambda item: item[0].endswith("system"))
    hashes: list[str] = []
    for _name, part in ordered:
        digest = hash_values(part.values)
        if digest not in hashes:
            hashes.append(digest)
    return GroupingResult(CONFIG_ID, hashes, ordered[0][0])
