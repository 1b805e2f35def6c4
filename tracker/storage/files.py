"""Files replaced whole: atomic writes, backups, the temp files a killed writer leaves, stat stamps.

A store is rewritten, never edited in place: the new bytes go to a temp file
in the same folder, are fsynced and renamed over the old file, so a reader
sees the old file or the new one and never half of one; a crash leaves at
worst a stray temp file, which the next lock holder removes.

A rename replaces a name, not a file: a store reached through a symbolic link
is written at the link's target (the Store resolves it), and one with a second
hard link is refused, since the rename would leave the other name holding the
old content (:func:`refuse_unwritable`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from ..dates import now_instant
from ..errors import StoreError

Stamp = tuple[int, int, int]
"""(mtime in ns, size, inode): what changes whenever anyone replaces the file."""


def stamp_of(path: Path) -> Stamp | None:
    """The file's :data:`Stamp`, or None if there is no file."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def mode_of(path: Path) -> int | None:
    """The permission bits of the file at ``path`` (``stat.S_IMODE``), or None if there is none."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None


_GUARDS: dict[str, Callable[[int], None]] = {}
"""Per store path, what the lock holder does with a new file's descriptor before it is renamed into place.

The holder locks it (``lock.exclusive``), so the file at the path is always one
it holds: a writer that got in through a deleted lock file still waits for it.
A registry rather than an argument, so ``write_atomic`` keeps its signature."""


@contextlib.contextmanager
def guarding(path: Path, guard: Callable[[int], None]) -> Iterator[None]:
    """Call ``guard`` with the descriptor of every new ``path`` written in this process during the block."""
    key = str(path)
    _GUARDS[key] = guard
    try:
        yield
    finally:
        _GUARDS.pop(key, None)


def write_atomic(path: Path, payload: bytes, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``payload`` so that no reader or crash sees half of it.

    The new file keeps the old one's mode; a new one gets ``mode`` if given (a
    backup: its store's), else what the umask allows.
    """
    folder = path.parent
    kept = mode_of(path)
    if kept is not None:
        mode = kept
    elif mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        previous_mtime: int | None = path.stat().st_mtime_ns
    except FileNotFoundError:
        previous_mtime = None
    import tempfile  # writers only: read commands start faster without it

    # mkstemp makes the file 0600 (O_EXCL, never through a planted link): it is never more open than ``mode``.
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(payload)
            temp.flush()
            if previous_mtime is not None:
                _advance_mtime(temp.fileno(), previous_mtime)
            os.fsync(temp.fileno())
            guard = _GUARDS.get(str(path))
            if guard is not None:
                guard(temp.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    with contextlib.suppress(OSError):  # the rename itself survives a power cut
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def refuse_unwritable(path: Path, shown: Path | None = None) -> None:
    """Refuse, before anything is written, a store that writing would harm: StoreError, one line.

    - A second hard link: the rename that replaces the file would leave the other
      name holding the old content, so the two would silently part. (Writing in
      place instead would give up the atomic write.)
    - No write permission bit (``chmod 444``): someone made it read-only on
      purpose. Checked here, by mode, because a rename needs only the folder's
      permission, and root ignores mode bits altogether.
    """
    shown = shown or path
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if info.st_nlink > 1:
        raise StoreError(
            f"{shown} has {info.st_nlink} hard links (another name shares the file); refusing to write, as "
            "replacing it would split them: keep one name (a symbolic link is fine); nothing was written"
        )
    if not stat.S_IMODE(info.st_mode) & 0o222:
        raise StoreError(
            f"{shown} is read-only (mode {stat.S_IMODE(info.st_mode):04o}); refusing to replace it "
            f"(chmod u+w {shown} to allow writes); nothing was written"
        )


def write_problem(path: Path, error: OSError) -> str:
    """Why a write to ``path`` failed, in words an analyst can act on."""
    text = error.strerror or str(error)
    if error.errno in (errno.EACCES, errno.EPERM) and not os.access(path.parent, os.W_OK):
        return f"{text}: the folder {path.parent} is not writable"
    if error.errno == errno.EFBIG:
        return f"{text}: over the size this process may write"
    return text


def _advance_mtime(fd: int, previous_ns: int) -> None:
    """Give the new file a later mtime than the one it replaces.

    Readers tell whether the file changed by (mtime, size, inode). Two writes in
    one tick of a coarse file-system clock, of the same size, into a recycled
    inode would look alike; a strictly increasing mtime rules that out.
    """
    info = os.fstat(fd)
    if info.st_mtime_ns > previous_ns:
        return
    for step in (1, 1_000, 1_000_000, 1_000_000_000, 2_000_000_000):  # as fine as the file system keeps
        os.utime(fd, ns=(info.st_atime_ns, previous_ns + step))
        if os.fstat(fd).st_mtime_ns > previous_ns:
            return


def backup_of(path: Path) -> Path:
    """Copy ``path`` aside as ``NAME.YYYYmmddTHHMMSS.bak`` before it is replaced."""
    suffix = now_instant().replace("-", "").replace(":", "")[:15]
    backup = path.with_name(f"{path.name}.{suffix}.bak")
    count = 1
    while backup.exists():  # two backups in one second: keep both (callers hold the lock)
        count += 1
        backup = path.with_name(f"{path.name}.{suffix}-{count}.bak")
    write_atomic(backup, path.read_bytes(), mode=mode_of(path))  # as private as the store it copies
    return backup


def _temp_pattern(path: Path) -> re.Pattern[str]:
    """The names ``write_atomic`` gives its temp files for ``path`` and for its backups, and
    ``index_cache.save`` for its index cache's."""
    return re.compile(rf"\.{re.escape(path.name)}\.(?:\d{{8}}T\d{{6}}(?:-\d+)?\.bak\.|idx\.)?[a-z0-9_]{{8}}\.tmp")


def stale_temps(path: Path) -> list[Path]:
    """The temp files beside ``path`` that ``write_atomic`` made for it or its backups, by name (not links)."""
    pattern = _temp_pattern(path)
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return []
    return [
        Path(entry.path) for entry in entries if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)
    ]


def remove_stale_temps(path: Path) -> list[Path]:
    """Delete temp files a killed writer left beside ``path``. Call only while holding its lock:
    only a lock holder makes the store's, so any found then is stale. (A reader makes the index cache's
    without the lock: one removed while it is written only makes that cache write fail, which costs the
    next reader time, never an answer.)"""
    removed: list[Path] = []
    for temp in stale_temps(path):
        with contextlib.suppress(OSError):
            os.unlink(temp)
            removed.append(temp)
    return removed
