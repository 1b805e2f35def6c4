"""How this process's cyclic garbage collector runs: decided by the entry point, on the main thread.

No library module (store, storage, timeline, ...) touches ``gc``; they used to
pause it and ``gc.freeze()`` after every parse, from whatever thread parsed,
so a long dashboard session froze each reload's tree for good (38,809 ->
63,354 -> 75,493 -> 88,107 frozen objects over three reloads of the demo
store). Only the entry points call this module:

- :func:`command_line` (``cli.run``): one command, then the process exits.
- :func:`dashboard` (``tui.run``): a session that may last a working day.

Measured on the 100,000-statement benchmark store (146 MB, ~850,000
containers per parse, Python 3.11, 2 cores), ``orjson.loads`` of the file
takes 0.56-0.69 s with the collector off and 1.4 s with it on; 2.9 s when the
previous tree is still alive, as during a reload: every full collection
rescans the heap as it grows. A full collection with one parsed store alive
costs 0.27-0.33 s.
"""

from __future__ import annotations

import gc
import threading

DASHBOARD_THRESHOLDS = (700, 10, 100)
"""The dashboard's collector thresholds: CPython's defaults, except that a full collection waits for
100 middle ones instead of 10. Young collections, which free the widgets' short-lived cycles, run as
often as ever, and cyclic garbage that reached the old generation still goes after at most ~700,000
net new objects (about one 100,000-statement parse). Measured on reloads at 100,000 statements
(re-parse and timeline, the old tree alive; 8-16 reloads each): median 2.3 s and one full collection
every two reloads, against 3.9 s and four full collections a reload on the defaults; 1.9 s for the
old per-parse pause-and-freeze, 1.6 s with the collector off."""

_decided: list[str] = []
"""What this process has decided so far, in order (tests read it)."""


def _on_main_thread(policy: str) -> None:
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError(f"the {policy} gc policy is decided by an entry point, on the main thread")
    _decided.append(policy)


def command_line() -> None:
    """One command: no cyclic collection for the life of the process.

    What a command builds is acyclic (the parsed JSON, statements, the
    timeline's index), and reference counting frees all of it; without the
    collector a 100,000-statement ``matrix`` parses its file in half the time.
    The cycles it never collects die with the process a few seconds later:
    measured, a ``pull`` of three feeds and three articles leaves 144 cyclic
    objects (asyncio and httpx bookkeeping), and its peak RSS does not move
    over 20 pulls in one process.
    """
    _on_main_thread("command-line")
    gc.disable()


def dashboard() -> None:
    """A long session: the collector on, the start-up heap frozen once, full collections rarer.

    Called once, when the dashboard opens (after ``cli.run`` turned the
    collector off for the store's first parse). Freezing then moves what is
    alive (the imported modules and the store just parsed) into the
    permanent generation, so no collection rescans them; it happens once, so
    the frozen count only falls from here, as reloads replace that first
    tree (reference counting frees frozen objects as usual). Later trees are
    never frozen: a session does not accumulate them.
    """
    _on_main_thread("dashboard")
    gc.freeze()
    gc.set_threshold(*DASHBOARD_THRESHOLDS)
    gc.enable()
