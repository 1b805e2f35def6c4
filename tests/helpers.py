"""Helpers shared by the test modules: paths, CLI runs, child processes, builders, dashboard probes.

Fixtures live in the conftest files (and may call these); a test module
imports what it needs from here, never from another test module.
``tests/hostile.py`` keeps the hostile payloads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import click
import orjson
from click.testing import Result
from textual.pilot import Pilot

from tests.hostile import MARKUP
from tests.reliability.workers import fields as fields  # re-exported: workers.py runs alone, so it defines it
from tracker.cli import app
from tracker.ingest import inbox
from tracker.ingest.extract import Article, find_candidates
from tracker.model import sanitise
from tracker.store import Store, default_tables, dump_tables
from tracker.tui.app import TrackerApp
from tracker.tui.components.matrix import MatrixTable

# -- paths ---------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = Path(str(resources.files("tracker").joinpath("data/positions.json")))
TRACKER = Path(sys.executable).parent / "tracker"
"""The installed console script."""
WORKERS = ROOT / "tests" / "reliability" / "workers.py"

# -- the CLI in-process (the ``invoke`` fixture) -------------------------------------

Invoke = Callable[..., Result]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def as_json(invoke: Invoke, db: Path, *args: str) -> Any:
    return json.loads(ok(invoke(*args, "--format", "json", db=db)).stdout)


ADD = ("add", "--party", "usa", "--issue", "nato", "--stance", "not-now", "--date", "2025-04-01", "--grade", "B2")
"""A valid ``tracker add``."""

# -- the command tree ----------------------------------------------------------------


def walk(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """(path, command) for every command under ``command``, groups and their subcommands included.

    Through click's own look-up, as a command line finds them: the app registers some of its commands
    only when they are asked for (``cli.EXTENSIONS``), so its ``commands`` alone would miss them.
    """
    found = [(path, command)]
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            found += walk(command.get_command(ctx, name), (*path, name))
    return found


COMMANDS = dict(walk(app))


class Ids:
    """The ids the fixture store holds, for commands that need a real one."""

    statement = ""
    feed = ""
    candidate = ""


Values = dict[str, str | list[str] | bool]
"""{parameter: value}; a flag given is True."""


def base_values(path: tuple[str, ...], extra: Path) -> Values:
    """A valid invocation of ``path`` as {parameter: value}; a mutation then breaks one parameter."""
    known: dict[tuple[str, ...], Values] = {
        ("add",): {"party": "usa", "issue": "nato", "stance": "not-now", "date": "2025-04-01"},
        ("correct",): {"statement_id": Ids.statement, "grade": "A1"},
        ("retract",): {"statement_id": Ids.statement, "reason": "misattributed"},
        ("show",): {"statement_id": Ids.statement},
        ("diff",): {"start": "2025-01-01", "end": "2025-12-31"},
        ("import",): {"file": str(extra / "more.json")},
        ("export",): {"output": str(extra / "out.json")},
        ("issues", "add"): {"issue_id": "prisoners", "stance": ["none", "all"]},
        ("issues", "update"): {"issue_id": "nato", "keyword": ["Bucharest"]},
        ("issues", "remove"): {"issue_id": "sanctions"},
        ("parties", "add"): {"party_id": "china"},
        ("parties", "update"): {"party_id": "usa", "alias": ["State Department"]},
        ("parties", "remove"): {"party_id": "europe"},
        ("feeds", "add"): {"url": "https://example.org/new.xml", "no_check": True},  # no network in tests
        ("feeds", "remove"): {"feed_id": Ids.feed},
        ("fetch",): {"url": "https://example.org/article"},
        ("inbox", "accept"): {"candidate_id": Ids.candidate, "stance": "not-now"},
        ("inbox", "reject"): {"candidate_id": Ids.candidate},
    }
    return dict(known.get(path, {}))


def render(command: Any, values: Values) -> list[str]:
    """Command-line words for ``values``: arguments in order, then options (a flag alone)."""
    words: list[str] = []
    for param in command.params:
        if param.name in values and param.param_type_name != "option":
            words.append(str(values[param.name]))
    for param in command.params:
        if param.name in values and param.param_type_name == "option":
            value = values[param.name]
            if isinstance(value, bool):
                words += [param.opts[0]] if value else []
                continue
            for item in value if isinstance(value, list) else [value]:
                words += [param.opts[0], item]
    return words


# -- store files ---------------------------------------------------------------------

STATEMENT_ID = "st_01JQ0000000000000000000000"


def statement(**changes: Any) -> dict[str, Any]:
    """One stored statement document (revision 1, id ``STATEMENT_ID``), with ``changes``."""
    doc = {
        **fields("file", 1),
        "id": STATEMENT_ID,
        "rev": 1,
        "channel": "official",
        "recorded_at": "2025-04-02T10:00:00.000000Z",
        "recorded_by": "analyst",
    }
    doc.update(changes)
    return doc


def good_tables() -> dict[str, Any]:
    tables: dict[str, Any] = default_tables("Damaged")
    tables["statements"] = {"1": statement()}
    return tables


def schema_0() -> bytes:
    """What a schema-0 file looked like: before ingest, no ``feeds`` or ``inbox`` tables."""
    tables = good_tables()
    tables["meta"]["1"]["schema"] = 0
    del tables["feeds"], tables["inbox"]
    return dump_tables(tables)


# -- real processes, real files, real faults (the reliability suite) -----------------


def fault_loops(default: int = 15) -> int:
    """How many times a fault loop runs: ``$TRACKER_FAULT_LOOPS`` (e.g. 500 before a release), else ``default``."""
    raw = os.environ.get("TRACKER_FAULT_LOOPS", "")
    return int(raw) if raw.strip() else default


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: this one's (the autouse fixture has isolated it), plus ``extra``."""
    env = dict(os.environ)
    env.pop("TRACKER_DB", None)
    env.update(extra)
    return env


def tracker(*args: str, db: Path, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed ``tracker`` console script on ``db``, as an analyst would."""
    return subprocess.run(
        [str(TRACKER), "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env(**env),
    )


def worker(*args: str, **env: str) -> subprocess.Popen[str]:
    """Start ``workers.py ARGS`` in a new process; its stdout is a pipe of one-line events."""
    return subprocess.Popen(
        [sys.executable, str(WORKERS), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(**env),
    )


def wait_for_event(process: subprocess.Popen[str], word: str) -> str:
    """Read the worker's events until one starts with ``word``; fail if it exits first."""
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(word):
            return line.strip()
    process.wait(10)
    stderr = process.stderr.read() if process.stderr else ""
    raise AssertionError(f"worker exited {process.returncode} before {word!r}: {stderr[-2000:]}")


def added_ids(output: str) -> list[str]:
    """The ids a worker printed: every ``add`` that had returned."""
    return [line.split()[1] for line in output.splitlines() if line.startswith("added ")]


def stored_ids(path: Path) -> set[str]:
    """Statement ids in the file, read the way any program would (no tracker code)."""
    data = orjson.loads(path.read_bytes())
    return {doc["id"] for doc in data["statements"].values()}


def assert_healthy(path: Path) -> None:
    """The file parses, loads as a store, and ``tracker check`` (a separate process) finds no problem."""
    orjson.loads(path.read_bytes())
    Store(path).revisions()
    done = tracker("check", db=path)
    assert done.returncode == 0, done.stdout + done.stderr


def error_lines(stderr: str) -> list[str]:
    """The lines of stderr that carry an error: ``tracker: error: ...`` or click's ``Error: ...``."""
    return [line for line in stderr.splitlines() if line.startswith(("tracker: error:", "Error:"))]


def assert_one_clear_error(stderr: str, *words: str) -> str:
    """Exactly one error line (click's usage hint around it is allowed), no traceback; it names ``words``."""
    assert "Traceback" not in stderr, stderr
    found = error_lines(stderr)
    assert len(found) == 1, f"expected one error line, got: {stderr!r}"
    others = [line for line in stderr.splitlines() if line.strip() and line not in found]
    assert all(line.startswith(("Usage:", "Try ")) for line in others), stderr
    for word in words:
        assert word in found[0], f"{word!r} not in {found[0]!r}"
    return found[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` (not the lock file, which is never removed, nor the index cache, which any
    reader may rewrite: it is derived from the store, not part of it), with its bytes."""
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.endswith((".lock", ".idx"))
    }


# -- the dashboard -------------------------------------------------------------------

SIZE = (120, 40)
END = "2025-03-31"


def screen_text(app: TrackerApp) -> str:
    """Every character on the screen, as the analyst sees it."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def cell(app: TrackerApp, party: str, issue: str) -> str:
    return app.query_one(MatrixTable).text_at(party, issue).plain


async def wait_for(pilot: Pilot[None], condition: Any, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out waiting for the dashboard")


async def put_cursor(pilot: Pilot[None], party: str, issue: str) -> None:
    pilot.app.query_one(MatrixTable).move_to(party, issue)
    await pilot.pause()


ARTICLE_TEXT = (
    "“If they lay down their arms and surrender in Kursk, we will guarantee their lives,” Putin said.\n"
    f"Zelensky said Ukraine would never accept a truce on these terms {MARKUP['click']} {MARKUP['bold']}.\n"
    "The weather was mild."
)


def seeded(store_path: Path) -> Store:
    """The store with two inbox candidates, found in one article (``ARTICLE_TEXT``)."""
    store = Store(store_path)
    article = Article("http://news.test/kursk", "Kursk", "Wire", "2025-03-14", sanitise(ARTICLE_TEXT))
    found = find_candidates(
        article, store.codebook, fetched_at="2025-03-14T19:00:00.000000Z", new_id=inbox.new_candidate_id
    )
    assert [(c.party, c.issue) for c in found] == [("russia", "kursk"), ("ukraine", "ceasefire")]
    inbox.save_pull(store, {}, found)
    return store
