"""Generate docs/settings.md from the Settings declaration and docs/cli.md from the click commands.

Run `make docs`; tests/test_docs.py fails when the committed pages differ from what this produces.
"""

from __future__ import annotations

from pathlib import Path

import click

from heron.cli import main as cli_main
from heron.config import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def settings_markdown() -> str:
    """The settings reference page."""
    lines = [
        "# Settings",
        "",
        "Generated from `src/heron/config.py` by `make docs`. Every setting is an environment variable;",
        "an invalid value stops Heron at start with a message naming the variable.",
        "",
        "| variable | type | default | meaning |",
        "|---|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        annotation = getattr(field.annotation, "__name__", str(field.annotation))
        default = field.default
        shown = "(empty)" if default == "" else f"`{default}`"
        lines.append(f"| `HERON_{name.upper()}` | {annotation} | {shown} | {field.description} |")
    return "\n".join(lines) + "\n"


def cli_markdown() -> str:
    """The CLI reference page: every command's --help."""
    lines = ["# Command line", "", "Generated from `src/heron/cli.py` by `make docs`.", ""]

    def walk(command: click.Command, path: list[str]) -> None:
        context = click.Context(command, info_name=" ".join(path))
        lines.extend([f"## `{' '.join(path)}`", "", "```", command.get_help(context), "```", ""])
        if isinstance(command, click.Group):
            for name in sorted(command.commands):
                walk(command.commands[name], [*path, name])

    walk(cli_main, ["heron"])
    return "\n".join(lines)


def generated_pages() -> dict[Path, str]:
    """Every generated page with its content."""
    return {DOCS / "settings.md": settings_markdown(), DOCS / "cli.md": cli_markdown()}


if __name__ == "__main__":
    for path, content in generated_pages().items():
        path.write_text(content)
        print(f"wrote {path}")
