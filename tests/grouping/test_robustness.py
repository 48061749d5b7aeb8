"""Grouping and metadata never raise, whatever a stored or hostile event contains."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heron.grouping import compute_hashes
from heron.grouping.metadata import issue_metadata

VARIANTS = re.compile(r"app|system|default|salted-(app|system|default)|custom|fallback|checksum")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)

# Strings the code treats specially, mixed into random text so the interesting branches get hit.
tricky = st.sampled_from(
    [
        "",
        " ",
        "{{ default }}",
        "{{ type }}",
        "{{ tags.x }}",
        "{{ stack.function }}",
        "{{ message }}",
        "::",
        "a::b::c",
        "[native code]",
        "<anonymous>",
        "eval",
        "inline",
        "'self'",
        "data",
        "http://[::1",
        "https://x.example/a.js",
        "Foo.",
        "?",
        "x" * 130,
        "line\n\nline 2\nline 3",
    ]
)
strings = st.one_of(st.text(max_size=40), tricky)
platforms = st.sampled_from(["python", "javascript", "node", "other", "native", "ruby", ""])


def events(wrong_types: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Canonical-shaped events; with ``wrong_types`` any field may hold any JSON value instead."""

    def field(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(strategy, json_values) if wrong_types else strategy

    def shape(**optional: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
        return st.fixed_dictionaries({}, optional={key: field(value) for key, value in optional.items()})

    small_ints = st.integers(min_value=-1, max_value=4)
    frame = shape(
        filename=strings,
        abs_path=strings,
        module=strings,
        package=strings,
        function=strings,
        raw_function=strings,
        lineno=small_ints,
        colno=small_ints,
        context_line=strings,
        in_app=st.booleans(),
        platform=platforms,
        data=st.fixed_dictionaries({"sourcemap": strings}),
    )
    stacktrace = shape(frames=st.lists(field(frame), max_size=5))
    mechanism = shape(
        type=strings,
        synthetic=st.booleans(),
        is_exception_group=st.booleans(),
        exception_id=small_ints,
        parent_id=small_ints,
    )
    exception = shape(type=strings, value=strings, module=strings, mechanism=mechanism, stacktrace=stacktrace)
    thread = shape(id=small_ints, crashed=st.booleans(), current=st.booleans(), stacktrace=stacktrace)
    csp = shape(document_uri=strings, violated_directive=strings, effective_directive=strings, blocked_uri=strings)
    return shape(
        type=st.sampled_from(["error", "default", "csp"]),
        platform=platforms,
        level=st.sampled_from(["debug", "info", "warning", "error", "fatal"]),
        logger=strings,
        transaction=strings,
        culprit=strings,
        checksum=strings,
        logentry=shape(message=strings, formatted=strings, params=st.lists(strings, max_size=2)),
        exception=shape(values=st.lists(field(exception), max_size=4)),
        threads=shape(values=st.lists(field(thread), max_size=3)),
        stacktrace=stacktrace,
        tags=st.lists(st.tuples(strings, strings).map(list), max_size=3),
        fingerprint=st.lists(strings, max_size=3),
        request=shape(url=strings),
        csp=csp,
    )


def check(event: dict[str, Any]) -> None:
    result = compute_hashes(event)
    assert result.hashes
    assert all(re.fullmatch(r"[0-9a-f]{32}", digest) for digest in result.hashes)
    assert len(set(result.hashes)) == len(result.hashes)
    assert VARIANTS.fullmatch(result.variant)
    assert compute_hashes(event) == result

    meta = issue_metadata(event)
    assert meta.type in ("error", "default", "csp")
    assert isinstance(meta.title, str)
    assert meta.title
    assert isinstance(meta.culprit, str)
    assert len(meta.culprit) <= 200


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events(wrong_types=False))
def test_canonical_events_never_raise(event: dict[str, Any]) -> None:
    check(event)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events(wrong_types=True))
def test_events_with_wrong_types_never_raise(event: dict[str, Any]) -> None:
    check(event)


@given(json_values)
def test_arbitrary_json_never_raises(value: Any) -> None:
    check(value if isinstance(value, dict) else {"exception": value, "logentry": value})
