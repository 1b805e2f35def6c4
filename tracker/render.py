"""What the commands print: a :class:`View` per command, and ``emit``, one way for every format.

A command builds a :class:`View`: the JSON payload, flat rows for CSV and
Markdown, and optionally its own Rich renderable and Markdown text. ``emit``
writes it in the format asked for: the file formats through ``formats`` (which
needs no Rich), the table through Rich. Stored text is untrusted: it reaches
Rich only as ``Text`` objects, never as markup.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Sequence
from copy import copy
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TextIO, TypeVar, overload

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.containers import Lines
from rich.measure import Measurement
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from . import describe
from .evidence import STATED_CHANNELS, Evidence, Policy
from .formats import (
    DIFF_COLUMNS,
    MATRIX_COLUMNS,
    STATEMENT_COLUMNS,
    Format,
    column_text,
    diff_json,
    diff_markdown,
    diff_row,
    json_bytes,
    markdown_table,
    matrix_markdown,
    matrix_rows,
    statement_row,
    write_csv,
)
from .model import (
    LONG_TEXT_MAX,
    Cell,
    Change,
    ChangeKind,
    Codebook,
    Issue,
    Party,
    Stance,
    Statement,
    without_controls,
)
from .palette import LEGEND, stance_color
from .timeline import Diff, Matrix


class Plain(Text):
    """Rich text that drops control sequences from whatever it is given.

    Stored text is sanitised on the way in, but a hand-edited or merged file
    may still carry an escape; output is the last line of defence.
    """

    def __init__(self, text: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(without_controls(text), *args, **kwargs)

    def append(self, text: str | Text, style: str | Style | None = None) -> Plain:
        super().append(without_controls(text) if isinstance(text, str) else text, style)
        return self


@dataclass
class View:
    """One command's output, ready for any format."""

    data: Any
    """The ``--format json`` payload (DESIGN.md shapes), or a function that builds it: a year's diff
    at 100,000 statements takes 0.03 s to build its payload, which a table never shows."""
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    """Flat rows for csv and for the default table and markdown."""
    title: str = ""
    table: RenderableType | None = None
    """A richer rendering than the plain table, where the command has one."""
    markdown: Callable[[], str] | None = None
    """A richer Markdown text than the pipe table, where the command has one."""
    empty: str = ""
    """What the table format says when there are no rows."""


T = TypeVar("T")


class Deferred(Sequence[T]):
    """A list built the first time it is read: a view's rows that only some formats print (a year's diff
    at 100,000 statements names every statement of every window in its csv rows: 9,000 documents read
    for a table that shows none of them)."""

    def __init__(self, build: Callable[[], list[T]]) -> None:
        self._build: Callable[[], list[T]] | None = build
        self._items: list[T] = []

    def _made(self) -> list[T]:
        if self._build is not None:
            self._items, self._build = self._build(), None
        return self._items

    def __len__(self) -> int:
        return len(self._made())

    @overload
    def __getitem__(self, at: int) -> T: ...
    @overload
    def __getitem__(self, at: slice) -> list[T]: ...
    def __getitem__(self, at: int | slice) -> T | list[T]:
        return self._made()[at]


class Line:
    """One line of a :class:`Block` as its pieces, each in a style laid over the line's own: what a ``Text``
    of the same pieces prints, without making one. Making a Text costs 5 µs here, and a year's diff at
    100,000 statements printed 5,500 of them (0.06 s of 0.45 s, then as long again to render them); a
    line the fast wrap cannot break (a wide character) becomes a Text (:meth:`text`) and Rich's."""

    __slots__ = ("no_wrap", "pieces", "style")

    def __init__(self, text: str = "", style: str = "", *, no_wrap: bool = False) -> None:
        self.style = style
        """The whole line's style, under each piece's (a Text's own style)."""
        self.pieces: list[tuple[str, str]] = [(without_controls(text), "")] if text else []
        """(text, its style over the line's), in order; escape sequences and controls removed."""
        self.no_wrap = no_wrap
        """Never broken (a URL)."""

    def add(self, text: str, style: str = "") -> Line:
        """``text`` appended in ``style`` (over the line's)."""
        if text:
            self.pieces.append((without_controls(text), style))
        return self

    def add_line(self, other: Line) -> Line:
        """``other``'s pieces appended, each in its own style over ``other``'s (``Text.append_text``)."""
        self.pieces += [(text, f"{other.style} {style}".strip()) for text, style in other.pieces]
        return self

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.pieces)

    def text(self) -> Text:
        """The same line as a Text: for Rich to wrap."""
        text = Plain(style=self.style, no_wrap=self.no_wrap or None, overflow="ignore" if self.no_wrap else None)
        for piece, style in self.pieces:
            text.append(piece, style or None)
        return text

    def segments(self, console: Console) -> list[Segment]:
        """The line as ``Text.render`` gives it, unwrapped: a segment for each styled piece, and one for
        each run of pieces in the line's style alone (Rich's spans: the same escape codes, too)."""
        base = console.get_style(self.style, default=Style.null()) if self.style else Style.null()
        segments: list[Segment] = []
        plain_run = False  # whether the last segment is pieces in the line's style
        for piece, over in self.pieces:
            if not over and plain_run:
                segments[-1] = Segment(segments[-1].text + piece, base)
                continue
            segments.append(Segment(piece, base + console.get_style(over, default=Style.null()) if over else base))
            plain_run = not over
        return segments


class Block:
    """Lines of text indented as one block: prose wraps inside the indent, a URL never breaks.

    The diff prints one block a change instead of a table row: at 100,000
    statements a year's diff has ~500 changes, and Rich laid out their table in
    0.61 s (it measures every cell for the column widths, then wraps and joins
    them); the same facts as blocks take 0.15 s. A block also reads at 80
    columns, where the table's third column was 30 characters wide and cut
    URLs in the middle, so they could not be copied.
    """

    def __init__(self, lines: Sequence[Text | Line], indent: int = 0) -> None:
        self.lines = lines
        self.indent = indent

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width - self.indent, 20)
        pad = Segment(" " * self.indent) if self.indent else None
        newline = Segment.line()
        # To a pipe or a file (no colour system) styles print nothing: the block's lines are one string,
        # one segment, where each line's styled pieces went one by one through the console (a year's diff
        # at 100,000 statements is 20,000 segments).
        unstyled: list[str] | None = [] if console.color_system is None else None
        for line in self.lines:
            plain = line.plain
            # Where the line breaks comes from its characters alone (one cell each: the usual); its styled
            # pieces are rendered once, whole, and cut there, without Rich's wrap, which measured every
            # word and split the Text (at 100,000 statements half of a year's diff).
            lines = _line_ranges(plain, width, unbroken=bool(line.no_wrap))
            if lines is not None and unstyled is not None:
                unstyled += [f"{pad.text if pad else ''}{plain[begin:end].rstrip()}\n" for begin, end in lines]
                continue
            if unstyled:
                yield Segment("".join(unstyled))
                unstyled.clear()
            if lines is not None:
                segments = line.segments(console) if isinstance(line, Line) else _segments(line, console)
                for cut in [segments] if lines == [(0, len(plain))] else _cut(segments, lines):
                    if pad:
                        yield pad
                    yield from _stripped(cut)
                    yield newline
                continue
            text = line.text() if isinstance(line, Line) else line
            fits = text.no_wrap or ("\n" not in plain and text.cell_len <= width)
            for wrapped in (text,) if fits else text.wrap(console, width):
                wrapped.rstrip()  # a wrapped line ends in the space it broke at
                if pad:
                    yield pad
                yield from _segments(wrapped, console)  # segments, in its own style: a Text would be wrapped again
                yield newline
        if unstyled:
            yield Segment("".join(unstyled))


_WORD = re.compile(r"\s*\S+\s*")

_NARROW = "“”‘’«»·—–…→←▶◀⚑■●"
"""Characters outside ASCII that the text we print is full of, each one cell wide (Rich agrees)."""

_OTHER = re.compile(f"[^\x20-\x7e{_NARROW}]")
"""A character that is not printable ASCII (a space the only blank) nor one of :data:`_NARROW`."""


def _breaks(plain: str, width: int, *, unbroken: bool = False) -> list[int] | None:
    """Where ``plain`` breaks to fit ``width`` (the greedy breaks Rich's wrap makes), or None when only Rich
    can say: a newline, a character wider or narrower than one cell, a word longer than the line.

    Rich measures every word's cells (``_wrap.divide_line``): at 100,000 statements a
    year's diff spent 0.2 s there. When the whole line is one cell a character
    (``cell_len == len``), a word's cells are its length. ``unbroken``: a URL, never broken.
    """
    plain_marks = _OTHER.search(plain) is None  # one regex pass in C: the usual line
    if not plain_marks and ("\n" in plain or cell_len(plain) != len(plain)):
        return None
    if unbroken or len(plain) <= width:
        return []
    return _space_breaks(plain, width) if plain_marks else _word_breaks(plain, width)


def _space_breaks(plain: str, width: int) -> list[int] | None:
    """:func:`_breaks` of a line whose only blank is the space: found by looking at the character past each
    line's room, not word by word. A word fits on a line if it ends within the room (the blanks after
    it may run past), so a line ends before the word that holds the first character past the room."""
    breaks: list[int] = []
    start, lead = 0, len(plain) - len(plain.lstrip(" "))  # the first word carries the blanks before it
    while len(plain) - start > width:
        limit = start + width
        if limit < lead:  # the blanks before the first word fill the line: the word cannot fit
            return None
        if plain[limit] == " ":  # every word before it fits: the next line starts at the next word
            rest = plain[limit:].lstrip(" ")
            if not rest:
                break
            start = len(plain) - len(rest)
        else:
            start = plain.rfind(" ", start, limit) + 1
            if start <= (breaks[-1] if breaks else lead):  # the word alone is longer than the line
                return None
        breaks.append(start)
    return breaks


def _word_breaks(plain: str, width: int) -> list[int] | None:
    """:func:`_breaks` word by word, as Rich's ``divide_line`` does (any blank)."""
    breaks: list[int] = []
    column = 0
    for word in _WORD.finditer(plain):
        start, end = word.span()
        length = len(word.group().rstrip())
        if length > width:
            return None
        if column and column + length > width:
            breaks.append(start)
            column = 0
        column += end - start
    return breaks


def _segments(text: Text, console: Console) -> list[Segment]:
    """``text`` as styled segments, unwrapped: its own style and its spans' combined, as Rich prints it."""
    if not text.spans:
        return [Segment(text.plain, console.get_style(text.style) if text.style else None)]
    return list(text.render(console))


def _cut(segments: Sequence[Segment], lines: Sequence[tuple[int, int]]) -> list[list[Segment]]:
    """The segments of one unwrapped text cut into lines: each the characters in its (start, end) range
    of the text, in order (a newline between two ranges is left out)."""
    cut: list[list[Segment]] = []
    pieces = iter(segments)
    segment, at = next(pieces, None), 0  # the segment, and the offset of its first character
    for begin, end in lines:
        line: list[Segment] = []
        while segment is not None:
            after = at + len(segment.text)
            low, high = max(begin, at), min(end, after)
            if high > low:
                line.append(Segment(segment.text[low - at : high - at], segment.style))
            if after > end:
                break
            segment, at = next(pieces, None), after
        cut.append(line)
    return cut


def fitted_lines(text: Text, width: int, style: Style, console: Console) -> list[list[Segment]] | None:
    """Each line of ``text`` in exactly ``width`` cells over ``style`` (which takes the place of the text's
    own): cut with an ellipsis, or padded with blanks, as ``Text.truncate(width, overflow="ellipsis",
    pad=True)`` does each of ``text.split("\\n")``; rendered once, whole, and cut. The dashboard's matrix
    drew each line of each cell by a copy, a truncate, a pad and a render of its own: at 100,000
    statements the most of a first paint's work that grows with the record. None when a character is
    not one cell wide: Rich's way then."""
    plain = text.plain
    if width < 2 or _OTHER_IN_CELL.search(plain) is not None:
        return None
    # Rich renders a text without spans unstyled (its console adds the style): the style is every segment's
    segments = [Segment(t, s or style) for t, s, _ in Text(plain, style=style, spans=text.spans).render(console)]
    ranges = _line_ranges(plain, width, unbroken=True)  # each line whole: the cut is below
    assert ranges is not None  # every character is one cell (checked above)
    fitted: list[list[Segment]] = []
    for line, (begin, end) in zip(_cut(segments, ranges), ranges, strict=True):
        if end - begin < width:
            line.append(Segment(" " * (width - (end - begin)), style))
        elif end - begin > width:  # the ellipsis takes the place, and the style, of the last character kept
            kept, at = [], 0
            for segment in line:
                if at + len(segment.text) >= width:
                    kept += [Segment(segment.text[: width - 1 - at], segment.style), Segment("…", segment.style)]
                    break
                kept.append(segment)
                at += len(segment.text)
            line = kept
        fitted.append(line)
    return fitted


def _line_ranges(plain: str, width: int, *, unbroken: bool = False) -> list[tuple[int, int]] | None:
    """Each line's (start, end) in ``plain`` wrapped at ``width`` as Rich wraps it: line by line of the
    text (a newline ends one), each broken where :func:`_breaks` says; None where only Rich can say."""
    found: list[tuple[int, int]] = []
    start = 0
    for paragraph in plain.split("\n"):
        breaks = _breaks(paragraph, width, unbroken=unbroken)
        if breaks is None:
            return None
        found += [(start + begin, start + end) for begin, end in _ranges([*breaks, len(paragraph)])]
        start += len(paragraph) + 1
    return found


def _ranges(ends: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive lines ending at ``ends``, from the text's start."""
    return list(zip([0, *ends[:-1]], ends, strict=True))


def _stripped(line: list[Segment]) -> list[Segment]:
    """``line`` without the blanks it ends on."""
    while line:
        last = line[-1]
        kept = last.text.rstrip()
        if kept:
            if len(kept) < len(last.text):
                line[-1] = Segment(kept, last.style)
            break
        line.pop()
    return line


def _wrapped(text: Text, width: int, console: Console) -> Lines:
    """``text.wrap(console, width)``, by :func:`_breaks` where it can say (as Rich would break)."""
    breaks = _breaks(text.plain, width)
    return text.wrap(console, width) if breaks is None else text.divide(breaks)


_OTHER_IN_CELL = re.compile(f"[^\\n\\x20-\\x7e{_NARROW}]")
"""As :data:`_OTHER`, a newline allowed: a table cell holds lines."""


class _Cell:
    """A table cell's Text, measured and laid out as Rich lays out a Text in a left-justified column, without
    Rich's wrap, when its characters are one cell each (the usual; anything else is Rich's).

    A 20-party, 25-issue matrix at 100,000 statements spent 0.2 s printing its 500 cells: Rich split
    each into words to measure it, then divided and padded Text objects line by line. Here a cell's
    lines come from :func:`_breaks` on each of its lines, its styled pieces are rendered once and cut
    there, and each line is padded to the column's width in the cell's own style, as Rich pads it.
    """

    def __init__(self, text: Text) -> None:
        self.text = text
        self.simple = _OTHER_IN_CELL.search(text.plain) is None and not text.justify

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        if not self.simple:
            return Measurement.get(console, options, self.text)
        plain = self.text.plain
        longest = max(map(len, plain.splitlines()), default=0)
        return Measurement(max(map(len, plain.split()), default=longest), longest)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = self.lines(console, options)
        if lines is None:
            yield self.text
            return
        newline = Segment.line()
        for line in lines:
            yield from line
            yield newline

    def lines(self, console: Console, options: ConsoleOptions) -> list[list[Segment]] | None:
        """The cell's lines at the options' width, each padded to it in the text's style, as Rich's Text
        renders them left-justified; None where only Rich can say."""
        text = self.text
        ranges = self._lines(options) if self.simple else None
        if ranges is None:
            return None
        width = options.max_width
        pad = console.get_style(text.style) if text.style else None
        made = _cut(_segments(text, console), ranges)
        for line, (begin, end) in zip(made, ranges, strict=True):
            if end - begin < width:
                line.append(Segment(" " * (width - end + begin), pad))
        return made

    def _lines(self, options: ConsoleOptions) -> list[tuple[int, int]] | None:
        """Each line's (start, end) in the text, as Rich's ``Text.wrap`` lays it out left-justified at the
        options' width (blanks past the width dropped); None where only Rich can say."""
        text, width = self.text, options.max_width
        overflow = text.overflow or options.overflow or "fold"
        if (options.justify or "left") != "left" or overflow == "ignore" or text.no_wrap or options.no_wrap:
            return None
        plain = text.plain
        lines = _line_ranges(plain, width)
        if lines is None:
            return None
        found: list[tuple[int, int]] = []
        for begin, end in lines:
            if end - begin > width:  # blanks past the width: Rich drops them (``rstrip_end``)
                end -= min(end - begin - width, end - begin - len(plain[begin:end].rstrip()))
                if end - begin > width:
                    return None
            found.append((begin, end))
        return found


def _drawn_here(table: Table) -> bool:
    """Whether :func:`_table` draws ``table`` itself: the layout every Fitted table of tracker's has
    (a box, a header, no footer, cells padded one space each side, no row styles, columns left-justified
    and top-aligned); anything else is Rich's."""
    return (
        table.box is not None and table.show_header and table.show_edge and not table.show_footer
        and table.padding == (0, 1, 0, 1) and table.pad_edge and not table.collapse_padding
        and not table.leading and not table.row_styles and table.style in ("", "none") and not table.border_style
        and table.width is None and not table.caption
        and all(
            c.justify == "left" and c.vertical == "top" and not c.style and not c.header_style
            and not any(row.style for row in table.rows) and not c.footer
            for c in table.columns
        )
    )  # fmt: skip


def _table(table: Table, console: Console, options: ConsoleOptions) -> RenderResult:
    """``table`` as Rich's ``Table`` prints it, its borders and rows put together here (``_drawn_here``):
    Rich renders each cell through two layers that split, pad and shape its lines again (a padding and
    the table's own), half the time of a 500-cell matrix after its cells were made fast. A cell that is
    not a fast :class:`_Cell` is rendered by Rich, as Rich's table renders it."""
    if not _drawn_here(table):
        yield from console.render(table, options)
        return
    widths = table._calculate_column_widths(console, options.update_width(options.max_width - table._extra_width))
    render_options = options.update(width=sum(widths) + table._extra_width, highlight=table.highlight, height=None)
    if table.title:
        title = table.title
        if isinstance(title, str):
            title = console.render_str(title, style=table.title_style or "table.title", highlight=False)
        yield from console.render(title, render_options.update(justify=table.title_justify))
    box = table.box.substitute(render_options, safe=table.safe_box if table.safe_box is not None else console.safe_box)  # type: ignore[union-attr]
    border = console.get_style(table.border_style or "")
    header_style = console.get_style(table.header_style or "")
    new_line = Segment.line()
    rows = [[column.header for column in table.columns]]
    rows += [list(cells) for cells in zip(*(column._cells for column in table.columns), strict=True)]
    yield Segment(box.get_top(widths), border)
    yield new_line
    for index, cells in enumerate(rows):
        header = index == 0
        style = header_style if header else Style.null()
        lined = [
            _cell_lines(cell, width, column, style, console, render_options)
            for cell, width, column in zip(cells, widths, table.columns, strict=True)
        ]
        height = max(len(lines) for lines in lined)
        align = Segment.align_bottom if header else Segment.align_top
        shaped = [
            Segment.set_shape(align(lines, width, height, style), width, height)
            for lines, width in zip(lined, widths, strict=True)
        ]
        left, right, divider = (
            (box.head_left, box.head_right, box.head_vertical) if header
            else (box.foot_left, box.foot_right, box.foot_vertical) if index == len(rows) - 1
            else (box.mid_left, box.mid_right, box.mid_vertical)
        )  # fmt: skip
        for line in range(height):
            yield Segment(left, border)
            for n, cell_lines in enumerate(shaped):
                if n:
                    yield Segment(divider, border)
                yield from cell_lines[line]
            yield Segment(right, border)
            yield new_line
        if header:
            yield Segment(box.get_row(widths, "head", edge=True), border)
            yield new_line
        elif table.show_lines and index < len(rows) - 1:
            yield Segment(box.get_row(widths, "row", edge=True), border)
            yield new_line
    yield Segment(box.get_bottom(widths), border)
    yield new_line


def _cell_lines(
    cell: Any, width: int, column: Any, style: Style, console: Console, options: ConsoleOptions
) -> list[list[Segment]]:
    """One cell's lines, padded one space each side to ``width`` and given the row's ``style`` (the
    header's), as Rich's table makes them: by :class:`_Cell` where it can, else by Rich itself."""
    inner = options.update(width=width - 2, justify=column.justify, no_wrap=column.no_wrap,
                           overflow=column.overflow, height=None, highlight=column.highlight)  # fmt: skip
    lines = cell.lines(console, inner) if isinstance(cell, _Cell) else None
    if lines is None:
        return console.render_lines(Padding(cell, (0, 1)), inner.update_width(width), style=style)
    pad = Segment(" ")
    made = [[pad, *line, pad] for line in lines]
    if style:
        return [[Segment(piece.text, style + piece.style) for piece in line] for line in made]
    return made


def _fast_cells(column: Any, console: Console) -> Any:
    """``column`` with each Text cell (and its header) laid out by :class:`_Cell`: a ByColour cell is
    first resolved for ``console``."""

    def fast(cell: Any) -> Any:
        if isinstance(cell, ByColour):
            cell = cell.chosen(console)
            if cell is None:
                return ""
        return _Cell(cell) if isinstance(cell, Text) else cell

    return replace(column, header=fast(column.header), _cells=[fast(cell) for cell in column._cells])


class Fitted:
    """A table laid out for the width it is printed at, 80 columns first: a word is broken last, a date never.

    Rich narrows a table that is too wide by taking from its widest columns,
    whatever they hold, so a date or an id in a narrow column is cut
    ("2025-03-…") while a column of prose keeps room to spare. Here every
    column first gets its longest word (Rich's minimum measure, and at least
    the column's ``min_width``: 10 for a date) and the room left goes to the
    columns that would take more, in proportion to what they would take. When
    even the words do not fit, the columns after the first ``keep`` continue
    in another table below, with those ``keep`` repeated (the matrix: its
    party names beside every group of issues); only a column group that cannot
    fit on its own has words cut, never below a column's ``min_width``, and
    a ``no_wrap`` column (a date, alone) is never cut.
    """

    def __init__(self, table: Table, *, keep: int = 0) -> None:
        self.table = table
        self.keep = keep

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        table = self.table
        if not table.columns:
            yield table
            return
        width = options.max_width
        columns = [_fast_cells(column, console) for column in table.columns]
        # Content widths (Rich measures with the padding; a column's ``width`` is without it).
        padding = [table._get_padding_width(c._index) for c in columns]
        ranges = [table._measure_column(console, options, c) for c in columns]
        most = [r.maximum - pad for r, pad in zip(ranges, padding, strict=True)]
        words = [
            (r.maximum if c.no_wrap else r.minimum) - pad for r, c, pad in zip(ranges, columns, padding, strict=True)
        ]
        floor = [w if c.no_wrap else min(c.min_width or 1, w) for c, w in zip(columns, words, strict=True)]
        indexes = list(range(len(columns)))
        for n, group in enumerate(self._groups(indexes, floor, width)):
            shown = [*indexes[: self.keep], *group] if n else group
            room = width - self._chrome(shown, padding)
            widths = _shares([most[i] for i in shown], [words[i] for i in shown], [floor[i] for i in shown], room)
            part = copy(table)
            sized = zip(shown, widths, strict=True)
            part.columns = [replace(columns[i], width=w, _index=k) for k, (i, w) in enumerate(sized)]
            if n:
                part.title = None  # the title once, above the first group
            # Floors wider than the terminal: the table runs past its edge rather than Rich cutting them evenly.
            yield from _table(part, console, options.update_width(max(width, sum(widths) + width - room)))

    def _chrome(self, shown: Sequence[int], padding: Sequence[int]) -> int:
        """What the borders and padding of these columns take."""
        table = self.table
        borders = (2 if table.show_edge else 0) + len(shown) - 1 if table.box else 0
        return borders + sum(padding[i] for i in shown)

    def _groups(self, indexes: list[int], floor: Sequence[int], width: int) -> list[list[int]]:
        """The columns after the first ``keep`` in groups that fit beside them: one group when all fit."""
        if not self.keep or len(indexes) <= self.keep:
            return [indexes]
        padding = [self.table._get_padding_width(i) for i in indexes]
        kept = indexes[: self.keep]
        groups: list[list[int]] = []
        for i in indexes[self.keep :]:
            if groups:
                trial = [*kept, *groups[-1], i]
                if sum(floor[j] for j in trial) + self._chrome(trial, padding) <= width:
                    groups[-1].append(i)
                    continue
            groups.append([i])
        groups[0] = [*kept, *groups[0]]
        return groups


def _shares(most: Sequence[int], words: Sequence[int], floor: Sequence[int], room: int) -> list[int]:
    """Column widths in ``room``: all they would take if it fits; else their longest word and a share of
    what is left, by what each would take beyond it; else their floor and a share by the words cut."""
    if sum(most) <= room:
        return list(most)
    low, high = (words, most) if sum(words) <= room else (floor, words)
    spare = max(room - sum(low), 0)
    wanted = [h - lo for lo, h in zip(low, high, strict=True)]
    total = sum(wanted) or 1
    widths = [lo + spare * w // total for lo, w in zip(low, wanted, strict=True)]
    for n in sorted(range(len(widths)), key=lambda n: wanted[n], reverse=True)[: max(room - sum(widths), 0)]:
        widths[n] += 1  # what the rounding down left, to the columns that wanted most
    return widths


DATE_WIDTH = len("2025-03-14")
"""A date's columns: the narrowest a column that shows dates may be."""


def _longest_word(texts: Iterable[str]) -> int:
    """The longest word in ``texts``: a header or a name narrower than that would break it."""
    return max((cell_len(word) for text in texts for word in text.split()), default=1)


def url_text(url: str, style: str = "dim") -> Text:
    """A URL as one unbroken line, however narrow the terminal: a folded URL cannot be copied."""
    return Plain(url, style=style, overflow="ignore", no_wrap=True)


def url_line(url: str) -> Line:
    """:func:`url_text` as a block's :class:`Line`."""
    return Line(url, "dim", no_wrap=True)


class _Console(Console):
    """Rich's console, but a reader gone (``| head -1``) ends the command the way it ends every format."""

    def on_broken_pipe(self) -> None:
        # Rich's own answer exits 1, which tracker's exit codes read as "problems" or "differences":
        # the BrokenPipeError goes on to the command line, which ends quietly (cli.reader_gone).
        self.quiet = True
        raise  # called by Rich inside its `except BrokenPipeError`: that error, re-raised


def console(file: TextIO | None = None) -> Console:
    """A Rich console that never interprets markup or emoji codes in what it prints."""
    return _Console(file=file or sys.stdout, markup=False, emoji=False, highlight=False, soft_wrap=False)


SVG_WIDTH = 120
"""Columns of the picture ``--format svg`` draws: a wide table, read on a slide or in a brief."""


def svg_text(renderable: RenderableType, title: str) -> str:
    """``renderable`` as an SVG image (Rich's export: the terminal's look, its colours, text kept as text)."""
    import io

    recorder = Console(
        file=io.StringIO(), record=True, width=SVG_WIDTH, color_system="truecolor", force_terminal=True,
        markup=False, emoji=False, highlight=False, soft_wrap=False,
    )  # fmt: skip
    recorder.print(renderable, crop=False)
    svg = recorder.export_svg(title=without_controls(title) or "tracker")
    # Rich's template asks for its font from a CDN: opening the brief's picture would tell a third party.
    # The local font, else the viewer's monospace, draws the same table.
    return _REMOTE_FONT.sub("", svg)


_REMOTE_FONT = re.compile(r',\s*url\("https?://[^"]*"\)\s*format\("[^"]*"\)')


def plain_table(view: View) -> Table:
    table = Table(title=Plain(view.title) if view.title else None, title_justify="left")
    for column in view.columns:
        table.add_column(column)
    for row in view.rows:
        table.add_row(*(v if isinstance(v, Text) else Plain(column_text(v)) for v in row))
    return table


def emit(view: View, fmt: Format, out: TextIO | None = None) -> None:
    """Write ``view`` to ``out`` (stdout) in ``fmt``."""
    out = out or sys.stdout
    if fmt is Format.json:
        out.write(json_bytes(view.data() if callable(view.data) else view.data).decode())
    elif fmt is Format.csv:
        write_csv(view.columns, view.rows, out)
    elif fmt is Format.svg:
        out.write(svg_text(view.table if view.table is not None else plain_table(view), view.title))
    elif fmt is Format.markdown:
        out.write(view.markdown() if view.markdown is not None else markdown_table(view.title, view.columns, view.rows))
    elif view.table is None and not view.rows and view.empty:
        console(out).print(Plain(view.empty))
    else:
        # crop=False: a URL longer than the terminal is printed whole (see Block); everything else fits.
        console(out).print(view.table if view.table is not None else Fitted(plain_table(view)), crop=False)


# -- colours: the palette (palette.py) as Rich text -------------------------


def colour_shown(console: Console) -> bool:
    """Whether ``console`` prints colour: to a terminal (or with FORCE_COLOR), and no NO_COLOR.

    Rich reads both: NO_COLOR counts only when it is not empty (no-color.org), and a pipe or a
    file gets no colour at all, so a matrix piped to ``less`` needs its scale marks as much as one
    printed under NO_COLOR does.
    """
    return console.color_system is not None and not console.no_color


class ByColour:
    """One of two renderings, chosen by the console that prints it: with colour shown, or without.

    The views are built before the format, and the console, are known (``emit``); this defers
    the choice to the console, which knows its terminal and the environment.
    """

    def __init__(self, coloured: RenderableType | None, plain: RenderableType | None) -> None:
        self.coloured = coloured
        self.plain = plain
        """What stands in for the colour (scale marks), or None for nothing (a colour key)."""

    def chosen(self, console: Console) -> RenderableType | None:
        return self.coloured if colour_shown(console) else self.plain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        chosen = self.chosen(console)
        if chosen is not None:
            yield chosen

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        chosen = self.chosen(console)
        return Measurement(0, 0) if chosen is None else Measurement.get(console, options, chosen)


def legend() -> Text:
    """The palette's key, one line: a coloured square and what it means, pole to pole."""
    text = Plain("colour: ")
    for label, color in LEGEND:
        text.append("■ ", style=color)
        text.append(label + "  ")
    return text


SCALE_KEY = "·●· the stance's place on its scale, from Kyiv's pole (left) to Moscow's (right)"
"""What the matrix's key says where the scale marks stand in for the colours."""


def colour_key(*, marked: bool) -> ByColour:
    """The palette's key where colour is shown; where it is not, what the scale marks mean (if ``marked``:
    a view that draws them), else nothing: a key to colours nobody sees explains nothing."""
    return ByColour(legend(), Plain(SCALE_KEY, style="dim") if marked else None)


def stance_style(stance: Stance, issue: Issue) -> str:
    """A stance's style: bold, in its colour."""
    return f"bold {stance_color(stance, issue)}"


def stance_text(stance: Stance, issue: Issue) -> Text:
    """A stance's label in its colour, as the CLI and the dashboard show it."""
    return Plain(stance.label, style=stance_style(stance, issue))


# -- views ---------------------------------------------------------------------


def matrix_view(matrix: Matrix, book: Codebook, title: str) -> View:
    parties = [book.require_party(p) for p in matrix.parties]
    issues = [book.require_issue(i) for i in matrix.issues]
    heading = f"{title} as of {matrix.as_of}" + (f" (as known at {matrix.known_at})" if matrix.known_at else "")
    table = Table(title=Plain(heading), title_justify="left", show_lines=True)
    table.add_column("party", min_width=_longest_word(p.name for p in parties))
    for issue in issues:
        table.add_column(Plain(issue.name), min_width=max(DATE_WIDTH, _longest_word([issue.name])))
    for party in parties:
        row: list[RenderableType] = [Plain(party.name, style=f"bold {party.color}" if party.color else "bold")]
        for issue in issues:
            cell = matrix.cells.get((party.id, issue.id))
            reports = cell.reported if cell is not None else matrix.unconfirmed.get((party.id, issue.id), ())
            if cell is None:
                shown: RenderableType = _matrix_cell(None, issue, reports, marked=False)
            else:  # without colour, the place on the scale is the marks'
                coloured, marked = (_matrix_cell(cell, issue, reports, marked=m) for m in (False, True))
                shown = ByColour(coloured, marked)
            row.append(shown)
        table.add_row(*row)
    # The json, csv and markdown forms name every report of every cell: built only for those formats (at
    # 100,000 statements a table of 500 cells read 3,300 statements for them, 2,800 of them never shown).
    markdown = partial(matrix_markdown, matrix, parties, issues, heading)
    rows = Deferred(lambda: matrix_rows(matrix))
    key = Plain(
        f"{describe.POSITION_KEY} · {describe.CONTESTED} contested: the party's speakers disagree · "
        f"{describe.REPORTED} reported, not a "
        f"position (policy: stated at {matrix.policy.min_grade} or better"
        + (", reports included" if matrix.policy.include_reported else "")
        + ")",
        style="dim",
    )
    shown = Group(Fitted(table, keep=1), colour_key(marked=True), key)  # too many issues: they continue below
    return View(matrix.as_json, MATRIX_COLUMNS, rows, heading, shown, markdown)


def _matrix_cell(cell: Cell | None, issue: Issue, reports: Sequence[Cell], *, marked: bool) -> Text:
    """One cell of the matrix table: the stance (and its place on the scale if ``marked``), the date, the
    version and grade, the other side of a contested cell, the reports."""
    if cell is None:
        text = Plain(describe.NO_POSITION, style="dim")
    else:
        text = Plain(f"{describe.CONTESTED} " if cell.contested else "", style="bold")
        text.append_text(stance_text(cell.stance, issue))
        if marked:  # a line of its own, under the label it places: as narrow as the scale is long
            text.append(f"\n{describe.scale_marks(cell.stance.score, len(issue.scale))}")
        text.append(f"\n{cell.statement.stated_on}\n{describe.position_grade(cell)}", style="dim")
        if cell.contested:
            others = ", ".join(f"{c.stance.label} ({c.statement.speaker or '?'})" for c in cell.conflicts)
            text.append(f"\nvs {others}", style="bold")
    if reports:
        text.append(f"\n{describe.REPORTED} {describe.reported_line(reports)}", style="italic")
    return text


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _with_evidence(statement: Statement, policy: Policy | None) -> dict[str, Any]:
    """A statement's JSON, with ``evidence`` (stated or reported) when a policy says how it counts."""
    data = statement.as_json()
    if policy is not None:
        data["evidence"] = policy.classify(statement.channel, statement.grade).value
    return data


def log_view(
    statements: Sequence[Statement], book: Codebook, *, title: str = "Statements", policy: Policy | None = None
) -> View:
    # Four columns, the grade under the stance: at 80 columns the said column still holds an id whole.
    table = Table(title=Plain(title), title_justify="left", show_lines=True)
    table.add_column("date", no_wrap=True)
    table.add_column("party · issue")
    table.add_column("stance · grade")
    table.add_column("said", overflow="fold")
    for s in statements:
        issue = book.issue(s.issue)
        stance = issue.stance(s.stance) if issue else None
        label = stance_text(stance, issue) if stance and issue else Plain(s.stance)
        if s.retracted:
            label = Plain(f"{s.stance} (retracted)", style="strike dim")
        label.append(f"\n{s.grade or 'ungraded'}")
        if policy is not None and policy.classify(s.channel, s.grade) is Evidence.reported:
            label.append(" · reported", style="italic")
        said = Plain(_short((s.quote and f"“{s.quote}”") or s.summary, 160))
        said.append(f"\n— {s.speaker or 'unknown speaker'}\n{s.id}" + (f" r{s.rev}" if s.rev > 1 else ""), style="dim")
        table.add_row(Plain(s.stated_on), Plain(f"{s.party} · {s.issue}"), label, said)
    return View(
        [_with_evidence(s, policy) for s in statements],
        STATEMENT_COLUMNS,
        [statement_row(s) for s in statements],
        title,
        Fitted(table) if statements else None,
        empty="No statements match.",
    )


def _at_most(text: str, limit: int = LONG_TEXT_MAX) -> str:
    """``text`` for a table cell, cut at the longest a field may hold (``model.LONG_TEXT_MAX``).

    Only a hand edit puts longer text in a store, and Rich lays out a cell in time
    that grows with the square of its length (it splits its lines off the front of
    one string: a 1 MB quote took 2.4 s, 4 MB 29 s). The json and csv formats
    carry the whole text.
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… (cut: {len(text):,} characters in all; --format json shows them)"


def statement_details(s: Statement, policy: Policy | None = None) -> Group:
    """Every field of one revision, as a two-column grid; the URL on a line of its own, whole.

    A grid cell folds whatever does not fit it, and a folded URL cannot be
    copied: the fields before the URL and those after it are two grids with
    one name column's width, and the URL a line between them that may run past
    the terminal's edge (``emit`` prints with ``crop=False``).
    """
    others = s.corroborated_by  # the other reports of a statement the inbox found in several outlets
    fields: list[tuple[str, str]] = [
        ("statement", f"{s.id} (revision {s.rev})"),
        ("party / issue", f"{s.party} / {s.issue}"),
        ("stance", s.stance + ("  [RETRACTED]" if s.retracted else "")),
        ("stated on", s.stated_on),
        ("speaker", s.speaker),
        ("channel", s.channel),
        ("grade", s.grade),
        ("evidence", _evidence_words(s, policy)),
        ("summary", s.summary),
        ("quote", s.quote and f"“{s.quote}”"),
        ("conditions", "; ".join(s.conditions)),
        ("source", " — ".join(v for v in (s.source.title, s.source.outlet, s.source.published) if v)),
        ("url", s.source.url),
        ("corroborated by", "\n".join(" — ".join(filter(None, (o.outlet, o.published, o.url))) for o in others)),
        ("tags", ", ".join(s.tags)),
        ("note", s.note),
        ("recorded", f"{s.recorded_at} by {s.recorded_by}"),
        ("reason", s.reason),
        ("withdrawn on", s.withdrawn_on),
    ]
    shown = [(name, value) for name, value in fields if value]
    names = max(cell_len(name) for name, _ in shown) + 2
    parts: list[RenderableType] = []
    grid = _details_grid(names)
    for name, value in shown:
        if name == "url":
            line = url_text(f"{name.ljust(names)}{value}", style="")
            line.stylize("bold", 0, len(name))
            parts += [grid, line]
            grid = _details_grid(names)
        else:
            grid.add_row(Plain(name), Plain(_at_most(value)))
    return Group(*parts, grid)


def _details_grid(names: int) -> Table:
    grid = Table.grid(padding=(0, 2, 0, 0))
    grid.add_column(style="bold", width=names - 2, no_wrap=True)
    grid.add_column(overflow="fold")
    return grid


def _evidence_words(s: Statement, policy: Policy | None) -> str:
    """Whether a statement counts as the party's position, and why not when it does not."""
    if policy is None:
        return ""
    if policy.classify(s.channel, s.grade) is Evidence.stated:
        return "stated: can be the party's position"
    why = f"channel {s.channel}" if s.channel not in STATED_CHANNELS else f"grade {s.grade or 'none'}"
    return f"reported ({why}; the threshold is {policy.min_grade}): shown beside the position, never as it"


def show_view(
    revisions: Sequence[Statement], policy: Policy | None = None, *, current: Statement | None = None
) -> View:
    """One statement and its revisions; ``current``: the statement as it stands, when ``revisions`` are
    only some of its own (``show --by``). The JSON is the statement with ``revisions: [...]``."""
    latest = current or revisions[-1]
    data = {**_with_evidence(latest, policy), "revisions": [_with_evidence(r, policy) for r in revisions]}
    # Who recorded a revision goes under when (the instant whole, as --known-at takes it): five columns fit 80.
    history = Table(title=Plain("Revisions"), title_justify="left")
    history.add_column("rev")
    history.add_column("recorded", min_width=len("2025-03-14T00:00:00.000000Z"))
    history.add_column("stance")
    history.add_column("stated on", no_wrap=True)
    history.add_column("change")
    for r in revisions:
        what = "retracted" if r.retracted else ("first recorded" if r.rev == 1 else "corrected")
        what += f": {r.reason}" if r.reason else ""
        recorded = Plain(_at_most(r.recorded_at)).append(f"\nby {_at_most(r.recorded_by)}", style="dim")
        history.add_row(Plain(str(r.rev)), recorded, *(Plain(_at_most(v)) for v in (r.stance, r.stated_on, what)))
    return View(
        data,
        STATEMENT_COLUMNS,
        [statement_row(r) for r in revisions],
        latest.id,
        Group(statement_details(latest, policy), Fitted(history)),
    )


def revision_view(statement: Statement, policy: Policy | None = None) -> View:
    """What add / correct / retract print: the id (table) or the new revision (json, with its evidence)."""
    data = _with_evidence(statement, policy)
    return View(data, STATEMENT_COLUMNS, [statement_row(statement)], table=Plain(statement.id))


def parties_view(parties: Sequence[Party]) -> View:
    rows = [[p.id, p.name, list(p.aliases), p.color] for p in parties]
    return View([p.as_json() for p in parties], ["id", "name", "aliases", "color"], rows, "Parties")


def issues_view(issues: Sequence[Issue]) -> View:
    table = Table(title=Plain("Issues"), title_justify="left", show_lines=True)
    for column in ("id", "name", "question", "scale (score: code — label)", "keywords"):
        table.add_column(column, overflow="fold")
    for issue in issues:
        scale = Plain()
        for stance in issue.scale:
            scale.append(f"{stance.score}: {stance.code} — {stance.label}\n", style=stance_color(stance, issue))
        scale.rstrip()
        table.add_row(
            Plain(issue.id), Plain(issue.name), Plain(issue.question), scale, Plain(", ".join(issue.keywords))
        )
    rows = [[i.id, i.name, i.question, [s.code for s in i.scale], list(i.keywords)] for i in issues]
    columns = ["id", "name", "question", "scale", "keywords"]
    return View([i.as_json() for i in issues], columns, rows, "Issues", Fitted(table))


def policy_view(policy: Policy) -> View:
    """What counts as a position: the threshold and the conflict window."""
    rows: list[list[Any]] = [
        ["min_grade", policy.min_grade, "stated: official, spokesperson or interview, graded at least this well"],
        ["window_days", policy.window_days, "two speakers' different stances this close together conflict"],
    ]
    return View(policy.as_json(), ["setting", "value", "meaning"], rows, "Policy")


def problems_view(problems: Sequence[str], summary: str, warnings: Sequence[str] = ()) -> View:
    rows = [[p] for p in problems] + [[f"warning: {w}"] for w in warnings]
    table: RenderableType | None = None
    if not problems:
        table = Group(Plain(summary), *(Plain(f"warning: {w}", style="yellow") for w in warnings))
    return View(
        {"ok": not problems, "problems": list(problems), "warnings": list(warnings), "summary": summary},
        ["problem"],
        rows,
        f"{len(problems)} problem(s)" + (f", {len(warnings)} warning(s)" if warnings else ""),
        table,
    )


# -- diff ----------------------------------------------------------------------


def _change_summary(change: Change, book: Codebook) -> Line:
    issue = book.require_issue(change.issue)
    line = Line()
    if change.kind is ChangeKind.withdrawn:
        if change.before is not None:
            line.add(change.before.stance.label, stance_style(change.before.stance, issue))
        return line.add(f"\n{describe.withdrawal_words(change)}", "italic")
    if change.kind is ChangeKind.contested and change.after is not None:
        return line.add(describe.contested_line(change.after), "bold")
    if len(change.path) > 1:
        for n, step in enumerate(change.path):
            line.add(" → " if n else "")
            line.add(step.stance.label, stance_style(step.stance, issue))
    else:
        if change.before is not None:
            line.add(change.before.stance.label, stance_style(change.before.stance, issue))
        else:
            line.add(describe.NO_POSITION, "dim")
        line.add(" → " if change.kind is not ChangeKind.restated else " = ")
        if change.after is not None:
            line.add(change.after.stance.label, stance_style(change.after.stance, issue))
        else:
            line.add(describe.WITHDRAWN, "dim")
    moved = describe.direction(change, issue)
    return line.add(f"\n{moved}", "italic") if moved else line


def _words(statement: Statement, style: str = "") -> list[Line]:
    """The summary, then the verbatim quote: what the json, csv and markdown of a change carry too."""
    said = (statement.summary, statement.quote and f"“{statement.quote}”")
    return [Line(_at_most(words), style) for words in said if words]


def _said(statement: Statement) -> list[Line]:
    """Who said what, graded, and where: the evidence lines under a change."""
    said = Line(f"{statement.stated_on} · {statement.speaker or 'unknown speaker'}", "bold")
    said.add(f" · {statement.grade}" if statement.grade else "")
    lines: list[Line] = [said, *_words(statement)]
    where = statement.source.outlet or statement.source.title
    if where:
        lines.append(Line(where, "dim"))
    if statement.source.url:
        lines.append(url_line(statement.source.url))
    return lines


def _party_name(book: Codebook, party_id: str) -> Line:
    party = book.party(party_id)
    name = party.name if party else party_id
    return Line(name, f"bold {party.color}" if party and party.color else "bold")


def diff_view(diff: Diff, book: Codebook, title: str) -> View:
    heading = f"What changed: {diff.start} → {diff.end}" + (f" (as known at {diff.known_at})" if diff.known_at else "")
    empty = f"No changes between {diff.start} and {diff.end}."
    tables: list[RenderableType] = [Plain(f"{title}: {heading}", style="bold")]
    moves = [c for c in diff.changes if c.kind is not ChangeKind.reported]
    for issue in book.issues:
        changes = [c for c in moves if c.issue == issue.id]
        if not changes:
            continue
        tables.append(Plain(f"\n{issue.name} — {issue.question}", style="bold underline"))
        for change in changes:
            head = _party_name(book, change.party).add(": ").add_line(_change_summary(change, book))
            said = _said(describe.evidence(change))
            if len(change.statements) > 1:
                said.append(Line(f"({len(change.statements)} statements in the window: tracker log)", "dim"))
            if change.reported:
                said.append(Line(f"{describe.REPORTED} {describe.reported_line(change.reported)}", "italic"))
            tables.append(Block([head], indent=2))
            tables.append(Block(said, indent=6))
    reported = [c for c in diff.changes if c.kind is ChangeKind.reported and c.reported]
    if reported:
        # A cell's newest report in full, and how many more there are: at 100,000 statements a year brings
        # 7,500 reports to 330 cells, a wall no one reads at the morning brief (and 0.3 s to lay out);
        # `tracker log` lists each of them, and --format json/markdown carry them all.
        tables.append(Plain("\nReported, not confirmed", style="bold underline"))
        for change in reported:
            issue = book.require_issue(change.issue)
            report = change.reported[0]
            report_of = report.statement
            head = _party_name(book, change.party).add(f" · {issue.name}: ")
            head.add(report.stance.label, stance_style(report.stance, issue))
            who = report_of.speaker or "unknown speaker"
            head.add(f" · {report_of.grade or 'ungraded'} · {report_of.stated_on} · {who}")
            where = report_of.source.outlet or report_of.source.title
            head.add(f" ({report_of.channel}{', ' + where if where else ''})", "dim")
            tables.append(Block([head], indent=2))
            said = _words(report_of, "italic") + ([url_line(report_of.source.url)] if report_of.source.url else [])
            if len(change.reported) > 1:
                more = len(change.reported) - 1
                said.append(
                    Line(
                        f"(+{more} more {'report' if more == 1 else 'reports'}: "
                        f"tracker log --party {change.party} --issue {change.issue})",
                        "dim",
                    )
                )
            if said:
                tables.append(Block(said, indent=6))
    rendered: RenderableType = Group(*tables, colour_key(marked=False)) if diff.changes else Plain(empty)
    brief = partial(diff_markdown, diff, book, title)  # built only for --format markdown
    rows = Deferred(lambda: [diff_row(diff, change) for change in diff.changes])  # for csv: every statement's id
    return View(partial(diff_json, diff), DIFF_COLUMNS, rows, heading, rendered, brief, empty)
