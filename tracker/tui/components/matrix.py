"""The matrix: a row per party, a column per issue, a cell per position."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import DataTable

from ...model import Cell, Change, Issue, Party
from ...render import stance_color
from ...timeline import CellKey

MIN_WIDTH = 10
"""Narrowest issue column: below this labels are unreadable, so the table scrolls instead."""

MOVES = {"new": "+ new", "withdrawn": "× withdrawn"}


def scale_marks(score: int, steps: int) -> str:
    """The stance's place on its scale (``··●··``), so position reads without colour."""
    return "".join("●" if n == score else "·" for n in range(steps))


def arrow(shift: int | None) -> str:
    """Which way along the scale: right is toward the high-score pole, as the marks run."""
    if not shift:
        return "="
    return "▶" if shift > 0 else "◀"


def change_line(change: Change) -> Text:
    """Old → new for one cell, as the compare line under it."""
    if change.kind == "changed" and change.before is not None:
        line = Text(f"{arrow(change.shift)} from {change.before.stance.label}", style="bold")
        if change.movement:
            line.append(f" ({change.movement})", style="italic")
        return line
    if change.kind == "withdrawn" and change.before is not None:
        return Text(f"× was {change.before.stance.label}", style="bold")
    return Text(MOVES.get(change.kind, change.kind), style="bold")


def cell_text(cell: Cell | None, change: Change | None, issue: Issue, *, compare: bool) -> Text:
    """What one cell shows: stance, place on the scale, version, grade, date, and any move."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    if change is not None:
        text.append("◆ ", style="bold reverse")
    if cell is None:
        text.append("no position", style="dim italic")
        text.append("\n\n")
    else:
        text.append(cell.stance.label, style=f"bold {stance_color(cell.stance, issue)}")
        text.append(f"\nv{cell.version}" + (f" {cell.statement.grade}" if cell.statement.grade else "") + " ")
        text.append(scale_marks(cell.stance.score, len(issue.scale)), style=stance_color(cell.stance, issue))
        text.append(f"\n{cell.statement.stated_on}", style="dim")
    if compare:
        text.append("\n")
        if change is not None:
            text.append_text(change_line(change))
    return text


def _fingerprint(cell: Cell | None, change: Change | None) -> tuple[object, ...]:
    """Enough to tell whether a cell must be redrawn, without comparing whole paths."""
    shown = (cell.statement.id, cell.statement.rev, cell.version) if cell else None
    if change is None:
        return (shown,)
    before = change.before.statement.id if change.before else None
    return (shown, change.kind, before, change.movement)


class MatrixTable(DataTable[Text]):
    """Parties down, issues across; only cells whose content changed are redrawn."""

    class Moved(Message):
        """The cursor is on another cell."""

        def __init__(self, party: str, issue: str) -> None:
            super().__init__()
            self.party = party
            self.issue = issue

    class Opened(Message):
        """The analyst asked for a cell's history (enter or click)."""

        def __init__(self, party: str, issue: str) -> None:
            super().__init__()
            self.party = party
            self.issue = issue

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", zebra_stripes=True, show_row_labels=True)
        self._parties: tuple[Party, ...] = ()
        self._issues: tuple[Issue, ...] = ()
        self._compare = False
        self._cells: Mapping[CellKey, Cell] = {}
        self._changes: Mapping[CellKey, Change] = {}
        self._shown: dict[CellKey, tuple[object, ...]] = {}
        self._width = 0

    @property
    def cursor_key(self) -> CellKey | None:
        """(party, issue) under the cursor, or None when the table is empty."""
        if not self._parties or not self._issues or not self.is_valid_coordinate(self.cursor_coordinate):
            return None
        row, column = self.coordinate_to_cell_key(self.cursor_coordinate)
        return (str(row.value), str(column.value))

    def move_to(self, party: str, issue: str) -> None:
        """Put the cursor on a cell if it is shown."""
        try:
            row, column = self.get_row_index(party), self.get_column_index(issue)
        except Exception:  # the cell is filtered out: leave the cursor where it is
            return
        self.move_cursor(row=row, column=column, animate=False)

    def show(
        self,
        parties: Sequence[Party],
        issues: Sequence[Issue],
        cells: Mapping[CellKey, Cell],
        changes: Mapping[CellKey, Change],
        *,
        compare: bool,
    ) -> None:
        """Display these cells; rebuild only if the rows or columns changed, else redraw changed cells."""
        self._cells, self._changes = cells, changes
        if tuple(parties) != self._parties or tuple(issues) != self._issues or compare != self._compare:
            self._parties, self._issues, self._compare = tuple(parties), tuple(issues), compare
            self._rebuild()
            return
        for party in self._parties:
            for issue in self._issues:
                key = (party.id, issue.id)
                if self._shown.get(key) != _fingerprint(cells.get(key), changes.get(key)):
                    self.update_cell(party.id, issue.id, self._cell_for(party, issue))

    def _cell_for(self, party: Party, issue: Issue) -> Text:
        key = (party.id, issue.id)
        cell, change = self._cells.get(key), self._changes.get(key)
        self._shown[key] = _fingerprint(cell, change)
        return cell_text(cell, change, issue, compare=self._compare)

    def _column_width(self) -> int:
        """Share the width out between the issues, so a table of a few issues fills the screen."""
        label = max((len(p.name) for p in self._parties), default=0) + 2
        scrollbar = (
            self.scrollbar_size_vertical if 1 + self._row_height() * len(self._parties) > self.size.height else 0
        )
        spare = self.size.width - label - scrollbar - 2 * self.cell_padding * len(self._issues)
        return max(MIN_WIDTH, spare // max(len(self._issues), 1))

    def _row_height(self) -> int:
        return 4 if self._compare else 3

    def _rebuild(self) -> None:
        where = self.cursor_key
        self.clear(columns=True)
        self._shown.clear()
        self._width = self._column_width()
        for issue in self._issues:
            self.add_column(Text(issue.name, style="bold"), key=issue.id, width=self._width)
        height = self._row_height()
        for party in self._parties:
            name = Text(party.name, style=f"bold {party.color}" if party.color else "bold")
            self.add_row(*(self._cell_for(party, i) for i in self._issues), key=party.id, label=name, height=height)
        if where is not None:
            self.move_to(*where)

    def on_resize(self, event: events.Resize) -> None:
        if self._issues and self._column_width() != self._width:  # the shares change with the width
            self._rebuild()

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        event.stop()
        self.post_message(self.Moved(str(event.cell_key.row_key.value), str(event.cell_key.column_key.value)))

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.post_message(self.Opened(str(event.cell_key.row_key.value), str(event.cell_key.column_key.value)))
