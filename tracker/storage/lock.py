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

The folder may be shared, and others may plant or delete files in it:

- the lock and owner files are opened without following a symbolic link
  (``O_NOFOLLOW``), and a link there is refused: a planted
  ``NAME.lock.owner -> victim`` would otherwise have its target overwritten;
- a lock taken on a file that is no longer at the path (deleted or replaced
  between the open and the lock) is let go and taken again;
- a lock file deleted *while* held would let a second writer lock a new one;
  so the holder also locks the store file itself, and every new store file
  before renaming it into place (``files.guarding``): the second writer waits
  for the store file, whatever became of the lock file.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson

from ..dates import now_instant, seconds_from_env
from ..errors import StoreError, StoreLocked
from ..model import sanitise
from .files import guarding, mode_of, remove_stale_temps
from .user import current_user

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # Windows has no symbolic links to speak of here
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)  # a child process (a pager, an editor) does not inherit the lock

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
    """The lock file, created if missing; never through a symbolic link (``OSError`` ELOOP if it is one)."""
    try:
        # The umask decides who else may write it; it holds nothing, so the store's mode does not matter.
        return os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _CLOEXEC, 0o666)
    except PermissionError:
        # Another user's lock file in a shared folder: the OS lock needs no write access to it.
        return os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)


def _still_at(fd: int, path: str | Path) -> bool:
    """True if the file open as ``fd`` is the one at ``path`` now (not deleted or replaced since it was opened)."""
    try:
        at_path = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (at_path.st_dev, at_path.st_ino)


def _wait_for_lock(fd: int, path: str | Path, deadline: float) -> None:
    while not _try_lock(fd):
        if time.monotonic() >= deadline:
            raise LockTimeout(str(path))
        time.sleep(min(POLL, max(deadline - time.monotonic(), 0)))


@contextlib.contextmanager
def locked(path: str | Path, timeout: float) -> Iterator[None]:
    """Hold the lock on ``path`` (created if missing) for the block.

    Tries at once, then every :data:`POLL` seconds until ``timeout`` seconds
    have passed (``0``: one try), then raises :class:`LockTimeout`. An
    ``OSError`` (no such folder, not writable, a symbolic link) propagates for
    the caller to explain. A lock won on a file that was deleted or replaced
    meanwhile locks nothing anyone else sees: it is let go and taken again.
    """
    deadline = time.monotonic() + timeout
    for attempt in itertools.count():
        fd = _open(path)
        try:
            _wait_for_lock(fd, path, deadline)
            if _still_at(fd, path):
                break
            _unlock(fd)
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
        if time.monotonic() >= deadline and attempt >= 3:  # a few tries even with no wait: the lock was free
            raise LockTimeout(str(path))
    try:
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def _lock_file_itself(path: Path, deadline: float) -> int | None:
    """Lock the store file at ``path`` itself (see the module's notes); its descriptor, to close on release.

    None if there is no file yet (``init``) or its file system cannot lock it
    (an NFS mount locks only files open for writing): the lock file alone
    then keeps writers apart, as it always did.
    """
    if sys.platform == "win32":  # pragma: no cover - Windows locks are mandatory: a locked file cannot be replaced
        return None
    while True:
        try:
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
        except OSError:
            return None
        try:
            _wait_for_lock(fd, path, deadline)
        except OSError:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        if _still_at(fd, path):
            return fd
        _unlock(fd)  # replaced while we waited (the holder wrote): lock the file that is there now
        os.close(fd)


def held_now(path: str | Path) -> bool:
    """True if some process holds the lock on ``path`` right now. A reader's question: nothing is created,
    and a missing lock file (or a link there) means no tracker writer holds it."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
    except OSError:
        return False
    try:
        if not _try_lock(fd):
            return True
        _unlock(fd)
        return False
    except OSError:
        return False
    finally:
        os.close(fd)


# -- the store's lock: bounded, says who holds it, cleans up after crashes ---------


def lock_timeout() -> float:
    """Seconds a writer waits for the lock: ``$TRACKER_LOCK_TIMEOUT``, else :data:`LOCK_TIMEOUT`."""
    return seconds_from_env(LOCK_TIMEOUT_ENV, LOCK_TIMEOUT, above_zero=False, error=StoreError)


def lock_owner_path(path: Path) -> Path:
    """The sidecar naming the lock's holder: written once the lock is taken, removed on release."""
    return path.with_name(f"{path.name}.lock.owner")


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


def _refuse_link(path: Path) -> StoreError:
    return StoreError(
        f"{path} is a symbolic link; refusing to follow it (tracker writes a plain file there: "
        "remove the link and try again); nothing was written"
    )


def _write_owner(path: Path) -> bool:
    """Record who holds the lock; True if the owner file was written (and so is ours to remove).

    Created anew (``O_EXCL``, never through a link) after removing a killed
    holder's, and no more open than the store: it holds the command line.
    """
    owner = lock_owner_path(path)
    try:
        found = os.lstat(owner)
    except FileNotFoundError:
        pass
    except OSError:
        return False
    else:
        if stat.S_ISLNK(found.st_mode):
            raise _refuse_link(owner)
        with contextlib.suppress(OSError):  # a holder that was killed left it: stale, as we hold the lock
            os.unlink(owner)
    record = {
        "pid": os.getpid(),
        "host": _host(),
        "user": current_user(path.parent),  # the name its revisions are recorded by
        "command": _command_line(),
        "since": now_instant(),
    }
    store_mode = mode_of(path)
    try:
        fd = os.open(
            owner,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC,
            0o666 if store_mode is None else store_mode & 0o666,  # the umask may narrow it further
        )
    except FileExistsError:  # planted between the unlink and the open
        if owner.is_symlink():
            raise _refuse_link(owner) from None
        return False
    except OSError:  # best effort: the lock itself is what keeps other writers out
        return False
    try:
        with contextlib.suppress(OSError):
            os.write(fd, orjson.dumps(record))
    finally:
        os.close(fd)
    return True


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


OWNER_MAX_BYTES = 4096
"""More than any owner file tracker writes: a larger one is not ours, and is not read whole."""


def _read_owner(owner: Path) -> bytes:
    """The owner file's bytes, not through a link (whose target's content the message would show)."""
    fd = os.open(owner, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
    try:
        return os.read(fd, OWNER_MAX_BYTES + 1)
    finally:
        os.close(fd)


def lock_holder(path: Path) -> str:
    """Who holds the lock on ``path``, as far as its owner file tells (for the timeout message)."""
    try:
        record = orjson.loads(_read_owner(lock_owner_path(path)))
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
def exclusive(path: Path, timeout: float, *, shown: Path | None = None) -> Iterator[None]:
    """Hold the lock for a write to ``path``: wait at most ``timeout`` seconds, then say who holds it.

    ``path`` is the store's real path (links resolved), beside which the lock,
    owner and temp files live; ``shown`` is the name to use in messages.
    """
    shown = shown or path
    lock_file = Path(f"{path}.lock")
    deadline = time.monotonic() + timeout
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(locked(lock_file, timeout))
            itself = _lock_file_itself(path, deadline)
        except LockTimeout:
            raise StoreLocked(
                f"{shown} is locked by {lock_holder(path)}; gave up after {timeout:g} s "
                f"(try again, or set ${LOCK_TIMEOUT_ENV} to wait longer)"
            ) from None
        except OSError as error:
            if lock_file.is_symlink():  # O_NOFOLLOW refused it (ELOOP)
                raise _refuse_link(lock_file) from None
            folder = path.parent
            if not folder.is_dir():
                problem = f"{folder} is not a folder" if folder.exists() else f"the folder {folder} does not exist"
            elif not os.access(folder, os.W_OK):
                problem = f"the folder {folder} is not writable"
            else:
                problem = f"{error.strerror or error}"
            raise StoreError(f"{shown}: cannot take the lock {lock_file} ({problem}); nothing was written") from None
        kept: list[int] = [] if itself is None else [itself]

        def keep_locked(fd: int) -> None:
            """A new store file, about to be renamed into place: lock it before anyone can open it."""
            copy = os.dup(fd)
            kept.append(copy)
            with contextlib.suppress(OSError):
                _try_lock(copy)

        @held.callback
        def release() -> None:
            for fd in kept:
                os.close(fd)  # closing the last descriptor of a file releases its lock

        if sys.platform != "win32":  # there a locked file cannot be renamed over (nor is the store file locked)
            held.enter_context(guarding(path, keep_locked))
        wrote_owner = False
        try:
            wrote_owner = _write_owner(path)
            remove_stale_temps(path)
            yield
        finally:
            if wrote_owner:
                _remove_owner(path)
