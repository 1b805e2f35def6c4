"""Child processes for the hardening tests (issue 12), run as ``python hardening_workers.py MODE PATH [ARGS]``.

Like workers.py: a real, separate process using the Store API, printing one
flushed line per event.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

try:
    from tracker.store import Store
except ImportError:  # the store's module may have become a package
    from tracker.storage import Store  # type: ignore[no-redef]

FIELDS = {
    "party": "russia",
    "issue": "ceasefire",
    "stance": "conditional",
    "stated_on": "2025-03-14",
    "summary": "writer A, who held the lock",
}


def say(*words: object) -> None:
    sys.stdout.write(" ".join(map(str, words)) + "\n")
    sys.stdout.flush()


def add_holding(path: Path, seconds: float) -> None:
    """Take the lock, add a statement (read and changed in memory), hold for ``seconds``, then write it.

    As a long import or a slow share does: the write lands well after the
    file was read under the lock.
    """
    store = Store(path)
    with store.writing():
        statement = store.add(FIELDS)
        say("holding", os.getpid(), statement.id)
        time.sleep(seconds)
    say("added", statement.id)


def main(argv: list[str]) -> None:
    mode, path = argv[0], Path(argv[1])
    if mode == "add-holding":
        add_holding(path, float(argv[2]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
