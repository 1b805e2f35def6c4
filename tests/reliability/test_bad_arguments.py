"""Bad arguments to every command (found by walking the command tree, so new ones are covered):
a clear message, a non-zero exit, no traceback, and the store exactly as it was."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from tracker.cli import app
from tracker.store import Store, default_tables

from .conftest import TRACKER, assert_one_clear_error, child_env, snapshot
from .workers import fields

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


def walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from walk(sub, (*path, name))


COMMANDS = dict(walk(app))


class Ids:
    """The ids the fixture store holds, for commands that need a real one."""

    statement = ""
    feed = ""
    candidate = ""


def base_values(path: tuple[str, ...], extra: Path) -> dict[str, str | list[str]]:
    """A valid invocation of ``path`` as {parameter: value}; a mutation then breaks one parameter."""
    known: dict[tuple[str, ...], dict[str, str | list[str]]] = {
        ("add",): {"party": "usa", "issue": "nato", "stance": "not-now", "date": "2025-04-01"},
        ("correct",): {"statement_id": Ids.statement, "grade": "A1"},
        ("retract",): {"statement_id": Ids.statement, "reason": "misattributed"},
        ("show",): {"statement_id": Ids.statement},
        ("diff",): {"start": "2025-01-01", "end": "2025-12-31"},
        ("import",): {"file": str(extra / "more.json")},
        ("export",): {"output": str(extra / "out.json")},
        ("issues", "add"): {"issue_id": "prisoners", "stance": ["none", "all"]},
        ("issues", "update"): {"issue_id": "nato", "keyword": ["alliance"]},
        ("parties", "add"): {"party_id": "china"},
        ("parties", "update"): {"party_id": "usa", "alias": ["Vance"]},
        ("feeds", "add"): {"url": "https://example.org/new.xml"},
        ("feeds", "remove"): {"feed_id": Ids.feed},
        ("fetch",): {"url": "https://example.org/article"},
        ("inbox", "accept"): {"candidate_id": Ids.candidate, "stance": "not-now"},
        ("inbox", "reject"): {"candidate_id": Ids.candidate},
    }
    return dict(known.get(path, {}))


def render(command: Any, values: dict[str, str | list[str]]) -> list[str]:
    """Command-line words for ``values``: arguments in order, then options."""
    words: list[str] = []
    for param in command.params:
        if param.name in values and param.param_type_name != "option":
            words.append(str(values[param.name]))
    for param in command.params:
        if param.name in values and param.param_type_name == "option":
            value = values[param.name]
            for item in value if isinstance(value, list) else [value]:
                words += [param.opts[0], item]
    return words


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


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A store with a statement, a feed and an inbox candidate, and a folder of files to import."""
    folder = tmp_path_factory.mktemp("bad-arguments")
    store = folder / "store" / "positions.json"
    store.parent.mkdir()
    Store.create(store, default_tables("Bad arguments"))
    opened = Store(store)
    Ids.statement = opened.add(fields("base", 1)).id
    extra = folder / "extra"
    extra.mkdir()
    (extra / "more.json").write_bytes(orjson.dumps([fields("import", 2)]))
    try:
        from tracker.inbox_model import Candidate
        from tracker.ingest import inbox
    except ImportError:
        return store, extra
    Ids.feed = inbox.add_feed(opened, "https://example.org/feed.xml", "Example").id
    candidate = {
        "id": inbox.new_candidate_id(), "status": "new", "party": "usa", "issue": "nato",
        "sentence": "Rubio said NATO membership is not on the table.", "speaker": "Rubio",
        "url": "https://example.org/a", "title": "A", "outlet": "Example", "published": "2025-04-01",
        "fetched_at": "2025-04-02T00:00:00.000000Z", "statement_id": None,
    }  # fmt: skip
    inbox.save_pull(opened, {}, [Candidate.from_json(candidate)])
    Ids.candidate = str(candidate["id"])
    return store, extra


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
