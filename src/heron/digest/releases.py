"""Release, environment and dist names Sentry accepts (sentry-release-parser `validate_release`,
`validate_environment`; Relay's `dist` rules). Invalid names are dropped, never truncated: a shortened
release would be another release.
"""

from __future__ import annotations

import re

from heron.digest.trimming import DISTRIBUTION, ENVIRONMENT, RELEASE

# Characters no release (or environment) may contain, and release names Sentry reserves.
_RELEASE_BAD_CHARACTERS = re.compile(r"[\\/\r\n\t\x0c\x00]")
_RESERVED_RELEASES = frozenset({".", "..", "latest"})
_ENVIRONMENT_BAD_CHARACTERS = re.compile(r"[/\r\n\t\x0c\x00]")
_DIST = re.compile(r"[a-zA-Z0-9_.-]+")


def release_is_valid(release: str) -> bool:
    """Whether Sentry accepts a release name: 1-200 characters, not `.`/`..`/`latest`, no slash or
    control characters (sentry-release-parser `validate_release`)."""
    return (
        0 < len(release) <= RELEASE.limit
        and release.lower() not in _RESERVED_RELEASES
        and not _RELEASE_BAD_CHARACTERS.search(release)
    )


def environment_is_valid(environment: str) -> bool:
    """Whether Sentry accepts an environment name: 1-64 characters, no slash or control characters."""
    return 0 < len(environment) <= ENVIRONMENT.limit and not _ENVIRONMENT_BAD_CHARACTERS.search(environment)


def dist_problem(dist: str) -> str | None:
    """The Relay error kind that disqualifies a dist (`value_too_long`, `invalid_data`), or `None`."""
    if len(dist) > DISTRIBUTION.limit:
        return "value_too_long"
    if not _DIST.fullmatch(dist):
        return "invalid_data"
    return None
