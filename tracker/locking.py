"""An exclusive lock on a file, held by one writer at a time, across processes and threads.

The operating system's own advisory lock: ``fcntl.flock`` on POSIX,
``msvcrt.locking`` on Windows. The kernel releases it when its holder exits,
however it exits, so a killed writer never leaves the store locked. Each hold
opens its own descriptor, so two threads of one process exclude each other
too.

This replaced filelock, whose import (logging, secrets, hmac) cost every
writing command 10-15 ms of a ~100 ms start; this is the part of it the
store uses.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

POLL = 0.05
"""Seconds between attempts while another writer holds the lock."""


class LockTimeout(Exception):
    """The lock was still held by someone else when the timeout ran out."""


if sys.platform == "win32":  # pragma: no cover - CI runs on Linux
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _open(path: str | Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)  # the umask decides who else may write it
    except PermissionError:
        # Another user's lock file in a shared folder: the OS lock needs no write access to it.
        return os.open(path, os.O_RDONLY)


@contextlib.contextmanager
def locked(path: str | Path, timeout: float) -> Iterator[None]:
    """Hold the lock on ``path`` (created if missing) for the block.

    Tries at once, then every :data:`POLL` seconds until ``timeout`` seconds
    have passed (``0``: one try), then raises :class:`LockTimeout`. An
    ``OSError`` (no such folder, not writable) propagates for the caller to explain.
    """
    fd = _open(path)
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise LockTimeout(str(path))
            time.sleep(min(POLL, max(deadline - time.monotonic(), 0)))
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)
