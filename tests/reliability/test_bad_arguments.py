"""Bad arguments to every command (found by walking the command tree, so new ones are covered):
a clear message, a non-zero exit, no traceback, and the store exactly as it was."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.helpers import COMMANDS, TRACKER, assert_one_clear_error, base_values, child_env, render, snapshot
from tracker.cli import app

BAD_DATES = ("2025-02-30", "someday")
DATE_PARAMS = {"as_of", "known_at", "since", "until", "date", "published", "compare", "start", "end"}
CODE_PARAMS = {"party", "issue", "stance", "feed"}
"""Options naming a party, issue, stance or feed that must already exist."""
ID_PARAMS = {"statement_id", "feed_id", "candidate_id"}
BAD_VALUES = {"grade": "Z9", "channel": "pigeon", "status": "maybe", "fmt": "yaml", "file_format": "yaml"}
REQUIRED: dict[tuple[str, ...], set[str]] = {("add",): {"party", "issue", "stance", "date"}, ("retract",): {"reason"}}
"""Options the command requires itself (it says which are missing) rather than through click."""
INTERACTIVE = {(), ("tui",)}
"""Run as real processes with a timeout: if a bad argument slipped through they would open the dashboard."""


def mutations(path: tuple[str, ...], command: Any, extra: Path) -> Iterator[tuple[str, list[str]]]:
    """(what is wrong, argv) for every way to break this command's parameters."""
    base = base_values(path, extra)
    yield "unknown option", [*path, *render(command, base), "--bogus"]
    creating = path[-1:] == ("add",) and path[:1] in (("parties",), ("issues",))
    for param in command.params:
        name = param.name
        if getattr(param, "is_flag", False):
            continue
        if param.required or name in REQUIRED.get(path, ()):
            # Leave out this parameter and any argument after it (a later one would slide into its place).
            later = [p.name for p in command.params if p.param_type_name == "argument"]
            dropped = set(later[later.index(name) :]) if name in later else {name}
            yield f"missing {name}", [*path, *render(command, {k: v for k, v in base.items() if k not in dropped})]
        bad: list[str] = []
        if name in DATE_PARAMS:
            bad += BAD_DATES
        if name in CODE_PARAMS and not creating:
            bad.append("atlantis")
        if name in ID_PARAMS or (name in ("party_id", "issue_id") and not creating):
            bad.append("nosuch")
        if name in ("party_id", "issue_id") and creating:
            bad.append("Not An Id!")
        if name == "url" and path == ("feeds", "add"):
            bad.append("ftp://example.org/feed")
        if name in BAD_VALUES:
            bad.append(BAD_VALUES[name])
        if name == "file":
            bad.append(str(extra / "missing.json"))
        for value in bad:
            label = Path(value).name if name == "file" else value
            yield f"{name}={label}", [*path, *render(command, {**base, name: value})]


def cases() -> Iterator[Any]:
    extra = Path("/EXTRA")  # placeholder, replaced at run time
    for path, command in COMMANDS.items():
        if getattr(command, "commands", None) and not any(p.name == "fmt" for p in command.params):
            # a pure group: only its unknown option
            yield pytest.param(path, "unknown option", id=" ".join([*path, "--bogus"]) or "tracker --bogus")
            continue
        for what, _ in mutations(path, command, extra):
            yield pytest.param(path, what, id=f"{' '.join(path) or 'tracker'}: {what}")


@pytest.mark.parametrize(("path", "what"), list(cases()))
def test_a_bad_argument_fails_clearly_and_changes_nothing(
    prepared: tuple[Path, Path], path: tuple[str, ...], what: str
) -> None:
    store, extra = prepared
    command = COMMANDS[path]
    args = dict(mutations(path, command, extra))[what]
    before = snapshot(store.parent), snapshot(extra)

    if path in INTERACTIVE:
        done = subprocess.run(
            [str(TRACKER), "--db", str(store), *args], capture_output=True, text=True, timeout=30, env=child_env()
        )
        code, stderr = done.returncode, done.stderr
    else:
        result = CliRunner().invoke(app, ["--db", str(store), *args])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"`tracker {' '.join(args)}` let an exception through") from result.exception
        code, stderr = result.exit_code, result.stderr

    assert code != 0, f"`tracker {' '.join(args)}` succeeded"
    assert code == 2, f"exit {code}: {stderr}"
    assert_one_clear_error(stderr)
    assert (snapshot(store.parent), snapshot(extra)) == before, "the store and the files beside it are unchanged"


def test_the_walk_found_every_command() -> None:
    names = {" ".join(path) for path in COMMANDS}
    assert {"add", "correct", "retract", "show", "matrix", "log", "diff", "check", "import", "export", "init"} <= names
    assert {"parties add", "parties update", "issues add", "issues update", "tui"} <= names
