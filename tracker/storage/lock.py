"""The writer's lock on a store: one writer at a time, across processes and threads.

Two layers:

- :func:`locked`: the operating system's own advisory lock, ``fcntl.flock`` on
  POSIX, ``msvcrt.locking`` on Windows. The kernel releases it when its holder
  exits, however it exits, so a killed writer never leaves the store locked.
  Each hold opens its own descriptor, so two threads of one process exclude
  each other too. This replaced filelock, whose import (logging, secrets,
  hmac) cost every writing command 10-15 ms of a ~100 ms start; this is the
  part of it the store uses.
- :func:`exclusive`: the store's use of it: ``NAME.lock`` beside the store, a
  bounded wait (:func:`lock_timeout`), an owner file saying who holds it (for
  the message another writer gets when it gives up), and the temp files a
  killed writer left removed once the lock is taken.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson

from ..dates import now_instant
from ..errors import StoreError, StoreLocked
from ..model import sanitise
from .files import remove_stale_temps

POLL = 0.05
"""Seconds between attempts while another writer holds the lock."""

LOCK_TIMEOUT = 15.0
"""Seconds a writer waits for another writer before giving up with a message."""
LOCK_TIMEOUT_ENV = "TRACKER_LOCK_TIMEOUT"
"""Overrides :data:`LOCK_TIMEOUT` (seconds, e.g. ``0.5`` in tests, ``120`` on a slow share)."""


class LockTimeout(Exception):
    """The lock was still held by someone else when the timeout ran out."""


# -- the OS lock ------------------------------------------------------------------

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


# -- the store's lock: bounded, says who holds it, cleans up after crashes ---------


def lock_timeout() -> float:
    """Seconds a writer waits for the lock: ``$TRACKER_LOCK_TIMEOUT``, else :data:`LOCK_TIMEOUT`."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise StoreError(f"${LOCK_TIMEOUT_ENV} must be a number of seconds (0 or more), not {raw!r}")
    return value


def lock_owner_path(path: Path) -> Path:
    """The sidecar naming the lock's holder: written once the lock is taken, removed on release."""
    return path.with_name(f"{path.name}.lock.owner")


def current_user() -> str:
    """Who is writing (the owner file, and who records a revision): ``$TRACKER_USER``, else the login name."""
    try:
        if user := os.environ.get("TRACKER_USER"):
            return user
        import getpass  # writers only

        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _command_line() -> str:
    words = [Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python", *sys.argv[1:]]
    line = " ".join(words)
    return line if len(line) <= 100 else line[:99] + "…"


def _host() -> str:
    """This machine's name, as the owner file records it."""
    if hasattr(os, "uname"):  # what gethostname() returns, without importing socket for every write
        return os.uname().nodename
    import socket

    return socket.gethostname()


def _write_owner(path: Path) -> None:
    record = {
        "pid": os.getpid(),
        "host": _host(),
        "user": current_user(),
        "command": _command_line(),
        "since": now_instant(),
    }
    with contextlib.suppress(OSError):  # best effort: the lock itself is what keeps other writers out
        lock_owner_path(path).write_bytes(orjson.dumps(record))


def _remove_owner(path: Path) -> None:
    with contextlib.suppress(OSError):
        lock_owner_path(path).unlink()


def _pid_running(pid: int) -> bool:
    """True unless ``pid`` (on this host) is provably gone: no such process, or a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, under another user
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def lock_holder(path: Path) -> str:
    """Who holds the lock on ``path``, as far as its owner file tells (for the timeout message)."""
    try:
        record = orjson.loads(lock_owner_path(path).read_bytes())
    except FileNotFoundError:
        return "another process (it has not said which: an older tracker, or one just starting)"
    except (OSError, orjson.JSONDecodeError):
        record = None
    if not isinstance(record, dict) or isinstance(record.get("pid"), bool) or not isinstance(record.get("pid"), int):
        return f"another process (its owner file {lock_owner_path(path).name} is unreadable)"
    pid, host = record["pid"], sanitise(str(record.get("host", "")))
    user, command = sanitise(str(record.get("user", ""))), sanitise(str(record.get("command", "")))
    since = sanitise(str(record.get("since", "")))
    who = f"pid {pid}" + (f" on {host}" if host else "") + (f" (user {user})" if user else "")
    who += (f", running `{command}`" if command else "") + (f", since {since}" if since else "")
    if host == _host() and not _pid_running(pid):
        return (
            f"another process: the owner file names {who}, but that process is no longer running, "
            "so the file is stale and the real holder did not record itself"
        )
    return who


@contextlib.contextmanager
def exclusive(path: Path, timeout: float) -> Iterator[None]:
    """Hold the lock for a write to ``path``: wait at most ``timeout`` seconds, then say who holds it."""
    lock_file = Path(f"{path}.lock")
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(locked(lock_file, timeout))
        except LockTimeout:
            raise StoreLocked(
                f"{path} is locked by {lock_holder(path)}; gave up after {timeout:g} s "
                f"(try again, or set ${LOCK_TIMEOUT_ENV} to wait longer)"
            ) from None
        except OSError as error:
            folder = path.parent
            if not folder.is_dir():
                problem = f"{folder} is not a folder" if folder.exists() else f"the folder {folder} does not exist"
            elif not os.access(folder, os.W_OK):
                problem = f"the folder {folder} is not writable"
            else:
                problem = f"{error.strerror or error}"
            raise StoreError(f"{path}: cannot take the lock {lock_file} ({problem}); nothing was written") from None
        try:
            _write_owner(path)
            remove_stale_temps(path)
            yield
        finally:
            _remove_owner(path)
