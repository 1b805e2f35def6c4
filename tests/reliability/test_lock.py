"""Lock hygiene: a writer waits a bounded time for another's lock, then says who holds it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from tests.helpers import ADD, assert_healthy, assert_one_clear_error, stored_ids, tracker, wait_for_event, worker
from tracker.errors import StoreError, StoreLocked
from tracker.store import Store, lock_owner_path

FOREIGN_HOLDER = (
    "import fcntl, sys, time; lock = open(sys.argv[1], 'a'); fcntl.flock(lock, fcntl.LOCK_EX); "
    "print('holding', flush=True); time.sleep(30)"
)


def hold_as_a_writer(store_path: Path, reap: list[subprocess.Popen[str]], seconds: str) -> subprocess.Popen[str]:
    """A tracker writer (workers.py) holds the store's lock for ``seconds``, recording itself as its owner."""
    holder = worker("hold", str(store_path), seconds)
    reap.append(holder)
    wait_for_event(holder, "holding")
    return holder


def hold_as_another_tool(store_path: Path, reap: list[subprocess.Popen[str]]) -> None:
    """Another tool takes the store's lock with the OS lock, without recording itself as its owner."""
    holder = subprocess.Popen(
        [sys.executable, "-c", FOREIGN_HOLDER, f"{store_path}.lock"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    reap.append(holder)
    wait_for_event(holder, "holding")


def test_a_held_lock_makes_a_writer_give_up_in_bounded_time_naming_the_holder(
    store_path: Path, reap: list[subprocess.Popen[str]]
) -> None:
    pid = hold_as_a_writer(store_path, reap, "30").pid
    before = store_path.read_bytes()

    started = time.monotonic()
    done = tracker(*ADD, db=store_path, TRACKER_LOCK_TIMEOUT="1")
    waited = time.monotonic() - started

    assert done.returncode == 2, done
    line = assert_one_clear_error(done.stderr, str(store_path), "locked", f"pid {pid}", "workers.py hold", "1 s")
    assert socket.gethostname() in line
    assert 1 <= waited < 10, f"waited {waited:.1f} s"
    assert store_path.read_bytes() == before


def test_the_store_api_raises_store_locked_with_the_same_message(
    store_path: Path, reap: list[subprocess.Popen[str]]
) -> None:
    pid = hold_as_a_writer(store_path, reap, "30").pid
    with pytest.raises(StoreLocked, match=f"pid {pid}"):
        Store(store_path, lock_timeout=0.2).add(
            {"party": "usa", "issue": "nato", "stance": "not-now", "stated_on": "2025-04-01"}
        )


def test_a_writer_that_waits_gets_the_lock_when_the_holder_finishes(
    store_path: Path, reap: list[subprocess.Popen[str]]
) -> None:
    holder = hold_as_a_writer(store_path, reap, "1")
    done = tracker(*ADD, db=store_path, TRACKER_LOCK_TIMEOUT="20")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() in stored_ids(store_path)
    assert holder.wait(10) == 0
    assert not lock_owner_path(store_path).exists(), "the owner file is removed on release"


def test_a_stale_owner_file_from_a_dead_process_does_not_mislead(
    store_path: Path, reap: list[subprocess.Popen[str]]
) -> None:
    # A process that is certainly dead: it has exited and been reaped.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    # The lock is held by a process that does not record itself (an older tracker, or another tool) ...
    hold_as_another_tool(store_path, reap)
    # ... while a crashed writer's owner file is still there.
    record = {"pid": dead_pid, "host": socket.gethostname(), "command": "tracker add (crashed)", "since": "earlier"}
    lock_owner_path(store_path).write_bytes(orjson.dumps(record))

    done = tracker(*ADD, db=store_path, TRACKER_LOCK_TIMEOUT="0.5")
    assert done.returncode == 2
    line = assert_one_clear_error(done.stderr, "locked", f"pid {dead_pid}", "no longer running", "stale")
    assert "crashed" in line


def test_no_owner_file_says_the_holder_is_unknown(store_path: Path, reap: list[subprocess.Popen[str]]) -> None:
    hold_as_another_tool(store_path, reap)
    done = tracker(*ADD, db=store_path, TRACKER_LOCK_TIMEOUT="0.3")
    assert done.returncode == 2
    assert_one_clear_error(done.stderr, "locked by another process", "has not said")


def test_a_lock_and_owner_file_left_by_a_killed_writer_are_ignored_safely(
    store_path: Path, reap: list[subprocess.Popen[str]]
) -> None:
    holder = hold_as_a_writer(store_path, reap, "30")
    holder.kill()
    holder.wait(10)
    assert Path(f"{store_path}.lock").exists() and lock_owner_path(store_path).exists()

    started = time.monotonic()
    done = tracker(*ADD, db=store_path, TRACKER_LOCK_TIMEOUT="5")
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 5, "the kernel released the dead writer's lock: no wait"
    assert not lock_owner_path(store_path).exists(), "the stale owner file is replaced, then removed on release"
    assert_healthy(store_path)


def test_the_lock_timeout_setting_is_checked(store_path: Path) -> None:
    before = store_path.read_bytes()
    done = tracker(*ADD, db=store_path, TRACKER_LOCK_TIMEOUT="soon")
    assert done.returncode == 2
    assert_one_clear_error(done.stderr, "TRACKER_LOCK_TIMEOUT", "'soon'")
    assert store_path.read_bytes() == before


def test_init_waits_for_the_lock_too(tmp_path: Path, reap: list[subprocess.Popen[str]], store_path: Path) -> None:
    pid = hold_as_a_writer(store_path, reap, "30").pid
    before = store_path.read_bytes()
    done = tracker("init", "--force", db=store_path, TRACKER_LOCK_TIMEOUT="0.3")
    assert done.returncode == 2
    assert_one_clear_error(done.stderr, "locked", f"pid {pid}")
    assert store_path.read_bytes() == before
    assert not list(store_path.parent.glob("*.bak")), "no backup: nothing was replaced"


def test_a_lock_in_a_folder_that_cannot_hold_one_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot take the lock"):
        Store.create(Path(os.devnull) / "positions.json", {})
