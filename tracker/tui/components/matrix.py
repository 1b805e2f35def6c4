"""The matrix: a row per party, a column per issue, a cell per position.

A Line API widget rather than a DataTable: each cell is rendered once into
strips and kept until its content or the column width changes, so a step in
time re-renders only the cells that moved, and a screen line is a join of
cached strips for the columns in view. (DataTable re-renders every visible
cell on any update: 350 ms a step on a 20 × 25 matrix.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ... import describe, gap
from ...model import Cell, Change, Issue, Party
from ...palette import stance_color
from ...render import fitted_lines
from ...timeline import CellKey

MIN_WIDTH = 11
"""Narrowest issue column: below this labels are unreadable, so the matrix scrolls instead."""
PADDING = 1
"""Blank columns either side of a cell's text."""


def change_line(change: Change) -> Text:
    """Old → new for one cell, as the compare line under it: the move in bold, the way in italics."""
    move, way = describe.compact_change(change)
    line = Text(move, style="bold")
    if way:
        line.append(f" ({way})", style="italic")
    return line


def cell_text(
    cell: Cell | None,
    change: Change | None,
    issue: Issue,
    *,
    compare: bool,
    plain: bool = False,
    reports: Sequence[Cell] = (),
) -> Text:
    """What one cell shows: stance, place on the scale, which position it is (4th), grade, date, any move, any report.

    A contested cell's label is marked ⚑; reports newer than the position (or,
    for a cell with no position, the reports alone) take a line marked ?: never
    the position. ``plain`` (NO_COLOR) leaves the palette out: greyed, it would
    only dim the label; the scale marks carry the position instead.
    """
    text = Text(end="")
    if change is not None:
        text.append("◆ ", style="bold reverse")
    if cell is None:
        text.append(describe.NO_POSITION, style="dim italic")
        text.append("\n\n")
    else:
        color = "" if plain else stance_color(cell.stance, issue)
        if cell.contested:
            text.append(f"{describe.CONTESTED} ", style="bold")
        text.append(cell.stance.label, style=f"bold {color}".strip())
        text.append("\n" + describe.scale_marks(cell.stance.score, len(issue.scale)), style=color)
        text.append(" " + describe.position_grade(cell, " "))  # "4th A1": the cell is narrow
        text.append(f"\n{cell.statement.stated_on}", style="dim")
    if compare:
        text.append("\n")
        if change is not None:
            text.append_text(change_line(change))
    shown_reports = cell.reported if cell is not None else reports
    if shown_reports:
        text.append(f"\n{describe.REPORTED} {describe.report_words(shown_reports[0])}", style="italic")
    if cell is not None and cell.statement.speaker:  # last: shown only when there is room for it
        text.append(f"\n{cell.statement.speaker}", style="italic")
    return text


def header_text(name: str, spread: float | None, room: int) -> Text:
    """An issue's header: its name and spread as of the date ("NATO · spread 0.75"), shorter where the column is
    narrow ("NATO 0.75"), and the name alone where even that does not fit: a name cut to fit a number is
    unreadable, and ``t`` and ``tracker gap`` give the spread; "—" with fewer than two positions."""
    value = gap.number(spread)
    for shown in (f"{name} · spread {value}", f"{name} {value}"):
        if len(shown) <= room:
            return Text(shown)
    return Text(name)


def _fingerprint(cell: Cell | None, change: Change | None, reports: Sequence[Cell] = ()) -> tuple[object, ...]:
    """Enough to tell whether a cell must be redrawn, without comparing whole paths: what :func:`cell_text`
    shows of it (whether it is contested, its newest report and how many), nothing it does not: at 100,000
    statements every report's id meant reading 3,000 statements for the first paint."""
    shown = (cell.statement.id, cell.statement.rev, cell.version) if cell else None
    others = cell.contested if cell else False
    shown_reports = cell.reported if cell else reports
    newest = shown_reports[0].statement if shown_reports else None
    reported = (len(shown_reports), newest.id, newest.rev) if newest is not None else ()
    if change is None:
        return (shown, others, reported)
    before = change.before.statement.id if change.before else None
    return (shown, others, reported, change.kind, before, change.movement)


def text_lines(text: Text, width: int, height: int, style: Style, console: Console) -> list[Strip]:
    """``text`` as exactly ``height`` strips of ``width`` cells: cut with an ellipsis, padded."""
    fitted = fitted_lines(text, width - 2 * PADDING, style, console)
    if fitted is not None:  # the usual text: each character one cell
        pad = Segment(" " * PADDING, style)
        blank = [Segment(" " * (width - 2 * PADDING), style)]
        return [
            Strip([pad, *(s for s in (fitted[n] if n < len(fitted) else blank) if s.text), pad], width)
            for n in range(height)
        ]
    return rich_text_lines(text, width, height, style, console)


def rich_text_lines(text: Text, width: int, height: int, style: Style, console: Console) -> list[Strip]:
    """:func:`text_lines` by Rich's own cut and pad, line by line: for any character."""
    lines = text.split("\n", allow_blank=True)
    strips = []
    for n in range(height):
        line = lines[n].copy() if n < len(lines) else Text()
        line.truncate(width - 2 * PADDING, overflow="ellipsis", pad=True)
        line.pad(PADDING)
        line.style = style
        # The monochrome filter (NO_COLOR) needs every segment styled.
        segments = [Segment(seg.text, seg.style or style) for seg in line.render(console) if seg.text]
        strips.append(Strip(segments, width))
    return strips


class MatrixTable(ScrollView, can_focus=True):
    """Parties down, issues across, the header and party names fixed while the cells scroll."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1, 0)", "Up", show=False),
        Binding("down", "cursor(1, 0)", "Down", show=False),
        Binding("left", "cursor(0, -1)", "Left", show=False),
        Binding("right", "cursor(0, 1)", "Right", show=False),
        Binding("home", "cursor(-9999, 0)", "First party", show=False),
        Binding("end", "cursor(9999, 0)", "Last party", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("enter", "open", "History"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "matrix--header",
        "matrix--label",
        "matrix--odd",
        "matrix--cursor",
    }
    DEFAULT_CSS = """
    MatrixTable { background: $surface; }
    MatrixTable > .matrix--header { text-style: bold; background: $panel; }
    MatrixTable > .matrix--label { text-style: bold; }
    MatrixTable > .matrix--odd { background: $surface-lighten-1; }
    MatrixTable > .matrix--cursor { background: $accent 40%; }
    MatrixTable:focus > .matrix--cursor { background: $accent 70%; }
    """

    class Moved(Message):
        """The cursor is on another cell."""

        def __init__(self, party: str, issue: str) -> None:
            super().__init__()
            self.party = party
            self.issue = issue

    class Opened(Message):
        """The analyst asked for a cell's history (enter, or a click on the highlighted cell)."""

        def __init__(self, party: str, issue: str) -> None:
            super().__init__()
            self.party = party
            self.issue = issue

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.parties: tuple[Party, ...] = ()
        self.issues: tuple[Issue, ...] = ()
        self._compare = False
        self._shown: dict[CellKey, tuple[object, ...]] = {}
        self._texts: dict[CellKey, Text] = {}
        self._strips: dict[tuple[CellKey, str], list[Strip]] = {}
        self._width = MIN_WIDTH
        self._drawn_height = 0
        self._label_width = 0
        self._styles: dict[tuple[bool, bool], Style] = {}
        self._labels: dict[tuple[int, int], Strip] = {}
        self._header: dict[int, Strip] = {}
        self.row = 0
        self.column = 0
        self._empty = ""
        self._spreads: dict[str, float | None] = {}
        """Each issue's spread as of the date, for its header."""
        """Said on the first line when no cell is shown (a filter that matches nothing), never a blank."""

    # -- what is shown ---------------------------------------------------------------

    @property
    def row_height(self) -> int:
        """Lines per party: the speaker's line is shown only when every row still fits."""
        lines = 4 if self._compare else 3
        return lines + 1 if 1 + (lines + 1) * len(self.parties) <= self.size.height else lines

    @property
    def cursor_key(self) -> CellKey | None:
        """(party, issue) under the cursor, or None when nothing is shown."""
        if not self.parties or not self.issues:
            return None
        return (self.parties[self.row].id, self.issues[self.column].id)

    def text_at(self, party: str, issue: str) -> Text:
        """The cell's content as shown (before it is cut to the column width)."""
        return self._texts[(party, issue)]

    def move_to(self, party: str, issue: str) -> None:
        """Put the cursor on a cell if it is shown."""
        rows = [p.id for p in self.parties]
        columns = [i.id for i in self.issues]
        if party in rows and issue in columns:
            self._set_cursor(rows.index(party), columns.index(issue))

    def show(
        self,
        parties: Sequence[Party],
        issues: Sequence[Issue],
        cells: Mapping[CellKey, Cell],
        changes: Mapping[CellKey, Change],
        *,
        compare: bool,
        unconfirmed: Mapping[CellKey, Sequence[Cell]] | None = None,
        empty: str = "",
        spreads: Mapping[str, float | None] | None = None,
    ) -> None:
        """Display these cells (and the reports of cells with no position); only those whose content differs
        are rendered and repainted. ``empty`` is what the matrix says when it has no cell to show; ``spreads``
        each issue's spread as of the date, shown in its header ("NATO · spread 0.75")."""
        where = self.cursor_key
        rebuilt = tuple(parties) != self.parties or tuple(issues) != self.issues or compare != self._compare
        if empty != self._empty:
            self._empty, rebuilt = empty, True
        if rebuilt:
            self.parties, self.issues, self._compare = tuple(parties), tuple(issues), compare
            self._shown.clear()
            self._texts.clear()
            self._forget_drawing()
            self._layout()
            self.row, self.column = 0, 0
            if where is not None:
                self.move_to(*where)
        if spreads is not None and spreads != self._spreads:
            self._spreads = dict(spreads)
            self._header.clear()
            self.refresh(Region(0, 0, self.size.width, 1))
        dirty = []
        for row, party in enumerate(self.parties):
            for column, issue in enumerate(self.issues):
                key = (party.id, issue.id)
                cell, change = cells.get(key), changes.get(key)
                reports = (unconfirmed or {}).get(key, ())
                shown = _fingerprint(cell, change, reports)
                if self._shown.get(key) != shown:
                    self._shown[key] = shown
                    self._texts[key] = cell_text(
                        cell, change, issue, compare=self._compare, plain=self.app.no_color, reports=reports
                    )
                    for variant in ("even", "odd", "cursor"):
                        self._strips.pop((key, variant), None)
                    dirty.append(self._cell_region(row, column))
        if rebuilt:
            self.refresh()
        else:
            self._repaint(dirty)

    def _repaint(self, regions: Sequence[Region]) -> None:
        """Repaint only these cells (a step moves a few), clipped to what is in view."""
        view = self.scrollable_content_region.reset_offset
        visible = [region.intersection(view) for region in regions]
        shown = [region for region in visible if region]
        if shown:
            self.refresh(*shown)

    def _layout(self) -> None:
        """Share the width out between the issues, so a matrix of a few issues fills the screen."""
        self._label_width = max((len(p.name) for p in self.parties), default=0) + 2 * PADDING
        columns = max(len(self.issues), 1)
        overflows = 1 + self.row_height * len(self.parties) > self.size.height
        spare = self.size.width - self._label_width - (self.scrollbar_size_vertical if overflows else 0)
        width = max(MIN_WIDTH + 2 * PADDING, spare // columns)
        if (width, self.row_height) != (self._width, self._drawn_height):
            self._width, self._drawn_height = width, self.row_height
            self._forget_drawing()
        self.virtual_size = Size(
            self._label_width + self._width * len(self.issues), 1 + self.row_height * len(self.parties)
        )

    def on_resize(self, event: events.Resize) -> None:
        self._layout()
        self.refresh()

    # -- drawing ---------------------------------------------------------------------------

    def _forget_drawing(self) -> None:
        """Drop every rendered strip: the widths, the rows or the styles have changed."""
        self._strips.clear()
        self._labels.clear()
        self._header.clear()
        self._styles.clear()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget_drawing()

    def on_focus(self) -> None:
        self._forget_drawing()  # the cursor is brighter while the matrix has the focus
        self.refresh()

    def on_blur(self) -> None:
        self._forget_drawing()
        self.refresh()

    def _cell_strips(self, row: int, column: int) -> list[Strip]:
        key = (self.parties[row].id, self.issues[column].id)
        variant = "cursor" if (row, column) == (self.row, self.column) else ("odd" if row % 2 else "even")
        found = self._strips.get((key, variant))
        if found is None:
            found = self._strips[(key, variant)] = text_lines(
                self._texts[key],
                self._width,
                self.row_height,
                self._row_style(row, cursor=variant == "cursor"),
                self.app.console,
            )
        return found

    def _row_style(self, row: int, *, cursor: bool = False) -> Style:
        key = (row % 2 == 1, cursor)
        style = self._styles.get(key)
        if style is None:
            style = self.rich_style
            if key[0]:
                style += self.get_component_rich_style("matrix--odd")
            if cursor:  # without colours a tinted background vanishes into grey: reverse it instead
                style += Style(reverse=True) if self.app.no_color else self.get_component_rich_style("matrix--cursor")
            self._styles[key] = style
        return style

    def _header_strip(self, column: int) -> Strip:
        found = self._header.get(column)
        if found is None:
            style = self._header_style()
            issue = self.issues[column]
            name = header_text(issue.name, self._spreads.get(issue.id), self._width - 2 * PADDING)
            found = self._header[column] = text_lines(name, self._width, 1, style, self.app.console)[0]
        return found

    def _label_strip(self, row: int, within: int) -> Strip:
        found = self._labels.get((row, within))
        if found is None:
            party = self.parties[row]
            name = Text(end="")
            colour = "" if self.app.no_color else party.color
            name.append(party.name if within == 0 else "", style=colour)  # a span: the row style is the base
            style = self._row_style(row) + self.get_component_rich_style("matrix--label")
            found = self._labels[(row, within)] = text_lines(name, self._label_width, 1, style, self.app.console)[0]
        return found

    def render_line(self, y: int) -> Strip:
        if self._drawn_height != self.row_height:  # the size changed since the last layout (before on_resize)
            self._layout()  # the strips drawn for another row height would be indexed past their end
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        if not self.parties or not self.issues:
            if y == 1 and self._empty:
                return text_lines(Text(self._empty, style="italic"), width, 1, self.rich_style, self.app.console)[0]
            return Strip.blank(width, self.rich_style)
        cells_width = max(width - self._label_width, 0)
        first = scroll_x // self._width
        last = min(len(self.issues), (scroll_x + cells_width) // self._width + 1)
        if y == 0:
            label = Strip.blank(self._label_width, self._header_style())
            parts = [self._header_strip(c) for c in range(first, last)]
        else:
            row, within = divmod(scroll_y + y - 1, self.row_height)
            if row >= len(self.parties):
                return Strip.blank(width, self.rich_style)
            label = self._label_strip(row, within)
            parts = [self._cell_strips(row, c)[within] for c in range(first, last)]
        start = scroll_x - first * self._width
        cells = Strip.join(parts).crop(start, start + cells_width)
        return Strip.join([label, cells]).extend_cell_length(width, self._row_style(0))

    def _header_style(self) -> Style:
        return self.rich_style + self.get_component_rich_style("matrix--header")

    # -- the cursor ---------------------------------------------------------------------------

    def _set_cursor(self, row: int, column: int) -> None:
        if not self.parties or not self.issues:
            return
        row = max(0, min(row, len(self.parties) - 1))
        column = max(0, min(column, len(self.issues) - 1))
        moved = (row, column) != (self.row, self.column)
        before = self._cell_region(self.row, self.column)
        self.row, self.column = row, column
        scroll = self.scroll_offset
        self._scroll_to_cursor()
        if self.scroll_offset != scroll:
            self.refresh()
        else:
            self._repaint([before, self._cell_region(row, column)])
        if moved:
            self.post_message(self.Moved(self.parties[row].id, self.issues[column].id))

    def _scroll_to_cursor(self) -> None:
        """Keep the cursor cell in view, allowing for the fixed header and party column."""
        view_width = self.scrollable_content_region.width - self._label_width
        view_height = self.scrollable_content_region.height - 1
        left, top = self.column * self._width, self.row * self.row_height
        x, y = self.scroll_x, self.scroll_y
        if left < x:
            x = left
        elif left + self._width > x + view_width:
            x = left + self._width - view_width
        if top < y:
            y = top
        elif top + self.row_height > y + view_height:
            y = top + self.row_height - view_height
        self.scroll_to(x, y, animate=False, immediate=True)

    def action_cursor(self, rows: int, columns: int) -> None:
        self._set_cursor(self.row + rows, self.column + columns)

    def action_page(self, direction: int) -> None:
        page = max(1, (self.scrollable_content_region.height - 1) // self.row_height)
        self._set_cursor(self.row + direction * page, self.column)

    def action_open(self) -> None:
        if self.cursor_key is not None:
            self.post_message(self.Opened(*self.cursor_key))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0 or offset.x < self._label_width or not self.parties:
            return
        row = (offset.y - 1 + self.scroll_offset.y) // self.row_height
        column = (offset.x - self._label_width + self.scroll_offset.x) // self._width
        if row >= len(self.parties) or column >= len(self.issues):
            return
        if (row, column) == (self.row, self.column) or event.chain > 1:
            self.action_open()
        else:
            self._set_cursor(row, column)

    def region_of(self, party: str, issue: str) -> Region:
        """Where a cell is inside the widget (for tests and clicks)."""
        return self._cell_region([p.id for p in self.parties].index(party), [i.id for i in self.issues].index(issue))

    def _cell_region(self, row: int, column: int) -> Region:
        x = self._label_width + column * self._width - self.scroll_offset.x
        y = 1 + row * self.row_height - self.scroll_offset.y
        return Region(x, y, self._width, self.row_height)
