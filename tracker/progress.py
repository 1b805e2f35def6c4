"""Long work shown on the terminal: one Rich progress display, on stderr, for every command that needs one.

``pull`` (its feeds and articles) and ``import``, ``export`` and ``restore``
(their steps) draw their bars with :func:`bars`, so that all of them go to
stderr, vanish when done, and stay off anything that is not a terminal: a
pipe, a file, a cron job's mail. The core never sees Rich: it takes an
``on_progress(done, total)`` callback (:data:`OnProgress`), and this module
makes one.

Checked before Rich is imported (:func:`wanted`), so that a command run
with ``--quiet`` or with stderr redirected pays nothing for it at start-up.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from rich.progress import Progress, ProgressColumn, TaskID

T = TypeVar("T")

OnProgress = Callable[[int, int | None], None]
"""What long work in the core reports to: how much is done, of how much (None: not known, as for a pipe)."""

INTERVAL = 0.1
"""Seconds between two updates of a step's bar: the display refreshes ten times a second anyway, and
each update costs a lock and a sample, so a file read in 3,600 chunks costs a few hundred updates."""


def wanted(quiet: bool) -> bool:
    """Whether to show progress at all: not with ``--quiet``, and only when stderr is a terminal."""
    if quiet:
        return False
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def bars(*columns: str | ProgressColumn, quiet: bool = False) -> Progress:
    """A transient Rich progress display on stderr with ``columns``, disabled with ``quiet`` and unless
    stderr is a terminal.

    Rich's own test is kept as well as :func:`wanted`: it honours
    ``TTY_COMPATIBLE=0``, and a terminal Rich would not draw on is left alone.
    """
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True, markup=False, emoji=False, highlight=False)
    return Progress(*columns, console=console, transient=True, disable=not (wanted(quiet) and console.is_terminal))


class Steps:
    """The steps of one command (reading a file, checking it, writing the store), one at a time.

    This base shows nothing and hands the core no callback (:attr:`on_progress`
    is None), so that work run without a display does not even make the calls.
    :func:`shown` gives a :class:`_ShownSteps` when progress is :func:`wanted`.
    """

    on_progress: OnProgress | None = None
    """The callback for the current step's work, or None when nothing is shown."""

    def step(self, description: str, unit: str = "") -> None:
        """Start the next step; ``unit`` names what its counts are ("statements"; "" for bytes)."""

    def then(self, items: Iterable[T], description: str, unit: str = "") -> Iterator[T]:
        """``items``, and once the last has been taken, the next step (writing what was read)."""
        yield from items
        self.step(description, unit)


class _ShownSteps(Steps):
    """:class:`Steps` as one bar on stderr: the step's name, its bar (a pulse while the total is not
    known) and how far it is, updated at most every :data:`INTERVAL` seconds."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, TextColumn

        self._bars = bars(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[amount]}"))
        self._task: TaskID | None = None
        self._unit = ""
        self._last = 0.0
        self.on_progress = self._report

    def __enter__(self) -> _ShownSteps:
        self._bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bars.stop()

    def step(self, description: str, unit: str = "") -> None:
        # Drawn as each step ends and begins, not only at the next tick: a step shorter than a tick
        # is still seen, and the one ending shows how far it got (the whole file, or where it stopped).
        if self._task is not None:
            self._bars.refresh()
            self._bars.remove_task(self._task)
        self._unit, self._last = unit, 0.0
        self._task = self._bars.add_task(description, total=None, amount="")
        self._bars.refresh()

    def _report(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if self._task is None or (now - self._last < INTERVAL and done != total):
            return
        self._last = now
        self._bars.update(self._task, completed=done, total=total, amount=self._amount(done, total))

    def _amount(self, done: int, total: int | None) -> str:
        if self._unit:
            return f"{done:,} of {total:,} {self._unit}" if total is not None else f"{done:,} {self._unit}"
        return f"{_megabytes(done)} of {_megabytes(total)}" if total is not None else _megabytes(done)


def _megabytes(count: int) -> str:
    return f"{count / 1e6:,.1f} MB"


@contextlib.contextmanager
def shown(quiet: bool) -> Iterator[Steps]:
    """The :class:`Steps` of one command: drawn on stderr when progress is :func:`wanted`, else silent."""
    if not wanted(quiet):
        yield Steps()
        return
    with _ShownSteps() as steps:
        yield steps
