"""The import direction of DESIGN.md §2 holds: each stage imports only the stages below it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "heron"

# What each part of heron may import from heron. Top-level composition modules (cli, server, bootstrap, docs)
# may import anything; nothing may import `web`.
ALLOWED: dict[str, set[str]] = {
    "protocol": set(),
    "config": set(),
    "search": set(),
    "queue": {"protocol"},
    "grouping": {"protocol"},
    "scrubbing": {"protocol"},
    "perf": {"protocol"},
    "store": {"protocol", "search"},
    "alerts": {"protocol", "store"},
    "ingest": {"protocol", "queue", "config"},
    "digest": {"protocol", "grouping", "scrubbing", "perf", "store", "alerts", "queue", "config"},
    "api": {"protocol", "store", "perf", "alerts", "search", "config"},
    "web": {"protocol", "store", "perf", "alerts", "search", "config"},
}
COMPOSITION = {"cli", "server", "bootstrap", "docs", "__main__", "__init__"}
# Single modules allowed one more part, and why.
EXCEPTIONS: dict[str, set[str]] = {
    # a data migration: the week rollups of existing data are day rollups added up, sketches merged
    "store/migrations/versions/0007_week_rollups.py": {"perf"},
}


def _part(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def _heron_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found.update(name.split(".")[1] for name in names if name.startswith("heron.") and name.count(".") >= 1)
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_only_what_its_stage_may(path: Path) -> None:
    part = _part(path)
    imported = _heron_imports(path) - {part}
    assert "web" not in imported or part in COMPOSITION - {"__init__"}, f"{path.name} imports heron.web"
    if part in COMPOSITION:
        return
    assert part in ALLOWED, f"heron.{part} is not placed in the import rules of tests/test_architecture.py"
    forbidden = imported - ALLOWED[part] - EXCEPTIONS.get(str(path.relative_to(PACKAGE)), set())
    assert not forbidden, f"heron.{part} must not import {sorted(forbidden)} ({path.relative_to(PACKAGE)})"
