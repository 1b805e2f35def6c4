"""The top line: the dataset, the as-of date, the comparison and the filter in force."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.widget import Widget


class TitleBar(Widget):
    """Where the analyst is: which record, which day, compared with which day.

    The dates always fit; the dataset title gives way when the line is short.
    """

    DEFAULT_CSS = """
    TitleBar { height: 1; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._title = ""
        self._where = Text()

    def show(self, title: str, as_of: str, *, compare: str | None, moved: int, position: str, filtered: str) -> None:
        where = Text(end="")
        where.append("as of ", style="dim")
        where.append(f"{as_of} {date.fromisoformat(as_of):%a}", style="bold reverse")
        where.append(f" {position}", style="dim")
        if compare is not None:
            where.append("  vs ", style="dim")
            where.append(compare, style="bold")
            where.append(f": {moved} moved" if moved else ": nothing moved")
        if filtered:
            where.append("  filter: ", style="dim")
            where.append(filtered)
        self._title, self._where = title, where
        self.refresh()

    def render(self) -> Text:
        room = self.content_region.width - self._where.cell_len - 2
        line = Text(self._title, style="bold", end="")
        if room < 8:
            return self._where
        line.truncate(room, overflow="ellipsis", pad=True)
        return line + Text("  ") + self._where
