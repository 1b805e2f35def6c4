"""The store's file lock: one holder at a time across processes and threads; the kernel frees a dead holder's."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tracker.storage.lock import LockTimeout, locked

HOLD = (
    "import sys, time; from tracker.storage.lock import locked\n"
    "with locked(sys.argv[1], 5):\n"
    "    print('holding', flush=True); time.sleep(float(sys.argv[2]))\n"
)


def hold(path: Path, seconds: float) -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "holding"
    return child


def test_the_lock_is_free_again_after_the_block(tmp_path: Path) -> None:
    path = tmp_path / "store.json.lock"
    with locked(path, 0):
        assert path.exists()
    with locked(path, 0):  # no wait: the first hold ended
        pass


def test_a_lock_held_by_another_process_times_out(tmp_path: Path) -> None:
    path = tmp_path / "store.json.lock"
    child = hold(path, 30)
    try:
        with pytest.raises(LockTimeout), locked(path, 0):
            pass
        started = time.monotonic()
        with pytest.raises(LockTimeout), locked(path, 0.3):
            pass
        assert 0.3 <= time.monotonic() - started < 3
    finally:
        child.kill()
        child.wait()


def test_a_waiter_gets_the_lock_when_the_holder_exits(tmp_path: Path) -> None:
    path = tmp_path / "store.json.lock"
    child = hold(path, 0.6)
    started = time.monotonic()
    with locked(path, 10):
        waited = time.monotonic() - started
    child.wait()
    assert 0.4 <= waited < 5, "the lock is taken only once the other process lets it go"


def test_a_killed_holder_leaves_no_lock(tmp_path: Path) -> None:
    path = tmp_path / "store.json.lock"
    child = hold(path, 30)
    child.kill()
    child.wait()
    with locked(path, 0):
        pass


def test_two_threads_of_one_process_exclude_each_other(tmp_path: Path) -> None:
    path = tmp_path / "store.json.lock"
    inside: list[str] = []
    overlaps: list[str] = []

    def work(name: str) -> None:
        for _ in range(5):
            with locked(path, 10):
                if inside:
                    overlaps.append(f"{name} entered while {inside[0]} held it")
                inside.append(name)
                time.sleep(0.01)
                inside.remove(name)

    threads = [threading.Thread(target=work, args=(f"t{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []


def test_a_missing_folder_is_an_os_error_for_the_caller_to_explain(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), locked(tmp_path / "nowhere" / "store.json.lock", 0):
        pass


def test_a_lock_file_another_user_made_read_only_still_locks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a shared folder the lock file may belong to a colleague: opening it for writing is refused."""
    path = tmp_path / "store.json.lock"
    path.touch()
    real_open = os.open

    def refused_for_writing(name: str, flags: int, *args: int) -> int:
        if Path(name) == path and flags & (os.O_RDWR | os.O_WRONLY):
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, flags, *args)

    monkeypatch.setattr(os, "open", refused_for_writing)
    with locked(path, 0):
        take = "import sys; from tracker.storage.lock import locked\nwith locked(sys.argv[1], 0): pass"
        child = subprocess.run([sys.executable, "-c", take, str(path)], capture_output=True, text=True, timeout=30)
        assert child.returncode != 0 and "LockTimeout" in child.stderr, "another process got the lock meanwhile"
