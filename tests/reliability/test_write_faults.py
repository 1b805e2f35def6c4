"""Write faults for every command that writes: a full disk (simulated in-process, and a real file-size limit)
and a read-only folder (real). Each gets a clear message, a non-zero exit, and an unchanged store."""

from __future__ import annotations

import errno
import os
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.helpers import COMMANDS, WORKERS, assert_one_clear_error, base_values, child_env, fields, render, snapshot
from tracker.cli import app
from tracker.errors import StoreError
from tracker.store import Store, default_tables

WRITES = [
    ("add",),
    ("correct",),
    ("retract",),
    ("import",),
    ("parties", "add"),
    ("parties", "update"),
    ("parties", "remove"),
    ("issues", "add"),
    ("issues", "update"),
    ("issues", "remove"),
    ("feeds", "add"),
    ("feeds", "remove"),
    ("inbox", "accept"),
    ("inbox", "reject"),
    ("init",),
]
WRITES = [path for path in WRITES if path in COMMANDS]


def argv(path: tuple[str, ...], extra: Path) -> list[str]:
    words = [*path, *render(COMMANDS[path], base_values(path, extra))]
    return [*words, "--force"] if path == ("init",) else words


def no_space(*_: Any, **__: Any) -> Any:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class HalfThenFull:
    """A temp file that takes half the bytes, then reports a full disk."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def __enter__(self) -> HalfThenFull:
        return self

    def __exit__(self, *_: object) -> None:
        self.handle.close()

    def write(self, payload: bytes) -> int:
        self.handle.write(payload[: len(payload) // 2])
        self.handle.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)


def full_disk(monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    if where == "fsync":
        monkeypatch.setattr(os, "fsync", no_space)
    else:
        real = os.fdopen
        monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: HalfThenFull(real(fd, *a, **k)))


def no_temp_files(folder: Path) -> None:
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("where", ["write", "fsync"])
@pytest.mark.parametrize("path", WRITES, ids=" ".join)
def test_a_full_disk_leaves_the_store_unchanged(
    prepared: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, path: tuple[str, ...], where: str
) -> None:
    store, extra = prepared
    before = snapshot(store.parent)
    full_disk(monkeypatch, where)
    result = CliRunner().invoke(app, ["--db", str(store), *argv(path, extra)])
    monkeypatch.undo()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError("an exception got through") from result.exception
    assert result.exit_code == 2, result.stdout + result.stderr
    assert_one_clear_error(result.stderr, str(store), "No space left on device")
    assert snapshot(store.parent) == before
    no_temp_files(store.parent)


def test_the_store_api_recovers_after_a_full_disk(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(store_path)
    kept = store.add(fields("kept", 1))
    before = store_path.read_bytes()
    full_disk(monkeypatch, "write")
    with pytest.raises(StoreError, match=r"No space left on device.*unchanged"):
        store.add(fields("lost", 2))
    monkeypatch.undo()
    assert store_path.read_bytes() == before
    assert [s.id for s in store.revisions()] == [kept.id], "the failed add is not in memory either"
    added = store.add(fields("after", 3))
    assert [s.id for s in Store(store_path).revisions()] == [kept.id, added.id]


def file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("path", [("add",), ("import",), ("parties", "add")], ids=" ".join)
def test_a_real_write_error_from_the_kernel_leaves_the_store_unchanged(
    prepared: tuple[Path, Path], path: tuple[str, ...]
) -> None:
    """RLIMIT_FSIZE makes the kernel refuse to grow any file past the store's current size: EFBIG mid-write."""
    store, extra = prepared
    before = snapshot(store.parent)
    done = subprocess.run(
        [sys.executable, str(WORKERS), "unprivileged", "--db", str(store), *argv(path, extra)],
        capture_output=True,
        text=True,
        timeout=60,
        env=child_env(),
        preexec_fn=file_size_limit(store.stat().st_size),
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert_one_clear_error(done.stderr, str(store), "File too large")
    assert snapshot(store.parent) == before
    no_temp_files(store.parent)


_PROBED: dict[str, bool] = {}


def can_make_read_only(folder: Path) -> bool:
    """Whether a mode-555 folder stops our unprivileged child from writing (probed once per run)."""
    if "result" not in _PROBED:
        probe = subprocess.run(
            [sys.executable, str(WORKERS), "unprivileged", "probe", str(folder)], capture_output=True
        )
        _PROBED["result"] = probe.returncode == 0
    return _PROBED["result"]


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder holding a store, then made read-only (for this user, and for root without its file powers)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    path = folder / "positions.json"
    Store.create(path, default_tables("Read-only"))
    Store(path).add(fields("kept", 1))
    folder.chmod(0o555)
    if not can_make_read_only(folder):
        folder.chmod(0o755)
        pytest.skip("cannot make a folder read-only here (root with file powers that cannot be dropped)")
    yield folder
    folder.chmod(0o755)


READ_ONLY_CASES = [
    pytest.param(path, lock, id=f"{' '.join(path)}-{lock}")
    for path in WRITES
    for lock in ("writable", "absent")
    if lock == "writable" or path in (("add",), ("init",))  # no lock file yet: the lock cannot be made at all
]


@pytest.mark.parametrize(("path", "lock_file"), READ_ONLY_CASES)
def test_a_read_only_folder_is_a_clear_error_and_changes_nothing(
    read_only_folder: Path, prepared: tuple[Path, Path], path: tuple[str, ...], lock_file: str
) -> None:
    store = read_only_folder / "positions.json"
    lock = read_only_folder / "positions.json.lock"
    read_only_folder.chmod(0o755)
    if lock_file == "absent":
        lock.unlink(missing_ok=True)
    else:
        lock.touch()
        lock.chmod(0o666)  # the lock can be taken; the temp file beside the store cannot be made
    read_only_folder.chmod(0o555)
    statement_id = Store(store).revisions()[0].id
    words = [statement_id if w == base_values(("correct",), prepared[1]).get("statement_id") else w
             for w in argv(path, prepared[1])]  # fmt: skip
    before = snapshot(read_only_folder)

    done = subprocess.run(
        [sys.executable, str(WORKERS), "unprivileged", "--db", str(store), *words],
        capture_output=True,
        text=True,
        timeout=60,
        env=child_env(),
    )

    assert done.returncode != 0, done.stdout
    if path in (("feeds", "remove"), ("inbox", "accept"), ("inbox", "reject")):
        # this store has no such feed or candidate: refused before any write, which is fine too
        assert_one_clear_error(done.stderr)
    else:
        line = assert_one_clear_error(done.stderr, str(store))
        assert f"the folder {read_only_folder} is not writable" in line, line
    assert snapshot(read_only_folder) == before
