"""The line under the matrix: the highlighted cell in full (speaker, quote, the move)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from ... import describe
from ...model import Cell, Change, Issue, Party
from ...render import stance_text


def cell_summary(
    party: Party, issue: Issue, cell: Cell | None, change: Change | None, reports: Sequence[Cell] = ()
) -> Text:
    text = Text(f"{party.name} · {issue.name}: ", style="bold", end="", no_wrap=True, overflow="ellipsis")
    if cell is None:
        text.append(describe.NO_POSITION, style="italic")
    else:
        text.append_text(stance_text(cell.stance, issue))
        said = cell.statement
        text.append(f"  stated {said.stated_on}", style="dim")
        text.append(f" by {said.speaker}" if said.speaker else "")
        text.append(f"  {said.grade} {said.channel}".rstrip(), style="dim")
        if cell.evidence.value == "reported":
            text.append("  (a report, counted as the position)", style="italic")
    if cell is not None and cell.contested:
        text.append(f"\n{describe.contested_line(cell)}", style="bold")
    shown_reports = cell.reported if cell is not None else reports
    if shown_reports:
        text.append(f"\n{describe.REPORTED} {describe.reported_line(shown_reports)}", style="italic")
    if change is not None:
        text.append(f"\n{change.kind}: {describe.change_words(change)}", style="bold")
        moved = describe.direction(change, issue) if change.kind == "changed" else ""
        if moved:  # the CLI's words, bracketed as in the brief
            text.append(f" ({moved})")
    if cell is not None and (cell.statement.quote or cell.statement.summary):
        quote = cell.statement.quote
        text.append("\n" + (f"“{quote}”" if quote else cell.statement.summary), style="italic")
    return text


class CellInfo(Static):
    """Shows whatever the App tells it about the cell under the cursor."""

    DEFAULT_CSS = """
    CellInfo { height: 3; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def show(
        self, party: Party, issue: Issue, cell: Cell | None, change: Change | None, reports: Sequence[Cell] = ()
    ) -> None:
        self.update(cell_summary(party, issue, cell, change, reports), layout=False)  # fixed height: no relayout

    def say(self, message: str) -> None:
        self.update(Text(message, style="italic"), layout=False)
