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
"""

from __future__ import annotations

import asyncio
import json
import sys
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


if __name__ == "__main__":
    asyncio.run(probe(sys.argv[1], int(sys.argv[2])))
