"""Child process for the dashboard rows of the benchmark: ``dashboard_probe.py STORE STEPS``.

Opens the store and starts ``TrackerApp`` headless with ``App.run_test``, as
``tracker tui`` would (as of today), under the same gc policies: the command
line's while the store is first read, the dashboard's from the app on. The
probe wraps the app's ``_display``, which Textual calls with each screen
update it has composed (headless, it writes nothing, but every line of the
update has been rendered by then).

- First paint: at the first update after which the matrix shows parties and
  has rendered cell lines, the probe prints ``painted``; the parent
  timestamps that line, so the row measures process start to first paint.
- ``]``: the as-of date is moved to the first change date, then ``]`` is
  pressed STEPS times through Pilot. A step's latency runs from just before
  the key is sent to the first screen update composed after the app moved to
  the next date. Pilot's own waits (it sleeps in 20 ms slices until the
  process is idle) come after that update and are not counted.

It prints ``steps [seconds, ...]``.

``dashboard_probe.py STORE reload TRACKER ARGS...`` measures a reload instead:
after the first paint it runs ``TRACKER ARGS`` (a ``tracker add`` on STORE, a
real process), and times the first screen update composed after the app has
reloaded, from the moment that process has exited (a thread waits for it, so
the moment does not wait for the app's loop) and from the moment the app's
poll started the reload. The update may come before the exit: the writer lets
go of the lock, and the dashboard reloads, while its process is still tearing
down its heap (0.4-0.8 s at 100,000 statements). It counts the parses of the
file meanwhile (the reload must load the index cache the writer left), checks
that the matrix shows the new statement, and prints
``reload {"after_exit": s, "from_poll": s, "parsed": n, "peak_kib": n}``: its
own peak RSS, as the parent's ``wait4`` would report the add's (a child's
usage includes its waited-for children: 780 MB at 100,000 statements).
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import threading
import time
from typing import Any

from tracker import gcpolicy
from tracker.store import Store


def _painted(app: Any) -> bool:
    """The matrix shows parties and has rendered (and cached) the lines of its cells."""
    from tracker.tui.components.matrix import MatrixTable

    try:
        table = app.query_one(MatrixTable)
    except Exception:  # not composed yet
        return False
    return bool(table.parties) and bool(getattr(table, "_strips", True))


async def probe(path: str, steps: int) -> None:
    from tracker.tui.app import TrackerApp  # Textual loads only in this child
    from tracker.tui.session import Session

    gcpolicy.command_line()  # as cli.run does
    store = Store(path)
    gcpolicy.dashboard()  # as tui.run does
    app = TrackerApp(Session(store))
    updates: list[tuple[float, str]] = []
    painted = False
    display = app._display

    def timed_display(screen: Any, renderable: Any) -> None:
        nonlocal painted
        display(screen, renderable)
        if renderable is None:
            return
        if not painted and _painted(app):
            painted = True
            sys.stdout.write("painted\n")
            sys.stdout.flush()
        updates.append((time.perf_counter(), app.as_of))

    app._display = timed_display  # type: ignore[method-assign]
    async with app.run_test(size=(200, 60)) as pilot:
        while not painted:
            await pilot.pause()
        app.set_as_of(app.change_dates[0])
        await pilot.pause()
        latencies: list[float] = []
        for _ in range(min(steps, len(app.change_dates) - 1)):
            start = time.perf_counter()
            await pilot.press("]")
            while True:
                shown = [t for t, day in updates if t > start and day == app.as_of]
                if shown:
                    break
                await pilot.pause()
            latencies.append(shown[0] - start)
        sys.stdout.write("steps " + json.dumps(latencies) + "\n")
        sys.stdout.flush()


async def reload_probe(path: str, add: list[str]) -> None:
    from tracker.storage import tinydb_adapter
    from tracker.storage.schema import parse_tables
    from tracker.tui.app import TrackerApp
    from tracker.tui.session import Session

    party, issue = add[add.index("--party") + 1], add[add.index("--issue") + 1]
    gcpolicy.command_line()
    store = Store(path)
    gcpolicy.dashboard()
    app = TrackerApp(Session(store))
    updates: list[tuple[float, int]] = []
    """(when, the generation of the snapshot shown) of each screen update."""
    reloads: list[float] = []
    """When each reload started."""
    painted = False
    display, reload = app._display, app.reload

    def timed_display(screen: Any, renderable: Any) -> None:
        nonlocal painted
        display(screen, renderable)
        if renderable is not None:
            painted = painted or _painted(app)
            updates.append((time.perf_counter(), app.snapshot.generation))

    def timed_reload(*, announce: bool = False) -> None:
        reloads.append(time.perf_counter())
        reload(announce=announce)

    app._display = timed_display  # type: ignore[method-assign]
    app.reload = timed_reload  # type: ignore[method-assign]
    parsed = [0]

    def counted(*args: Any, **kwargs: Any) -> Any:
        """The storage's parse of the whole file, counted (the reload must not need it)."""
        parsed[0] += 1
        return parse_tables(*args, **kwargs)

    async with app.run_test(size=(200, 60)) as pilot:
        while not painted:
            await pilot.pause()
        await pilot.pause()
        sys.stdout.write("painted\n")
        sys.stdout.flush()
        shown = app.snapshot.generation
        tinydb_adapter.parse_tables = counted  # type: ignore[attr-defined]
        exited: list[float] = []
        writer = subprocess.Popen(add, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)

        def wait() -> None:
            writer.wait()
            exited.append(time.perf_counter())

        waiter = threading.Thread(target=wait)
        waiter.start()
        while not exited or not [t for t, generation in updates if generation != shown]:
            await pilot.pause()
        waiter.join()
        out, err = writer.communicate()
        if writer.returncode != 0:
            raise SystemExit(f"the add failed: {err.decode(errors='replace').strip()}")
        new_id = out.decode().strip()
        cell = app.timeline.cell(party, issue, app.as_of)
        if cell is None or new_id not in {c.statement.id for c in (cell, *cell.conflicts)}:
            raise SystemExit(f"the dashboard reloaded but does not show {new_id} in {party} · {issue}")
        update = next(t for t, generation in updates if generation != shown)
        started = max(t for t in reloads if t <= update)
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not the add's: wait4 would count the child too
        found = {"after_exit": update - exited[0], "from_poll": update - started, "parsed": parsed[0], "peak_kib": own}
        sys.stdout.write("reload " + json.dumps(found) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    if sys.argv[2] == "reload":
        asyncio.run(reload_probe(sys.argv[1], sys.argv[3:]))
    else:
        asyncio.run(probe(sys.argv[1], int(sys.argv[2])))
