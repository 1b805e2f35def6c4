"""Every command and subcommand has help, found by walking the command tree (later commands included)."""

from __future__ import annotations

import subprocess
from importlib import import_module
from pathlib import Path
from typing import Any

import click
import pytest

from tests.helpers import TRACKER, Invoke, walk
from tracker.cli import EXTENSIONS, app

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


def test_the_extensions_map_names_every_command_its_modules_register() -> None:
    """``cli.EXTENSIONS`` is how the app finds `tracker pull` without importing ingest on every start: a
    command its module registers but the map does not name would be found only once help had loaded it."""
    for module in set(EXTENSIONS.values()):
        group = click.Group()
        import_module(f"tracker.{module}").register(group)
        assert set(group.commands) == {name for name, where in EXTENSIONS.items() if where == module}, module


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["gap", "--format", "json"], '"spread"'),
        (["brief", "2025-02-01", "2025-03-31"], "brief 2025-02-01 → 2025-03-31"),
        (["feeds"], "No feeds yet."),
        (["inbox"], "No candidates."),
        (["git"], "Share the record through git"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_a_command_registered_when_asked_for_runs_in_a_fresh_process(
    demo_path: Path, args: list[str], shown: str
) -> None:
    """The console script, in a new process: the command's module is imported by its name alone."""
    done = subprocess.run(
        [str(TRACKER), "--db", str(demo_path), *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert shown in done.stdout


def test_a_name_that_is_no_command_is_matched_against_every_command(invoke: Invoke) -> None:
    """Click's "did you mean" knows the commands registered when asked for too (`gpa`: `gap`)."""
    result = invoke("gpa")
    assert result.exit_code == 2
    assert "No such command 'gpa'. Did you mean 'gap'?" in result.stderr
