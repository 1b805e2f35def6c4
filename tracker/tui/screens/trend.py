"""``t``: one issue's trend, each party's stance over time with the as-of date marked, stepping like the matrix.

The app computes the trend (``tracker.gap.steps`` over the session's timeline,
the numbers ``tracker gap`` prints) and pushes it in; ``[`` ``]`` ask the app to
step the as-of date, which moves the matrix beneath and the mark here alike.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...gap import number, spread
from ...render import Plain
from ..components.trend_plot import Trend, TrendPlot, letters, scores_on

WINDOW_DAYS = 90
"""The window the view opens on: the quarter before the record's last change, as ``tracker gap`` looks back."""


def window(change_dates: list[str], as_of: str) -> tuple[str, str]:
    """The days plotted: the quarter up to the record's last change, reaching back to the as-of date if earlier.

    The end stays put while ``[`` ``]`` step, so the mark moves along the axis;
    an as-of date after the last change is marked at the right edge, where
    every position still stands as it did then.
    """
    last = change_dates[-1] if change_dates else as_of
    start = (date.fromisoformat(last) - timedelta(days=WINDOW_DAYS)).isoformat()
    return min(start, as_of), last


class TrendScreen(Screen[None]):
    """One issue's trend among the parties the matrix shows; the App fills it and refreshes it on every step."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,t", "app.pop_screen", "Back", tooltip="Back to the matrix"),
        Binding("left_square_bracket", "step(-1)", "Prev", tooltip="Step the as-of date back: the mark moves"),
        Binding("right_square_bracket", "step(1)", "Next", tooltip="Step the as-of date on: the mark moves"),
    ]
    HELP_TITLE = "An issue's trend (t on the matrix)"

    class Step(Message):
        """The analyst stepped the as-of date (-1 back, 1 on)."""

        def __init__(self, direction: int) -> None:
            super().__init__()
            self.direction = direction

    def __init__(self, trend: Trend) -> None:
        super().__init__()
        self.trend = trend

    @property
    def issue_id(self) -> str:
        return self.trend.issue.id

    def compose(self) -> ComposeResult:
        yield Static(id="trend-title")
        yield TrendPlot(id="trend-plot")
        yield Static(id="trend-readout")
        yield Footer()

    def on_mount(self) -> None:
        self.show(self.trend)

    def show(self, trend: Trend) -> None:
        """Plot this trend and say where each party stands on its as-of date."""
        self.trend = trend
        issue, scores = trend.issue, scores_on(trend.course, trend.as_of)
        title = Plain(issue.name, style="bold")
        title.append(f" · spread {number(spread(issue, scores))} as of {trend.as_of}", style="bold")
        title.append(f"  {trend.since} → {trend.until}", style="dim")
        if issue.question:
            title.append(f"\n{issue.question}", style="italic")
        self.query_one("#trend-title", Static).update(title)
        self.query_one(TrendPlot).show(trend)
        self.query_one("#trend-readout", Static).update(self.readout(scores))

    def readout(self, scores: dict[str, int]) -> Text:
        """Each party's letter, name and stance on the as-of date, and how to read the plot."""
        marks = letters(self.trend.parties)
        by_score = {s.score: s.label for s in self.trend.issue.scale}
        text = Text(end="")
        for party in self.trend.parties:
            colour = "" if self.app.no_color else party.color
            text.append(f"{marks[party.id]} ", style=f"bold {colour}".strip())
            text.append(party.name)
            score = scores.get(party.id)
            text.append(f": {by_score.get(score, '?')}" if score is not None else ": no position", style="dim")
            text.append("\n")
        text.append("letter: takes the stance · ─ holds it · * ═ several · ┊ ▲ the as-of date", style="dim")
        return text

    def action_step(self, direction: int) -> None:
        self.post_message(self.Step(direction))
