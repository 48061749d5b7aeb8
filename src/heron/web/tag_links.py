"""Links from a tag value to the stream searching for it, quoted as the search grammar reads it back."""

from __future__ import annotations

import re
from urllib.parse import urlencode

# Keys the search grammar reads as `key:value` (heron.search); other keys cannot be searched for.
_KEY = re.compile(r"[A-Za-z_][\w.\-]*")


def search_term(key: str, value: str) -> str:
    """`key:value`, with the value quoted (and `"`/`\\` escaped) when it holds spaces, quotes or brackets."""
    if value and not any(character in value for character in ' "\\[]\t'):
        return f"{key}:{value}"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{key}:"{escaped}"'


def tag_search_url(organization_slug: str, project_id: int, key: str, value: str) -> str | None:
    """The stream of the project's issues (any status) that had this tag value; None for an unsearchable key."""
    if _KEY.fullmatch(key) is None:
        return None
    query = urlencode({"project": project_id, "query": search_term(key, value)})
    return f"/organizations/{organization_slug}/issues/?{query}"
