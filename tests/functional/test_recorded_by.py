"""Who wrote what (issue 14, point 5): ``recorded_by`` is $TRACKER_USER, else git's user.name when the
store is in a git work tree, else the login name; ``log --by`` and ``show --by`` filter by it.

Real git repositories in a temp folder, with git's global config there too (never the machine's).
"""

from __future__ import annotations

import getpass
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ADD, Invoke, as_json, assert_one_clear_error, ok, tracker, wait_for_event, worker
from tests.hostile import ESC, assert_clean


@pytest.fixture
def git_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """git's global config file, in a temp home (empty until a test writes it); no $TRACKER_USER."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("TRACKER_USER")
    return home / ".gitconfig"


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=30, check=True)
    return done.stdout


def repository(tmp_path: Path, name: str | None = "Ada Lovelace") -> Path:
    """A git repository (``record/``) with a store in it; ``name`` is its own user.name (None: it has none)."""
    folder = tmp_path / "record"
    folder.mkdir()
    git("init", "-q", cwd=folder)
    if name is not None:
        git("config", "user.name", name, cwd=folder)
    store = folder / "positions.json"
    done = tracker("init", db=store)
    assert done.returncode == 0, done.stderr
    return store


def outside_git(tmp_path: Path) -> Path:
    folder = tmp_path / "plain"
    folder.mkdir()
    inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=folder, capture_output=True, text=True)
    if inside.stdout.strip() == "true":  # pragma: no cover - a temp folder inside a repository
        pytest.skip("the temp folder is inside a git work tree")
    store = folder / "positions.json"
    assert tracker("init", db=store).returncode == 0
    return store


def recorded_by(store: Path, **env: str) -> str:
    done = tracker(*ADD, "--format", "json", db=store, timeout=60, **env)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    who: str = json.loads(done.stdout)["recorded_by"]
    return who


# -- the three sources ----------------------------------------------------------------


def test_in_a_git_work_tree_it_is_gits_user_name(git_config: Path, tmp_path: Path) -> None:
    store = repository(tmp_path, "Ada Lovelace")
    assert recorded_by(store) == "Ada Lovelace"
    assert git("config", "user.name", cwd=store.parent).strip() == "Ada Lovelace"


def test_gits_global_user_name_counts_inside_a_work_tree_only(git_config: Path, tmp_path: Path) -> None:
    git_config.write_text("[user]\n\tname = Grace Hopper\n")
    assert recorded_by(repository(tmp_path, name=None)) == "Grace Hopper"
    assert recorded_by(outside_git(tmp_path)) == getpass.getuser()  # a store outside git: the login name


def test_in_a_subfolder_of_the_work_tree_too(git_config: Path, tmp_path: Path) -> None:
    store = repository(tmp_path)
    deeper = store.parent / "team" / "positions.json"
    deeper.parent.mkdir()
    assert tracker("init", db=deeper).returncode == 0
    assert recorded_by(deeper) == "Ada Lovelace"


def test_tracker_user_comes_first(git_config: Path, tmp_path: Path) -> None:
    assert recorded_by(repository(tmp_path), TRACKER_USER="ops-desk") == "ops-desk"


def test_without_a_git_name_it_is_the_login_name(git_config: Path, tmp_path: Path) -> None:
    assert recorded_by(repository(tmp_path, name=None)) == getpass.getuser()


def fake_git(tmp_path: Path, script: str) -> str:
    """A PATH whose ``git`` is ``script`` (a shell script), and nothing else: tracker's own python is
    reached through the console script's first line."""
    folder = tmp_path / "fake-bin"
    folder.mkdir()
    git_file = folder / "git"
    git_file.write_text(f"#!/bin/sh\n{script}\n")
    git_file.chmod(git_file.stat().st_mode | stat.S_IXUSR)
    return str(folder)


def test_git_missing_or_failing_falls_back_to_the_login_name_silently(git_config: Path, tmp_path: Path) -> None:
    store = repository(tmp_path)
    empty = tmp_path / "no-git"
    empty.mkdir()
    assert recorded_by(store, PATH=str(empty)) == getpass.getuser()
    failing = fake_git(tmp_path, "echo 'fatal: broken' >&2; exit 128")
    assert recorded_by(store, PATH=failing) == getpass.getuser()


def test_git_runs_only_for_a_write_in_a_work_tree(git_config: Path, tmp_path: Path) -> None:
    """A store outside git costs no process, and neither does a read command inside one."""
    calls = tmp_path / "git-calls"
    path = fake_git(tmp_path, f'echo "$@" >> {calls}; echo "Fake Name"')
    assert recorded_by(outside_git(tmp_path), PATH=path) == getpass.getuser()
    assert not calls.exists()
    store = repository(tmp_path)
    for args in (["matrix"], ["log"], ["export"], ["check"]):
        assert tracker(*args, db=store, PATH=path).returncode == 0
    assert not calls.exists()
    assert recorded_by(store, PATH=path) == "Fake Name"
    assert calls.read_text().splitlines() == [f"-C {store.parent} config --get user.name"] * 2  # the owner file too


def test_a_git_name_is_cleaned_as_any_input(git_config: Path, tmp_path: Path) -> None:
    store = repository(tmp_path, f"Ada{ESC}]0;pwned\x07 Lovelace{ESC}[2J")
    who = recorded_by(store)
    assert_clean(who)
    assert who == "Ada Lovelace"


def test_the_lock_owner_names_the_same_analyst(git_config: Path, tmp_path: Path) -> None:
    """A writer kept waiting reads who holds the lock from its owner file: the name its revisions carry."""
    store = repository(tmp_path)
    holder = worker("hold", str(store), "30")
    try:
        wait_for_event(holder, "holding")
        done = tracker(*ADD, db=store, TRACKER_LOCK_TIMEOUT="0.2", TRACKER_USER="someone-else")
        assert done.returncode == 2
        assert_one_clear_error(done.stderr, "(user Ada Lovelace)")
    finally:
        holder.kill()
        holder.wait(10)
        for stream in (holder.stdout, holder.stderr):
            if stream is not None:
                stream.close()


def test_imports_and_merges_stamp_the_same_name(git_config: Path, tmp_path: Path) -> None:
    store = repository(tmp_path)
    source = tmp_path / "new.json"
    source.write_text(json.dumps([{"party": "usa", "issue": "nato", "stance": "not-now", "stated_on": "2025-04-01"}]))
    assert tracker("import", str(source), db=store).returncode == 0
    assert tracker("import", "--merge", str(source), db=store).returncode == 0  # no id: a new statement
    listed = json.loads(tracker("log", "--format", "json", db=store).stdout)
    assert [s["recorded_by"] for s in listed] == ["Ada Lovelace", "Ada Lovelace"]


# -- log --by, show --by ------------------------------------------------------------------


def written_by_two(invoke: Invoke, db: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Alice adds two statements, Bob one and a correction of one of Alice's."""
    ids: dict[str, Any] = {}
    monkeypatch.setenv("TRACKER_USER", "Alice")
    ids["a1"] = as_json(invoke, db, *ADD)["id"]
    ids["a2"] = as_json(invoke, db, *ADD[:-4], "--date", "2025-04-03")["id"]
    monkeypatch.setenv("TRACKER_USER", "bob")
    ids["b1"] = as_json(invoke, db, *ADD[:-4], "--date", "2025-04-05")["id"]
    ok(invoke("correct", ids["a2"], "--grade", "A1", "--reason", "transcript", db=db))
    return ids


def test_log_by_lists_what_one_analyst_recorded(
    invoke: Invoke, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = written_by_two(invoke, store_path, monkeypatch)
    assert [s["id"] for s in as_json(invoke, store_path, "log", "--by", "alice")] == [ids["a1"]]  # a2's latest is bob's
    assert [s["id"] for s in as_json(invoke, store_path, "log", "--by", "ALICE", "--revisions")] == [
        ids["a2"],
        ids["a1"],
    ]
    bobs = as_json(invoke, store_path, "log", "--by", " Bob ", "--revisions")
    assert [(s["id"], s["rev"]) for s in bobs] == [(ids["b1"], 1), (ids["a2"], 2)]
    everything = {(s["id"], s["rev"]): s for s in as_json(invoke, store_path, "log", "--revisions")}
    assert all(s == everything[s["id"], s["rev"]] for s in bobs)  # the same JSON, only fewer rows
    assert as_json(invoke, store_path, "log", "--by", "ali") == []  # the whole name, not a part
    table = ok(invoke("log", "--by", "bob", db=store_path)).stdout
    assert ids["b1"] in table and ids["a1"] not in table


def test_show_by_shows_the_statement_with_one_analysts_revisions(
    invoke: Invoke, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = written_by_two(invoke, store_path, monkeypatch)
    whole = as_json(invoke, store_path, "show", ids["a2"])
    alices = as_json(invoke, store_path, "show", ids["a2"], "--by", "alice")
    assert [r["rev"] for r in alices["revisions"]] == [1]
    assert {k: v for k, v in alices.items() if k != "revisions"} == {k: v for k, v in whole.items() if k != "revisions"}
    assert alices["revisions"] == whole["revisions"][:1]
    table = ok(invoke("show", ids["a2"], "--by", "Bob", db=store_path)).stdout
    assert "transcript" in table and "first recorded" not in table


def test_show_by_someone_who_wrote_none_of_it_says_so(
    invoke: Invoke, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = written_by_two(invoke, store_path, monkeypatch)
    result = invoke("show", ids["a1"], "--by", "carol", db=store_path)
    assert result.exit_code == 2
    assert_one_clear_error(result.stderr, ids["a1"], "no revision recorded by 'carol'", "'Alice'")


def test_the_help_says_where_the_name_comes_from(invoke: Invoke) -> None:
    for command in ("log", "show"):
        text = " ".join(ok(invoke(command, "--help")).stdout.split())
        assert "--by NAME" in text and "git's user.name" in text


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX login names")
def test_the_login_name_is_what_getpass_says(git_config: Path, tmp_path: Path) -> None:
    """The fallback is the operating system's name for the user, as LOGNAME or USER give it."""
    store = outside_git(tmp_path)
    assert recorded_by(store, LOGNAME="analyst-seven", USER="analyst-seven") == "analyst-seven"
    assert os.environ.get("TRACKER_USER") is None
