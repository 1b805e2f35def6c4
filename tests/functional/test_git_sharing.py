"""Sharing one record through git: real repositories in a temp folder, the driver run by git itself.

A bare repository is the team's remote; each analyst is a clone with its own
store file, written through tracker's commands (in-process, for speed); git
runs the merge driver as `tracker git setup` configured it, in a process of
its own. Git reads no configuration of this machine: HOME and the global
config file are the test's own.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import orjson
import pytest

from tests.helpers import ADD, Invoke, assert_one_clear_error, ok, tracker
from tests.hostile import ESCAPES, assert_clean
from tracker.git_setup import driver_command
from tracker.store import Store


@pytest.fixture(autouse=True)
def own_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Git with this test's configuration only: a name to commit as, `main`, merges on pull."""
    home = tmp_path / "home"
    home.mkdir()
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Analyst\n\temail = analyst@example.org\n"
        "[init]\n\tdefaultBranch = main\n[pull]\n\trebase = false\n[advice]\n\tdetachedHead = false\n"
    )


def git(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    if check:
        assert done.returncode == 0, f"git {' '.join(args)}: {done.stdout}{done.stderr}"
    return done


def commit(clone: Path, message: str) -> None:
    git("add", "-A", cwd=clone)
    git("commit", "-q", "-m", message, cwd=clone)


@pytest.fixture
def team(tmp_path: Path, invoke: Invoke) -> dict[str, Path]:
    """The remote, and two clones set up for the record: alice made it, bob cloned it."""
    remote = tmp_path / "record.git"
    git("init", "-q", "--bare", str(remote), cwd=tmp_path)
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    git("clone", "-q", str(remote), str(alice), cwd=tmp_path)
    ok(invoke("init", db=alice / "positions.json"))
    ok(invoke(*ADD, "--speaker", "Rubio", "--channel", "interview", db=alice / "positions.json"))
    ok(invoke("git", "setup", db=alice / "positions.json"))
    commit(alice, "The record")
    git("push", "-q", "origin", "main", cwd=alice)
    git("clone", "-q", str(remote), str(bob), cwd=tmp_path)
    ok(invoke("git", "setup", db=bob / "positions.json"))
    return {"remote": remote, "alice": alice, "bob": bob}


def store_in(where: Path) -> Path:
    """A clone's store, or the store file itself."""
    return where / "positions.json" if where.is_dir() else where


def add(invoke: Invoke, where: Path, *args: str) -> str:
    """``tracker add`` on a clone's store (or a store file); the new statement's id."""
    return str(ok(invoke(*args, db=store_in(where))).stdout.strip())


def statement_ids(where: Path) -> set[str]:
    return {s.id for s in Store(store_in(where)).revisions()}


# -- merging through the driver -------------------------------------------------------


def test_two_clones_working_concurrently_merge_cleanly_and_end_identical(team: dict[str, Path], invoke: Invoke) -> None:
    alice, bob = team["alice"], team["bob"]
    (shared,) = statement_ids(alice)
    a1 = add(invoke, alice, *ADD, "--party", "russia", "--stance", "renounce", "--speaker", "Peskov")
    a2 = add(
        invoke, alice, "add", "--party", "ukraine", "--issue", "kursk", "--stance", "exchange", "--date", "2025-03-01"
    )
    b1 = add(
        invoke, bob, "add", "--party", "europe", "--issue", "sanctions", "--stance", "tighten", "--date", "2025-03-02"
    )
    ok(invoke("correct", shared, "--grade", "A1", "--reason", "transcript", db=alice / "positions.json"))
    ok(invoke("retract", shared, "--reason", "misattributed", db=bob / "positions.json"))  # after alice's correction
    ok(invoke("parties", "add", "china", "--name", "China", db=alice / "positions.json"))
    ok(invoke("issues", "update", "nato", "--keyword", "Article 5", db=alice / "positions.json"))
    ok(invoke("issues", "add", "prisoners", "--stance", "none", "--stance", "all", db=bob / "positions.json"))
    ok(invoke("parties", "update", "usa", "--alias", "Bessent", db=bob / "positions.json"))
    commit(alice, "Alice's day")
    commit(bob, "Bob's day")
    git("push", "-q", "origin", "main", cwd=alice)
    git("push", "-q", "origin", "main:bob-day", cwd=bob)

    # Each merges the other's day, at once: git runs the driver in both clones.
    for clone, other in ((alice, "bob-day"), (bob, "main")):
        pulled = git("pull", "--no-edit", "origin", other, cwd=clone)
        assert "Merge made" in pulled.stdout and "CONFLICT" not in pulled.stdout + pulled.stderr
    assert "revised on both sides" in pulled.stderr  # the driver says what it numbered (the shared statement)
    assert (alice / "positions.json").read_bytes() == (bob / "positions.json").read_bytes()

    # And they exchange the merges: the file is the same on both sides, so the clones converge.
    git("push", "-q", "origin", "main", cwd=alice)
    git("pull", "--no-edit", "-q", "origin", "main", cwd=bob)
    git("push", "-q", "origin", "main", cwd=bob)
    git("pull", "-q", "origin", "main", cwd=alice)
    assert (alice / "positions.json").read_bytes() == (bob / "positions.json").read_bytes()
    assert git("status", "--porcelain", cwd=alice).stdout == ""  # the lock file is ignored, nothing else is left

    checked = tracker("check", db=alice / "positions.json")
    assert checked.returncode == 0 and "no problems" in checked.stdout, checked.stdout + checked.stderr
    store = Store(alice / "positions.json")
    assert statement_ids(alice) == {shared, a1, a2, b1}
    assert [(s.rev, s.grade, s.retracted) for s in store.history(shared)] == [
        (1, "B2", False),
        (2, "A1", False),
        (3, "B2", True),
    ]
    book = store.codebook
    assert book.party("china") and book.issue("prisoners") and "Bessent" in book.require_party("usa").aliases
    assert "Article 5" in book.require_issue("nato").keywords


def test_a_real_conflict_stops_the_merge_with_one_line_each_and_a_store_that_reads(
    team: dict[str, Path], invoke: Invoke
) -> None:
    alice, bob = team["alice"], team["bob"]
    (shared,) = statement_ids(alice)
    ok(invoke("parties", "update", "usa", "--name", "US government", db=alice / "positions.json"))
    commit(alice, "Alice renames the US")
    git("push", "-q", "origin", "main", cwd=alice)
    ok(invoke("parties", "update", "usa", "--name", "USA (Trump administration)", db=bob / "positions.json"))
    data = orjson.loads((bob / "positions.json").read_bytes())
    data["statements"]["1"]["quote"] = "a hand edit of a recorded revision"
    (bob / "positions.json").write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    b1 = add(
        invoke, bob, "add", "--party", "europe", "--issue", "sanctions", "--stance", "tighten", "--date", "2025-03-02"
    )
    commit(bob, "Bob renames the US too")

    pulled = git("pull", "--no-edit", "origin", "main", cwd=bob, check=False)
    assert pulled.returncode != 0 and "CONFLICT" in pulled.stdout
    assert "Traceback" not in pulled.stderr
    conflicts = [line for line in pulled.stderr.splitlines() if line.startswith("tracker: conflict:")]
    assert len(conflicts) == 2, pulled.stderr
    assert "party 'usa': name is 'USA (Trump administration)' in ours and 'US government' in theirs" in conflicts[0]
    assert f"statement '{shared}' rev 1" in conflicts[1] and "quote" in conflicts[1]
    assert "git show :3:positions.json" in pulled.stderr

    # The file is a store tracker reads: ours kept where they clash, theirs at git's stage 3, nothing lost.
    assert git("status", "--porcelain", cwd=bob).stdout.startswith("UU positions.json")
    store = Store(bob / "positions.json")
    assert store.codebook.require_party("usa").name == "USA (Trump administration)" and b1 in statement_ids(bob)
    theirs = json.loads(git("show", ":3:positions.json", cwd=bob).stdout)
    assert any(doc["name"] == "US government" for doc in theirs["parties"].values())

    # Settled the usual way: decide with tracker, add, commit.
    ok(invoke("parties", "update", "usa", "--name", "US government", db=bob / "positions.json"))
    commit(bob, "Merge, with Alice's name for the US")
    assert tracker("check", db=bob / "positions.json").returncode == 0


def test_without_the_driver_every_command_says_how_to_recover_and_the_advice_works(
    team: dict[str, Path], invoke: Invoke, tmp_path: Path
) -> None:
    """A clone that never ran `tracker git setup`: git merges the file as text, with markers."""
    alice = team["alice"]
    carol = tmp_path / "carol"
    git("clone", "-q", str(team["remote"]), str(carol), cwd=tmp_path)
    a1 = add(invoke, alice, *ADD, "--party", "russia", "--stance", "renounce")
    commit(alice, "Alice adds")
    git("push", "-q", "origin", "main", cwd=alice)
    c1 = add(
        invoke, carol, "add", "--party", "europe", "--issue", "sanctions", "--stance", "tighten", "--date", "2025-03-02"
    )
    commit(carol, "Carol adds")
    pulled = git("pull", "--no-edit", "origin", "main", cwd=carol, check=False)
    assert pulled.returncode != 0 and "CONFLICT (content)" in pulled.stdout
    store = carol / "positions.json"
    assert b"<<<<<<< " in store.read_bytes()

    for command in (["matrix"], ["check"], ["add", *ADD[1:]]):
        done = tracker(*command, db=store)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        line = assert_one_clear_error(done.stderr, "conflict markers", "tracker git setup", "git checkout -m")
        assert "not valid JSON" not in line
    before = store.read_bytes()
    assert tracker("add", *ADD[1:], db=store).returncode == 2 and store.read_bytes() == before

    # The advice, followed word for word: the driver merges the file again, from git's stages.
    ok(invoke("git", "setup", db=store))
    git("checkout", "-m", "positions.json", cwd=carol)
    assert b"<<<<<<< " not in store.read_bytes()
    git("add", "positions.json", cwd=carol)
    git("commit", "-q", "--no-edit", cwd=carol)
    assert tracker("check", db=store).returncode == 0
    assert {a1, c1} <= statement_ids(carol)


# -- tracker git setup -------------------------------------------------------------------


def test_setup_says_what_it_did_and_then_that_it_is_done(tmp_path: Path, invoke: Invoke) -> None:
    clone = tmp_path / "work"
    git("init", "-q", str(clone), cwd=tmp_path)
    (clone / ".gitattributes").write_text("*.csv text")  # someone's own line, without a final newline
    store = clone / "positions.json"
    ok(invoke("init", db=store))
    first = ok(invoke("git", "setup", db=store)).stdout
    assert "added '/positions.json merge=tracker'" in first and "Commit .gitattributes and .gitignore" in first
    assert (clone / ".gitattributes").read_text() == "*.csv text\n/positions.json merge=tracker\n"
    assert git("config", "--local", "merge.tracker.driver", cwd=clone).stdout.strip() == driver_command()
    assert driver_command().split()[0].startswith("/")  # an absolute interpreter: works from git's environment
    ignore = (clone / ".gitignore").read_text().splitlines()
    assert ignore == [
        "/positions.json.lock",
        "/positions.json.lock.owner",
        "/positions.json.idx",
        "/.positions.json.*.tmp",
        "/positions.json.*.bak",
    ]

    again = ok(invoke("git", "setup", db=store)).stdout
    assert again.startswith("already set up")
    assert (clone / ".gitattributes").read_text().count("merge=tracker") == 1
    assert (clone / ".gitignore").read_text().splitlines() == ignore

    ok(invoke(*ADD, db=store))  # a write leaves its lock file, which git does not see
    commit(clone, "The record")
    ok(invoke(*ADD, db=store))
    assert git("status", "--porcelain", cwd=clone).stdout == " M positions.json\n"


def test_setup_updates_a_driver_that_points_elsewhere_and_keeps_a_line_already_written(
    tmp_path: Path, invoke: Invoke
) -> None:
    clone = tmp_path / "work"
    git("init", "-q", str(clone), cwd=tmp_path)
    folder = clone / "team record"
    folder.mkdir()
    (clone / ".gitattributes").write_text('"/team record/positions.json" merge=desk\n')  # written by hand, quoted
    git("config", "merge.desk.driver", "/old/venv/bin/tracker merge-driver %O %A %B %P", cwd=clone)
    store = folder / "positions.json"
    said = ok(invoke("git", "setup", "--name", "desk", db=store)).stdout
    assert ".gitattributes: added" not in said  # git already reads merge=desk for it: no second line
    assert "(was /old/venv/bin/tracker merge-driver %O %A %B %P)" in said
    assert git("check-attr", "merge", "--", "team record/positions.json", cwd=clone).stdout.endswith(": desk\n")
    assert "/team record/positions.json.lock" in (clone / ".gitignore").read_text()

    elsewhere = tmp_path / "other"
    git("init", "-q", str(elsewhere), cwd=tmp_path)
    path_with_space = elsewhere / "a b" / "positions.json"
    path_with_space.parent.mkdir()
    ok(invoke("git", "setup", db=path_with_space))
    line = (elsewhere / ".gitattributes").read_text()
    assert line == '"/a b/positions.json" merge=tracker\n'
    assert git("check-attr", "merge", "--", "a b/positions.json", cwd=elsewhere).stdout.endswith(": tracker\n")


@pytest.mark.parametrize(
    ("where", "args", "words"),
    [
        ("plain", [], ["not in a git work tree", "git init"]),
        ("repo", ["--name", "bad name"], ["--name", "letters, digits"]),
        ("nowhere", [], ["not a folder"]),
    ],
    ids=["no-repository", "bad-name", "no-folder"],
)
def test_setup_refuses_in_one_line(
    tmp_path: Path, invoke: Invoke, where: str, args: list[str], words: list[str]
) -> None:
    folder = tmp_path / where
    if where != "nowhere":
        folder.mkdir()
    if where == "repo":
        git("init", "-q", str(folder), cwd=tmp_path)
    result = invoke("git", "setup", *args, db=folder / "positions.json")
    assert result.exit_code == 2
    assert_one_clear_error(result.stderr, *words)
    if where == "repo":
        assert not (folder / ".gitattributes").exists()


# -- tracker merge-driver, run by hand ------------------------------------------------


@pytest.fixture
def sides(tmp_path: Path, invoke: Invoke) -> dict[str, Path]:
    base = tmp_path / "base.json"
    ok(invoke("init", db=base))
    found = {"base": base}
    for side in ("ours", "theirs"):
        found[side] = tmp_path / f"{side}.json"
        shutil.copyfile(base, found[side])
    return found


def test_the_driver_merges_into_ours_and_exits_0(sides: dict[str, Path], invoke: Invoke) -> None:
    mine = add(invoke, sides["ours"], *ADD)
    yours = add(invoke, sides["theirs"], *ADD, "--party", "russia", "--stance", "renounce")
    result = invoke("merge-driver", str(sides["base"]), str(sides["ours"]), str(sides["theirs"]), "positions.json")
    assert result.exit_code == 0 and result.stderr == "", result.stderr
    assert statement_ids(sides["ours"]) == {mine, yours}


def test_the_driver_reports_a_conflict_with_exit_1(sides: dict[str, Path], invoke: Invoke) -> None:
    ok(invoke("parties", "update", "usa", "--name", "US government", db=sides["ours"]))
    ok(invoke("parties", "update", "usa", "--name", "USA (Trump administration)", db=sides["theirs"]))
    result = invoke("merge-driver", str(sides["base"]), str(sides["ours"]), str(sides["theirs"]), "data/p.json")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("tracker: conflict: data/p.json: party 'usa': name is")
    assert len(lines) == 2 and "1 conflict(s)" in lines[1] and "git add data/p.json" in lines[1]
    assert Store(sides["ours"]).codebook.require_party("usa").name == "US government"


def test_the_driver_leaves_ours_as_it_was_when_a_version_cannot_be_read(sides: dict[str, Path], invoke: Invoke) -> None:
    add(invoke, sides["ours"], *ADD)
    before = sides["ours"].read_bytes()
    sides["theirs"].write_bytes(b'{"truncated": ')
    result = invoke("merge-driver", str(sides["base"]), str(sides["ours"]), str(sides["theirs"]), "positions.json")
    assert result.exit_code == 2
    assert_one_clear_error(result.stderr, "positions.json (theirs)", "not valid JSON")
    missing = invoke("merge-driver", str(sides["base"] / "x"), str(sides["ours"]), str(sides["theirs"]))
    assert missing.exit_code == 2
    assert_one_clear_error(missing.stderr, "cannot read")
    assert sides["ours"].read_bytes() == before


@pytest.mark.parametrize("payload", sorted(ESCAPES))
def test_the_drivers_lines_are_clean_whatever_the_files_hold(
    sides: dict[str, Path], invoke: Invoke, payload: str
) -> None:
    """A conflict quotes the file's text, which a hand edit or another tool may have filled with escapes."""
    for side, name in (("ours", f"ours {ESCAPES[payload]}"), ("theirs", f"theirs {ESCAPES[payload]}")):
        data = orjson.loads(sides[side].read_bytes())
        next(doc for doc in data["parties"].values() if doc["id"] == "usa")["name"] = name
        sides[side].write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    result = invoke("merge-driver", str(sides["base"]), str(sides["ours"]), str(sides["theirs"]), "positions.json")
    assert result.exit_code == 1 and "party 'usa': name is" in result.stderr
    assert_clean(result.stderr)
