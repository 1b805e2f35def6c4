"""The trend plot: each party's stance on one issue over a window of days, with the as-of date marked.

Drawn by hand as Rich text rather than with a plotting library: a position is
a step on a short ordinal scale (five stances, say), not a real number, so the
plot is a grid of one row per stance and one column per slice of days, and
Rich draws it at any size with no new dependency (textual-plot would add
numpy, 73 MB installed, and ~0.15 s of import, for lines it would smooth
between steps that are not there). Each party is a letter where it comes to
hold a stance alone (``*`` where several come to hold it together) and a line
while it holds it, so the plot reads without colour too.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from ...gap import Step
from ...model import Issue, Party

SEVERAL = "*"
"""Where two or more parties take a stance in the same column."""
HOLDS, HOLD_SEVERAL = "─", "═"
"""A party holding its stance; two or more holding the same one."""
MARK, MARK_AXIS = "┊", "▲"
"""The as-of date's column, and its place on the date axis."""
LABEL_WIDTH = 14
"""The widest stance label before it is cut: the plot keeps the rest of the line."""


def letters(parties: Sequence[Party]) -> dict[str, str]:
    """A letter for each party: the first of its id or name that no party before it took ("usa" is S after
    Ukraine's U), so that the plot is read without colour."""
    taken: dict[str, str] = {}
    for party in parties:
        pool = [c.upper() for c in party.id + party.name + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c.isalpha()]
        taken[party.id] = next((c for c in pool if c not in taken.values()), "?")
    return taken


def scores_on(course: Sequence[Step], day: str) -> dict[str, int]:
    """Each party's score on ``day``: the last step on or before it (the first step if the day is earlier)."""
    at = bisect_right([step.date for step in course], day) - 1
    return dict(course[max(at, 0)].scores) if course else {}


@dataclass(frozen=True)
class Trend:
    """What the plot shows: one issue, the parties, the course of their scores, the window and the as-of date."""

    issue: Issue
    parties: tuple[Party, ...]
    course: tuple[Step, ...]
    since: str
    until: str
    as_of: str


def column_days(since: str, until: str, columns: int) -> list[str]:
    """The day each column shows: the window cut into equal slices, the first column ``since``, the last ``until``."""
    first, last = date.fromisoformat(since), date.fromisoformat(until)
    days = max((last - first).days, 0)
    if columns <= 1:
        return [until]
    return [date.fromordinal(first.toordinal() + round(days * c / (columns - 1))).isoformat() for c in range(columns)]


def mark_column(days: Sequence[str], as_of: str) -> int:
    """The column of the as-of date: the first whose slice of days reaches it (after the window: the last)."""
    return min(bisect_left(list(days), as_of), len(days) - 1)


def layout(trend: Trend, width: int) -> tuple[int, list[str], int]:
    """In ``width`` cells: the stance labels' width, the day of each column, and the as-of date's column."""
    gutter = min(max((len(s.label) for s in trend.issue.scale), default=0), LABEL_WIDTH)
    days = column_days(trend.since, trend.until, max(width - gutter - 2, 1))
    return gutter, days, mark_column(days, trend.as_of)


def plot_text(trend: Trend, width: int, *, plain: bool = False) -> Text:
    """The plot in ``width`` cells: a row per stance (the highest score on top), the date axis, the dates."""
    scale = sorted(trend.issue.scale, key=lambda s: s.score, reverse=True)
    gutter, days, mark = layout(trend, width)
    columns = len(days)
    marks = letters(trend.parties)
    colour = {p.id: ("" if plain else p.color) for p in trend.parties}
    by_column = [scores_on(trend.course, day) for day in days]
    text = Text(no_wrap=True, end="")
    for stance in scale:
        label = Text(stance.label, style="dim")
        label.truncate(gutter, overflow="ellipsis", pad=True)
        text.append_text(label)
        text.append(" │")
        for c, scores in enumerate(by_column):
            here = [p.id for p in trend.parties if scores.get(p.id) == stance.score]
            before = [p.id for p in trend.parties if c and by_column[c - 1].get(p.id) == stance.score]
            if here and here != before:  # who holds the stance changed: say who holds it now
                glyph, party = (marks[here[0]], here[0]) if len(here) == 1 else (SEVERAL, "")
            elif here:
                glyph, party = (HOLDS, here[0]) if len(here) == 1 else (HOLD_SEVERAL, "")
            else:
                glyph, party = (MARK if c == mark else " "), ""
            text.append(glyph, style=f"bold {colour.get(party, '')}".strip() if party else "dim")
        text.append("\n")
    text.append(" " * gutter + " └" + "".join(MARK_AXIS if c == mark else "─" for c in range(columns)) + "\n")
    text.append_text(date_line(trend, gutter + 2, columns, mark))
    return text


def date_line(trend: Trend, indent: int, columns: int, mark: int) -> Text:
    """The window's first and last dates at its ends, the as-of date under its mark where there is room."""
    line = [" "] * (indent + columns)
    shown = f"as of {trend.as_of}"
    at = min(max(indent + mark - len(shown) // 2, 0), len(line) - len(shown))
    ends = [(indent, trend.since), (indent + columns - len(trend.until), trend.until)]
    for start, word in ends:
        if start >= 0 and not (at - 1 < start + len(word) and start < at + len(shown) + 1):
            line[start : start + len(word)] = word
    if at >= 0:
        line[at : at + len(shown)] = shown
    text = Text("".join(line).rstrip(), style="dim")
    if at >= 0:
        text.stylize("bold", at, at + len(shown))
    return text


class TrendPlot(Widget):
    """The plot, redrawn to the widget's width whenever it is resized or given a new trend."""

    DEFAULT_CSS = """
    TrendPlot { height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.trend: Trend | None = None

    def show(self, trend: Trend) -> None:
        self.trend = trend
        self.refresh(layout=True)

    @property
    def mark(self) -> int:
        """The as-of date's column at the current width (for tests: it moves with ``[`` ``]``)."""
        if self.trend is None:
            return -1
        return layout(self.trend, self.content_region.width)[2]

    def render(self) -> Text:
        if self.trend is None:
            return Text()
        return plot_text(self.trend, self.content_region.width, plain=self.app.no_color)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.trend.issue.scale) + 2 if self.trend is not None else 0
