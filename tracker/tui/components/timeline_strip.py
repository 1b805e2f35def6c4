"""The strip of change dates above the matrix, with the as-of and compare dates marked."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget


def in_effect(dates: Sequence[str], day: str) -> int:
    """Index of the last change on or before ``day`` (-1 if ``day`` is before them all)."""
    return bisect_right(dates, day) - 1


def column(index: int, count: int, width: int) -> int:
    """Where the ``index``-th of ``count`` change dates sits on a strip ``width`` wide."""
    return index * (width - 1) // (count - 1) if count > 1 else 0


class TimelineStrip(Widget):
    """One tick per change date, in order; years labelled underneath. Click a tick to go there.

    Ticks are spaced by order, not by time: stepping with [ and ] then always
    moves the marker, and the year labels show where in time the activity is.
    The ticks and year labels are laid out once per width; a step only moves
    the markers.
    """

    DEFAULT_CSS = """
    TimelineStrip { height: 2; padding: 0 1; }
    """

    class Picked(Message):
        """The analyst clicked a change date."""

        def __init__(self, day: str) -> None:
            super().__init__()
            self.day = day

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._dates: Sequence[str] = ()
        self._as_of = ""
        self._compare: str | None = None
        self._laid_out: tuple[int, int, str] = (0, 0, "")
        self._ticks = ""
        self._years: list[tuple[int, str]] = []

    def show(self, dates: Sequence[str], as_of: str, compare: str | None) -> None:
        self._dates, self._as_of, self._compare = dates, as_of, compare
        self.refresh()

    def _layout(self, width: int) -> None:
        count = len(self._dates)
        if self._laid_out == (width, count, self._dates[-1]):
            return
        ticks = [" "] * width
        self._years = []
        for index, day in enumerate(self._dates):
            ticks[column(index, count, width)] = "│"
            if not self._years or self._years[-1][1] != day[:4]:
                self._years.append((column(index, count, width), day[:4]))
        self._ticks = "".join(ticks)
        self._laid_out = (width, count, self._dates[-1])

    def render(self) -> Text:
        width = self.content_region.width
        if not self._dates or width < 2:
            return Text("no statements yet: press a to add one", style="dim")
        self._layout(width)
        count = len(self._dates)
        line = Text(self._ticks, style="dim", end="")
        if self._compare is not None and (at := in_effect(self._dates, self._compare)) >= 0:
            where = column(at, count, width)
            line.stylize("bold not dim", where, where + 1)
            line = line[:where] + Text("◆", style="bold") + line[where + 1 :]
        current = in_effect(self._dates, self._as_of)
        marker = column(current, count, width) if current >= 0 else 0
        line = line[:marker] + Text("▼" if current >= 0 else "◀", style="bold reverse") + line[marker + 1 :]
        return line + Text("\n") + self._labels(width, marker)

    def _labels(self, width: int, marker: int) -> Text:
        """The as-of date under the marker, then each year's first tick where there is room."""
        cells = [" "] * width
        taken = [False] * width

        def place(label: str, start: int) -> int | None:
            start = max(0, min(start, width - len(label)))
            if any(taken[max(0, start - 1) : start + len(label) + 1]):
                return None
            cells[start : start + len(label)] = label
            taken[start : start + len(label)] = [True] * len(label)
            return start

        at = place(self._as_of, marker - len(self._as_of) // 2)
        for where, year in self._years:
            place(year, where)
        text = Text("".join(cells)[:width], style="dim", end="")
        if at is not None:
            text.stylize("bold not dim", at, at + len(self._as_of))
        return text

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not self._dates:
            return
        count, width = len(self._dates), self.content_region.width
        # ticks are evenly spaced, so the nearest is a division away
        nearest = round(offset.x * (count - 1) / max(width - 1, 1)) if count > 1 else 0
        self.post_message(self.Picked(self._dates[max(0, min(nearest, count - 1))]))
