"""Every command and subcommand has help, found by walking the command tree (later commands included)."""

from __future__ import annotations

from typing import Any

import click
import pytest

from tests.helpers import Invoke, walk
from tracker.cli import app

COMMANDS = walk(app)
IDS = [" ".join(path) or "tracker" for path, _ in COMMANDS]


def test_the_tree_has_the_core_commands() -> None:
    names = set(IDS)
    for expected in (
        "init", "matrix", "log", "show", "add", "correct", "retract", "check", "import", "export",
        "parties", "parties add", "issues", "issues add", "tui",
    ):  # fmt: skip
        assert expected in names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_command_has_a_help_text(path: tuple[str, ...], command: Any) -> None:
    text = (command.help or command.short_help or "").strip()
    assert text, f"`tracker {' '.join(path)}` has no help text"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_option_has_a_help_text(path: tuple[str, ...], command: Any) -> None:
    bare = [
        "/".join(param.opts)
        for param in command.params
        if param.param_type_name == "option" and not (getattr(param, "help", None) or "").strip()
    ]
    assert not bare, f"`tracker {' '.join(path)}`: options without help: {', '.join(bare)}"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_help_exits_zero(invoke: Invoke, path: tuple[str, ...], command: Any) -> None:
    for flag in ("--help", "-h"):
        result = invoke(*path, flag)
        assert result.exit_code == 0, result.output
        assert "Usage" in result.stdout
        first_line = (command.help or command.short_help or "").strip().splitlines()[0]
        assert " ".join(first_line.split()[:3]) in " ".join(result.stdout.split())


def test_a_group_that_needs_a_command_shows_its_help(invoke: Invoke) -> None:
    """Not a one-line usage error: a group whose command is missing answers with its help."""
    group = click.Group("needs", no_args_is_help=True, help="A group that needs a command.")
    group.add_command(click.Command("sub", help="A command."))
    app.add_command(group)
    try:
        result = invoke("needs")
    finally:
        app.commands.pop("needs")
    assert result.exit_code == 0
    assert "A group that needs a command." in result.stdout and "sub" in result.stdout
    assert result.stderr == ""
