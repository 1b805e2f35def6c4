"""Pausing the cyclic garbage collector while a large, acyclic structure is built.

Parsing a 150 MB store allocates millions of dicts, lists and strings, and then
the index builds a hundred thousand statements. With the collector on, CPython
re-scans the ever-growing heap at every generation-2 threshold: measured at
100,000 statements, ``orjson.loads`` takes 1.1-2.1 s with it and 0.55 s
without (benchmarks/README.md). JSON trees and statements hold no reference
cycles, so nothing is lost by not looking for cycles while they are built;
reference counting still frees everything, and the collector's previous state
is restored afterwards.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block; then what it built is frozen, and the state restored.

    Freezing (``gc.freeze``) moves every object alive into the collector's
    permanent generation. Without it, the first collection after the block
    scans every object the block allocated (0.16 s after parsing 100,000
    statements). The cost: an object alive at that moment that later becomes
    part of unreachable reference cycle is not reclaimed; stores hold no
    cycles, and whatever else is alive then (modules, the app) lives on anyway.
    Reference counting frees frozen objects as usual (an old store's tables
    when the file is re-read).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
