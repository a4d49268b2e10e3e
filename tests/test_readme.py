"""The README's `yimen` table lists every command there is, the mini-apps' included, and the
README calls the command one way throughout."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click

from backend.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str) -> Iterator[str]:
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}"


def _command_table() -> str:
    start = README.index("## The `yimen` command")
    return README[start : README.index("\n## ", start + 1)]


def test_the_table_lists_every_command() -> None:
    commands = list(_commands(main, "yimen"))
    assert "yimen grid_events suggest" in commands
    table = _command_table()
    missing = [command for command in commands if f"`{command}" not in table]
    assert not missing, f"README's command table lacks {missing}"


def test_the_command_is_called_one_way() -> None:
    assert ".venv/bin/yimen" not in README
