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


class TimelineStrip(Widget):
    """One tick per change date, in order; years labelled underneath. Click a tick to go there.

    Ticks are spaced by order, not by time: stepping with [ and ] then always
    moves the marker, and the year labels show where in time the activity is.
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

    def show(self, dates: Sequence[str], as_of: str, compare: str | None) -> None:
        self._dates, self._as_of, self._compare = dates, as_of, compare
        self.refresh()

    def _column(self, index: int, width: int) -> int:
        count = len(self._dates)
        if count <= 1:
            return 0
        return index * (width - 1) // (count - 1)

    def render(self) -> Text:
        width = self.content_region.width or self.size.width
        if not self._dates:
            return Text("no statements yet: press a to add one", style="dim")
        ticks = [" "] * width
        styles: list[str] = [""] * width
        for index in range(len(self._dates)):
            column = self._column(index, width)
            ticks[column], styles[column] = "│", "dim"
        if self._compare is not None:
            at = in_effect(self._dates, self._compare)
            if at >= 0:
                column = self._column(at, width)
                ticks[column], styles[column] = "◆", "bold"
        current = in_effect(self._dates, self._as_of)
        marker = self._column(current, width) if current >= 0 else 0
        ticks[marker], styles[marker] = "▼" if current >= 0 else "◀", "bold reverse"
        line = Text(end="")
        for tick, style in zip(ticks, styles, strict=True):
            line.append(tick, style=style)
        return line + Text("\n") + self._labels(width, marker)

    def _labels(self, width: int, marker: int) -> Text:
        """The as-of date under the marker, then each year's first tick where there is room."""
        cells = [" "] * width
        taken = [False] * width

        def place(label: str, start: int) -> bool:
            start = max(0, min(start, width - len(label)))
            span = range(max(0, start - 1), min(width, start + len(label) + 1))
            if any(taken[n] for n in span):
                return False
            for n, char in enumerate(label):
                cells[start + n] = char
            for n in range(start, start + len(label)):
                taken[n] = True
            return True

        place(self._as_of, marker - len(self._as_of) // 2)
        year = ""
        for index, day in enumerate(self._dates):
            if day[:4] != year:
                year = day[:4]
                place(year, self._column(index, width))
        text = Text("".join(cells), style="dim", end="")
        start = max(0, min(marker - len(self._as_of) // 2, width - len(self._as_of)))
        if "".join(cells[start : start + len(self._as_of)]) == self._as_of:
            text.stylize("bold not dim", start, start + len(self._as_of))
        return text

    def on_click(self, event: events.Click) -> None:
        if not self._dates:
            return
        offset = event.get_content_offset(self)
        if offset is None:
            return
        width = self.content_region.width
        nearest = min(range(len(self._dates)), key=lambda n: abs(self._column(n, width) - offset.x))
        self.post_message(self.Picked(self._dates[nearest]))
