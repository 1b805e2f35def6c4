"""The core and the plain commands load neither the dashboard (textual), the network layer (httpx),
nor what only writes need: each costs start-up time (issue 7: 1,000 statements in 2x `import rich.console`).

The read commands load none of tracker's modules that only other commands use, and help loads neither
the store nor Rich (issue 18: no command slower at 1,000 statements, where start-up is most of a command)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.store import Store

HEAVY = ("textual", "httpx", "feedparser", "trafilatura", "tempfile", "socket", "getpass", "logging")
"""Modules the read commands never load: the dashboard, the network and feed parsing, and what only
writes need (temp files, host and user names; logging came with the old lock library)."""

ONLY_SOME = (
    "tracker.statement_input",
    "tracker.progress",
    "tracker.transfer",
    "tracker.backup",
    "tracker.checks",
    "tracker.gap",
    "tracker.gap_view",
    "tracker.brief",
    "tracker.git_setup",
    "tracker.storage.merge",
    "tracker.inbox_model",
    "tracker.ingest.inbox",
    "tracker.ingest.views",
    "tracker.ingest.commands",
    "tracker.git_commands",
    "tracker.trend_commands",
)
"""tracker's modules that only some commands use (recording, progress, files in and out, check, trends, git,
the inbox, and the modules that define the ingest, git and trend commands): each is imported inside its
commands, and the read commands load none of them."""

HELP_LOADS_NONE = ("rich", "tinydb", "orjson", "tracker.store", "tracker.model", "tracker.render", "tracker.formats")
"""What help never needs: Rich, the store and the model are half of a command's start-up, and are imported
inside the commands (cli.py builds every command's options from ``output_formats`` alone)."""

LOADED = "sorted(m for m in sys.modules if m in {names!r} or m.split('.')[0] in {names!r})"
"""The expression each probe prints: the loaded modules that are named, or inside a package named, in ``names``."""

CORE = """
import json, sys
import tracker.model, tracker.dates, tracker.store, tracker.timeline
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})))
"""

COMMAND = """
import json, sys
from tracker.cli import app
code = app({args!r}, standalone_mode=False)
assert code in (None, 0), f"the command failed with exit code {{code}}"
print(json.dumps(LOADED), file=sys.stderr)
""".replace("LOADED", LOADED.replace("names", "heavy"))


def heavy_modules(script: str, cwd: Path) -> list[str]:
    """Run ``script`` in a fresh interpreter; it prints the heavy modules it loaded as JSON on its last line."""
    done = subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = (done.stderr or done.stdout).strip().splitlines()
    loaded: list[str] = json.loads(lines[-1])
    return loaded


def test_the_core_loads_neither_textual_nor_httpx(tmp_path: Path) -> None:
    assert heavy_modules(CORE.format(heavy=set(HEAVY)), tmp_path) == []


TRANSFER = """
import json, sys
from pathlib import Path
from tracker.store import Store
from tracker.transfer import export_bytes, read_records
revisions = Store(Path({store!r})).revisions()
for kind in ("json", "csv"):
    exported = Path({folder!r}) / ("export." + kind)
    exported.write_bytes(export_bytes(revisions, kind)[0])
    assert len(list(read_records(exported, kind))) == len({{r.id for r in revisions}})
import tracker.formats, tracker.palette, tracker.describe
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] == "rich")))
"""


def test_import_and_export_load_no_rich(demo_path: Path, tmp_path: Path) -> None:
    """Files in and out are not terminal output: exporting and re-reading both formats loads no Rich.

    The script imports the file formats, the palette and the wording as well: none may need Rich either.
    """
    assert heavy_modules(TRANSFER.format(store=str(demo_path), folder=str(tmp_path)), tmp_path) == []


def test_the_rich_probe_does_see_rich(demo_path: Path, tmp_path: Path) -> None:
    """The check above is not vacuous: importing render (the Rich views) is noticed."""
    script = TRANSFER.replace("import tracker.formats", "import tracker.render").format(
        store=str(demo_path), folder=str(tmp_path)
    )
    assert "rich" in heavy_modules(script, tmp_path)


@pytest.mark.parametrize(
    "args",
    [
        ["matrix"],
        ["matrix", "--as-of", "2025-03-31", "--format", "json"],
        ["log", "--format", "json"],
        ["show", "FIRST"],
        ["diff", "2025-02-01", "2025-03-31"],
        ["check"],
        ["parties"],
        ["issues"],
        ["export"],
        ["export", "--all"],
        ["log", "--by", "tracker-demo"],
        ["--help"],
    ],
    ids=" ".join,
)
def test_plain_commands_load_neither_textual_nor_httpx(demo_path: Path, tmp_path: Path, args: list[str]) -> None:
    first = Store(demo_path).revisions()[0].id
    args = [first if arg == "FIRST" else arg for arg in args]
    script = COMMAND.format(args=["--db", str(demo_path), *args], heavy=set(HEAVY))
    assert heavy_modules(script, tmp_path) == []


HELP_EVERYWHERE = """
import json, sys

import click

from tracker.cli import app

def walk(command, path=()):
    yield path
    ctx = click.Context(command)
    for name in getattr(command, "list_commands", lambda ctx: [])(ctx):
        yield from walk(command.get_command(ctx, name), (*path, name))

for path in list(walk(app)):
    try:
        app([*path, "--help"], standalone_mode=False)
    except SystemExit:
        pass
print(json.dumps(LOADED), file=sys.stderr)
""".replace("LOADED", LOADED.replace("names", "heavy"))


def test_no_commands_help_loads_textual_or_httpx(tmp_path: Path) -> None:
    """Help for every command, later ones included, stays light: heavy imports belong inside the commands."""
    assert heavy_modules(HELP_EVERYWHERE.format(heavy=set(HEAVY)), tmp_path) == []


@pytest.mark.parametrize(
    "args",
    [
        ["matrix"],
        ["matrix", "--format", "json"],
        ["log"],
        ["log", "--format", "csv"],
        ["show", "FIRST"],
        ["diff", "2025-02-01", "2025-03-31"],
        ["diff", "2025-02-01", "2025-03-31", "--format", "markdown"],
        ["parties"],
        ["issues"],
        ["policy"],
    ],
    ids=" ".join,
)
def test_read_commands_load_no_module_only_other_commands_use(demo_path: Path, tmp_path: Path, args: list[str]) -> None:
    first = Store(demo_path).revisions()[0].id
    args = [first if arg == "FIRST" else arg for arg in args]
    script = COMMAND.format(args=["--db", str(demo_path), *args], heavy=set(ONLY_SOME))
    assert heavy_modules(script, tmp_path) == []


@pytest.mark.parametrize(
    "args", [["matrix"], ["log"], ["show", "FIRST"], ["diff", "2025-02-01", "2025-03-31"]], ids=" ".join
)
def test_table_output_loads_no_csv(demo_path: Path, tmp_path: Path, args: list[str]) -> None:
    """The csv module is imported where csv is written (``formats.write_csv``, ``transfer``), not for tables."""
    first = Store(demo_path).revisions()[0].id
    args = [first if arg == "FIRST" else arg for arg in args]
    assert heavy_modules(COMMAND.format(args=["--db", str(demo_path), *args], heavy={"csv"}), tmp_path) == []


def test_the_csv_probe_does_see_csv_output(demo_path: Path, tmp_path: Path) -> None:
    """The check above is not vacuous: `log --format csv` imports csv, and the probe says so."""
    script = COMMAND.format(args=["--db", str(demo_path), "log", "--format", "csv"], heavy={"csv"})
    assert heavy_modules(script, tmp_path) == ["csv"]


def test_the_module_probe_does_see_a_command_s_own_module(demo_path: Path, tmp_path: Path) -> None:
    """The check above is not vacuous: `check` imports tracker.checks, and the probe says so."""
    script = COMMAND.format(args=["--db", str(demo_path), "check"], heavy=set(ONLY_SOME))
    assert "tracker.checks" in heavy_modules(script, tmp_path)


@pytest.mark.parametrize("args", [["--help"], ["matrix", "--help"], ["add", "--help"]], ids=" ".join)
def test_help_loads_neither_the_store_nor_rich(tmp_path: Path, args: list[str]) -> None:
    script = COMMAND.format(args=args, heavy=set(HELP_LOADS_NONE))
    assert heavy_modules(script, tmp_path) == []


ENTRY_POINT = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted(m for m in sys.modules if m in {heavy!r})), file=sys.stderr))
sys.argv = ["tracker", "--help"]
from tracker.cli import run
run()
"""


def test_the_console_scripts_help_loads_neither_the_store_nor_rich(tmp_path: Path) -> None:
    """Through ``cli.run``, as ``tracker --help`` starts (the gc policy and the cache writers are set
    up there): what it sets up for every command is as light as help."""
    script = ENTRY_POINT.format(heavy={*HELP_LOADS_NONE, "tracker.storage.index_cache", "tracker.timeline"})
    assert heavy_modules(script, tmp_path) == []


def test_no_commands_help_loads_the_store_or_rich(tmp_path: Path) -> None:
    """Help for every command, later ones included: each command imports what it runs on inside itself."""
    assert heavy_modules(HELP_EVERYWHERE.format(heavy=set(HELP_LOADS_NONE)), tmp_path) == []


def test_the_help_probe_does_see_the_store_and_rich(demo_path: Path, tmp_path: Path) -> None:
    """The checks above are not vacuous: a command that runs loads what help does not."""
    script = COMMAND.format(args=["--db", str(demo_path), "matrix"], heavy=set(HELP_LOADS_NONE))
    assert {"rich.console", "tracker.store", "tracker.model", "tracker.render"} <= set(heavy_modules(script, tmp_path))


def test_the_probe_does_see_a_heavy_import(tmp_path: Path) -> None:
    """The check above is not vacuous: importing httpx is noticed."""
    script = CORE.replace("import tracker.model", "import httpx, tracker.model").format(heavy=set(HEAVY))
    assert "httpx" in heavy_modules(script, tmp_path)
