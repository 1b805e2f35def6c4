"""Index caches written in a child process, beside the command's own work: the command line's choice.

At 100,000 statements a read without a cache spends ~0.8 s indexing, dumping and
writing the cache for the next process, while its own matrix or log takes ~0.5 s:
side by side, on two cores, the command takes the longer of the two instead of
their sum. Only the entry point turns it on (``cli.run``, as it decides the gc
policy), and waits for the children before the process exits, so a command still
ends with its cache written. A library user (a test, the dashboard, whose
threads make forking unsafe) writes in line. Stdlib only: ``tracker --help``
imports this and nothing of the store.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable

_aside = False
"""Whether :func:`run_aside` may fork: set by :func:`write_aside`."""
_writers: list[int] = []
"""The children writing a cache, waited for by :func:`wait_for_writers`."""


def write_aside() -> None:
    """Let :func:`run_aside` run its work in a child process (the command line calls this)."""
    global _aside
    _aside = True


def run_aside(work: Callable[[], None]) -> None:
    """``work()`` in a child process if :func:`write_aside` allowed it and forking is safe here (POSIX,
    one thread), else now. The child's output goes nowhere, and it leaves without the parent's exit
    handlers; a failure in it only leaves the cache unwritten."""
    fork = getattr(os, "fork", None)
    if not (_aside and fork is not None and threading.active_count() == 1):
        work()
        return
    try:
        child = fork()
    except OSError:  # no memory for a child, or too many processes: in line, then
        work()
        return
    if child:
        _writers.append(child)
        return
    code = 0
    try:
        quiet = os.open(os.devnull, os.O_RDWR)
        for descriptor in (0, 1, 2):
            os.dup2(quiet, descriptor)
        work()
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def wait_for_writers() -> None:
    """Wait for every child :func:`run_aside` started: its work is done (or given up) when this returns."""
    while _writers:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(_writers.pop(), 0)
