"""Child processes for the reliability tests, run as ``python workers.py MODE PATH [ARGS]``.

Each is a real, separate process using the Store API, so that locks, renames
and SIGKILL behave as they do for an analyst. A worker prints one line per
event and flushes at once, so that the parent knows exactly which ``add``
calls had returned when it killed the worker.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from tracker.store import Store

PARTIES = ("russia", "ukraine", "usa", "europe")


def fields(tag: str, n: int) -> dict[str, Any]:
    """A valid statement; the summary says which worker and which call made it."""
    return {
        "party": PARTIES[n % len(PARTIES)],
        "issue": "ceasefire",
        "stance": "conditional",
        "stated_on": f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}",
        "summary": f"{tag} {n}",
        "quote": "q" * 200,
        "speaker": tag,
        "grade": "B2",
    }


def say(*words: object) -> None:
    sys.stdout.write(" ".join(map(str, words)) + "\n")
    sys.stdout.flush()


def add(path: Path, count: int, tag: str) -> None:
    """Add ``count`` statements (forever if count < 0), printing each id once ``add`` has returned."""
    store = Store(path)
    say("ready", os.getpid())
    n = 0
    while count < 0 or n < count:
        statement = store.add(fields(tag, n))
        say("added", statement.id)
        n += 1


def correct(path: Path, statement_id: str, count: int, tag: str) -> None:
    """Correct one statement ``count`` times: every correction must become its own revision."""
    store = Store(path)
    for n in range(count):
        revision = store.correct(statement_id, {"note": f"{tag} {n}"}, reason=f"{tag} {n}")
        say("corrected", revision.id, revision.rev)


def hold(path: Path, seconds: float) -> None:
    """Hold the write lock for ``seconds``, like a slow writer."""
    store = Store(path)
    with store.writing():
        say("holding", os.getpid())
        time.sleep(seconds)
    say("released")


def read(path: Path, seconds: float) -> None:
    """Read the file over and over while others write: it must always parse, and never shrink."""
    deadline = time.monotonic() + seconds
    reads, last, problems = 0, 0, []
    store = Store(path)
    while time.monotonic() < deadline:
        try:
            raw = path.read_bytes()
            count = len(orjson.loads(raw)["statements"])
            store.reload_if_changed()
            seen = len(store.revisions())
        except Exception as error:  # the test reports whatever went wrong
            problems.append(f"{type(error).__name__}: {error}")
            continue
        if count < last or seen < last:
            problems.append(f"went back from {last} to {min(count, seen)} statements")
        last = max(last, count, seen)
        reads += 1
    say(orjson.dumps({"reads": reads, "last": last, "problems": problems[:5]}).decode())


def stall(path: Path, where: str, action: list[str]) -> None:
    """Add one statement but stop for good at ``where`` inside the write, so the parent can kill us there."""
    patched: Any = os  # the store calls os.fsync, os.fdopen and os.replace: stall one of them

    def stop(*_: object) -> None:
        say("stalled", where)
        time.sleep(3600)

    if where == "fsync":  # the temp file is written, not yet synced or renamed
        real_fsync = os.fsync

        def fsync(fd: int) -> None:
            if os.fstat(fd).st_size > 0 and not os.path.isdir(f"/proc/self/fd/{fd}"):
                stop()
            real_fsync(fd)

        patched.fsync = fsync
    elif where == "half-written":  # half the bytes are in the temp file
        real_fdopen = os.fdopen

        class Half:
            def __init__(self, handle: Any) -> None:
                self.handle = handle

            def __enter__(self) -> Half:
                return self

            def __exit__(self, *_: object) -> None:
                self.handle.close()

            def write(self, payload: bytes) -> None:
                self.handle.write(payload[: len(payload) // 2])
                self.handle.flush()
                stop()

            def __getattr__(self, name: str) -> Any:
                return getattr(self.handle, name)

        patched.fdopen = lambda fd, *a, **k: Half(real_fdopen(fd, *a, **k))
    elif where.startswith("replace"):  # "replace:N": the Nth temp file is complete and synced, not yet renamed
        real_replace, calls = os.replace, [0]
        nth = int(where.partition(":")[2] or 1)

        def replace(source: str, target: str) -> None:
            calls[0] += not str(target).endswith(".idx")  # the store's temp files, not its index cache's
            if calls[0] == nth and not str(target).endswith(".idx"):
                stop()
            real_replace(source, target)

        patched.replace = replace
    else:
        raise SystemExit(f"unknown stall point {where!r}")
    store = Store(path)
    say("ready", os.getpid())
    if action[:1] == ["accept"]:  # accept CANDIDATE_ID: the statement and the candidate's status, one block
        from tracker.ingest import inbox

        inbox.accept(store, action[1], stance="not-now")
    else:
        store.add(fields("stalled", 0))
    say("added-unexpectedly")


def pause(path: Path, n: int) -> None:
    """Add ``fields("paused", n)``, pausing inside the write between replacing the store file and leaving its
    index cache (the lock still held) until the parent sends SIGUSR1; print the id once the add returned."""
    from tracker.storage import index_cache

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})  # a signal sent early waits for sigwait
    save = index_cache.save

    def paused(store: Path, parts: Any) -> None:
        say("paused")
        signal.sigwait({signal.SIGUSR1})
        save(store, parts)

    store = Store(path)  # opened first: a reader that finds no cache writes one, and that is not the pause
    index_cache.save = paused
    statement = store.add(fields("paused", n))
    say("added", statement.id)


def drop_root_file_powers() -> None:
    """As root, give up the capabilities that ignore file permissions (DAC override, read-search, fowner),
    so that a read-only folder is read-only for this process as it is for an analyst."""
    if os.geteuid() != 0:
        return
    import ctypes

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    libc = ctypes.CDLL(None, use_errno=True)
    header, data = Header(0x20080522, 0), (Data * 2)()  # _LINUX_CAPABILITY_VERSION_3
    if libc.capget(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    keep = ~((1 << 1) | (1 << 2) | (1 << 3)) & 0xFFFFFFFF
    for field in ("effective", "permitted", "inheritable"):
        setattr(data[0], field, getattr(data[0], field) & keep)
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def main(argv: list[str]) -> None:
    if argv[0] == "unprivileged":  # unprivileged ARGS...: the tracker command line, without root's file powers
        drop_root_file_powers()
        if argv[1:2] == ["probe"]:  # can we still write into this folder?
            try:
                Path(argv[2], "probe").write_text("x")
            except PermissionError:
                raise SystemExit(0) from None
            raise SystemExit("the folder is still writable")
        from tracker.cli import run

        sys.argv = ["tracker", *argv[1:]]
        run()
        return
    mode, path = argv[0], Path(argv[1])
    if mode == "add":
        add(path, int(argv[2]), argv[3])
    elif mode == "correct":
        correct(path, argv[2], int(argv[3]), argv[4])
    elif mode == "hold":
        hold(path, float(argv[2]))
    elif mode == "read":
        read(path, float(argv[2]))
    elif mode == "stall":
        stall(path, argv[2], argv[3:])
    elif mode == "pause":
        pause(path, int(argv[2]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
