"""Every command has help with an example, and is documented (as sqlite-utils does)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.core
import typer.main

from ismonitor.cli import app

DOCS = Path(__file__).parents[1] / "docs"


def _commands(group: typer.core.TyperGroup, prefix=()):
    for name, command in group.commands.items():
        if isinstance(command, typer.core.TyperGroup):
            yield from _commands(command, (*prefix, name))
        else:
            yield " ".join((*prefix, name)), command


COMMANDS = dict(_commands(typer.main.get_command(app)))


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(name):
    help_text = COMMANDS[name].help or ""
    assert help_text.strip(), f"'ismonitor {name}' has no help"
    assert f"Example: ismonitor {name}" in help_text, f"'ismonitor {name}' has no example"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_documented(name):
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert f"## ismonitor {name}\n" in text, f"docs/cli.md has no section for 'ismonitor {name}'"
