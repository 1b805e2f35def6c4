"""Files replaced whole: atomic writes, backups, the temp files a killed writer leaves, stat stamps.

A store is rewritten, never edited in place: the new bytes go to a temp file
in the same folder, are fsynced and renamed over the old file, so a reader
sees the old file or the new one and never half of one; a crash leaves at
worst a stray temp file, which the next lock holder removes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from pathlib import Path

from ..dates import now_instant

Stamp = tuple[int, int, int]
"""(mtime in ns, size, inode): what changes whenever anyone replaces the file."""


def stamp_of(path: Path) -> Stamp | None:
    """The file's :data:`Stamp`, or None if there is no file."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def write_atomic(path: Path, payload: bytes) -> None:
    """Replace ``path`` with ``payload`` so that no reader or crash sees half of it."""
    folder = path.parent
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        previous_mtime: int | None = path.stat().st_mtime_ns
    except FileNotFoundError:
        previous_mtime = None
    import tempfile  # writers only: read commands start faster without it

    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(payload)
            temp.flush()
            if previous_mtime is not None:
                _advance_mtime(temp.fileno(), previous_mtime)
            os.fsync(temp.fileno())
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
    write_atomic(backup, path.read_bytes())
    return backup


def _temp_pattern(path: Path) -> re.Pattern[str]:
    """The names ``write_atomic`` gives its temp files for ``path`` and for its backups."""
    return re.compile(rf"\.{re.escape(path.name)}\.(?:\d{{8}}T\d{{6}}(?:-\d+)?\.bak\.)?[a-z0-9_]{{8}}\.tmp")


def remove_stale_temps(path: Path) -> list[Path]:
    """Delete temp files a killed writer left beside ``path``. Call only while holding its lock:
    only a lock holder makes them, so any found then is stale."""
    pattern = _temp_pattern(path)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed
