"""Issue 12, findings 3-6: a store in a shared folder, where others can plant links, delete locks, set modes.

Real symlinks, hard links, modes and lock holders in other processes; the
real ``tracker`` on the files.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.conftest import (
    child_env,
    snapshot,
    stored_ids,
    tracker,
    wait_for,
    worker,
)
from tests.reliability.hardening import ADD, files_in, load, mode_of, one_error_line, save

HARDENING_WORKERS = Path(__file__).parent / "hardening_workers.py"


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask, so that a file made without regard to the store's mode comes out 0644."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


# -- finding 3: symlinked lock and owner files ------------------------------------------


@pytest.mark.parametrize("target_exists", [True, False], ids=["victim", "dangling"])
def test_a_symlinked_owner_file_is_refused_and_its_target_left_alone(
    store_path: Path, tmp_path: Path, target_exists: bool
) -> None:
    """Finding 3: ``positions.json.lock.owner -> victim``: the write is refused, the victim not written or made."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / "victim.txt"
    if target_exists:
        victim.write_text("the analyst's notes\n")
    owner = store_path.with_name(f"{store_path.name}.lock.owner")
    owner.symlink_to(victim)
    before = store_path.read_bytes()

    done = tracker(*ADD, db=store_path)

    assert done.returncode == 2, f"wrote through the link: {done.stdout!r}"
    assert "link" in one_error_line(done.stderr)
    if target_exists:
        assert victim.read_text() == "the analyst's notes\n", "the owner record was written into the link's target"
    else:
        assert not victim.exists(), "the link's target was created"
    assert store_path.read_bytes() == before


@pytest.mark.parametrize("target_exists", [True, False], ids=["victim", "dangling"])
def test_a_symlinked_lock_file_is_refused_and_its_target_left_alone(
    store_path: Path, tmp_path: Path, target_exists: bool
) -> None:
    """Finding 3: ``positions.json.lock -> elsewhere``: not followed, its target not made; one line names the link."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "target"
    if target_exists:
        target.write_text("someone else's file\n")
    lock = Path(f"{store_path}.lock")
    if lock.exists():
        lock.unlink()
    lock.symlink_to(target)
    before = store_path.read_bytes()

    done = tracker(*ADD, db=store_path)

    assert done.returncode == 2, f"locked through the link: {done.stdout!r}"
    assert "link" in one_error_line(done.stderr)
    if target_exists:
        assert target.read_text() == "someone else's file\n"
    else:
        assert not target.exists(), "the lock link's target was created"
    assert lock.is_symlink()
    assert store_path.read_bytes() == before


# -- finding 4: a lock file deleted while held -------------------------------------------------


def test_a_lock_file_deleted_while_held_loses_no_statement(store_path: Path, reap: list[subprocess.Popen[str]]) -> None:
    """Finding 4: A holds the lock, someone deletes positions.json.lock, B adds: both statements end in the file."""
    holder = subprocess.Popen(
        [sys.executable, str(HARDENING_WORKERS), "add-holding", str(store_path), "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    reap.append(holder)
    first = wait_for(holder, "holding").split()[2]  # A has read the file and added, in memory, under the lock

    Path(f"{store_path}.lock").unlink()  # a cleanup script, a sync tool, a colleague
    second = tracker(*ADD, db=store_path, TRACKER_LOCK_TIMEOUT="20")  # B: must wait for A, or come after it

    assert second.returncode == 0, second.stderr
    assert holder.wait(30) == 0, holder.stderr.read() if holder.stderr else ""
    ids = stored_ids(store_path)
    assert first in ids, "A's statement was lost"
    assert second.stdout.strip() in ids, "B reported an id, but its statement was lost when A wrote"


# -- finding 5: a symlinked or hard-linked store -----------------------------------------------


def test_a_write_through_a_symlinked_store_writes_the_target(tmp_path: Path) -> None:
    """Finding 5: ``me/positions.json -> ../shared/real.json``: an add lands in real.json and the link stays a link."""
    shared, me = tmp_path / "shared", tmp_path / "me"
    shared.mkdir()
    me.mkdir()
    real = shared / "real.json"
    assert tracker("init", db=real).returncode == 0
    link = me / "positions.json"
    link.symlink_to(Path("..") / "shared" / "real.json")

    done = tracker(*ADD, db=link)

    assert done.returncode == 0, done.stderr
    assert link.is_symlink(), "the link was replaced by a copy of the store: the store is split in two"
    assert done.stdout.strip() in stored_ids(real), "the statement did not reach the real store"
    assert files_in(me) == ["positions.json"], "lock or temp files were made beside the link instead of the target"


def test_a_hard_linked_store_is_refused_for_writing(tmp_path: Path) -> None:
    """Finding 5: a store with a second hard link is refused (exit 2, "hard link"), both names unchanged."""
    shared, me = tmp_path / "shared", tmp_path / "me"
    shared.mkdir()
    me.mkdir()
    real = shared / "real.json"
    assert tracker("init", db=real).returncode == 0
    alias = me / "positions.json"
    os.link(real, alias)
    before = real.read_bytes()

    done = tracker(*ADD, db=alias)

    assert done.returncode == 2, f"wrote a hard-linked store: {done.stdout!r}"
    assert "hard link" in one_error_line(done.stderr)
    assert real.read_bytes() == before and alias.read_bytes() == before
    assert os.stat(real).st_ino == os.stat(alias).st_ino, "the two names no longer share one file"


# -- finding 6: modes ---------------------------------------------------------------------


@pytest.mark.usefixtures("umask_022")
def test_init_force_keeps_the_backup_as_private_as_the_store(store_path: Path) -> None:
    """Finding 6: from a 0600 store, ``init --force`` writes its ``.bak`` as 0600, not 0644."""
    store_path.chmod(0o600)
    done = tracker("init", "--force", db=store_path)
    assert done.returncode == 0, done.stderr
    backups = sorted(store_path.parent.glob(f"{store_path.name}.*.bak"))
    assert backups, files_in(store_path.parent)
    assert {b.name: oct(mode_of(b)) for b in backups} == {b.name: oct(0o600) for b in backups}
    assert mode_of(store_path) == 0o600


@pytest.mark.usefixtures("umask_022")
def test_a_migration_keeps_the_backup_as_private_as_the_store(store_path: Path) -> None:
    """Finding 6: migrating a 0600 schema-0 store (no feeds or inbox tables) writes its ``.bak`` as 0600."""
    tables = load(store_path)
    next(iter(tables["meta"].values()))["schema"] = 0
    del tables["feeds"], tables["inbox"]
    save(store_path, tables)
    store_path.chmod(0o600)

    done = tracker(*ADD, db=store_path)

    assert done.returncode == 0, done.stderr
    backups = sorted(store_path.parent.glob(f"{store_path.name}.*.bak"))
    assert len(backups) == 1, files_in(store_path.parent)
    assert b'"schema": 0' in backups[0].read_bytes()
    assert oct(mode_of(backups[0])) == oct(0o600)
    assert mode_of(store_path) == 0o600


@pytest.mark.usefixtures("umask_022")
def test_the_owner_file_is_no_more_open_than_the_store(store_path: Path, reap: list[subprocess.Popen[str]]) -> None:
    """Finding 6: the ``.lock.owner`` file (it holds the command line) of a 0600 store is 0600 while held."""
    store_path.chmod(0o600)
    holder = worker("hold", str(store_path), "30")
    reap.append(holder)
    wait_for(holder, "holding")
    owner = store_path.with_name(f"{store_path.name}.lock.owner")
    assert owner.exists()
    assert mode_of(owner) & ~0o600 == 0, f"owner file is {oct(mode_of(owner))} beside a 0600 store"


def test_a_read_only_store_is_refused_for_writing(store_path: Path) -> None:
    """Finding 6: a 0444 store is refused by tracker's own check (root ignores mode bits), not replaced."""
    store_path.chmod(0o444)
    before = snapshot(store_path.parent)

    done = tracker(*ADD, db=store_path)

    assert done.returncode == 2, f"replaced a read-only store: {done.stdout!r}"
    assert "read-only" in one_error_line(done.stderr)
    assert snapshot(store_path.parent) == before
    assert mode_of(store_path) == 0o444
