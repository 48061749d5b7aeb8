"""The generated reference pages are committed and current."""

from __future__ import annotations

from heron.config import Settings
from heron.docs import generated_pages


def test_generated_docs_match_the_code() -> None:
    for path, content in generated_pages().items():
        assert path.read_text() == content, f"{path.name} is stale: run `make docs`"


def test_every_setting_has_a_description() -> None:
    undocumented = [name for name, field in Settings.model_fields.items() if not field.description]
    assert undocumented == []
