"""The diff's block layout: prose wraps inside its indent exactly as Rich would wrap it, URLs never break."""

from __future__ import annotations

import contextlib
import io
import random
from collections.abc import Iterator

import pytest
from rich.console import Console
from rich.padding import Padding
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.strip import Strip

from tests.helpers import BUNDLED
from tracker import render
from tracker.render import (
    Block,
    Fitted,
    Line,
    _space_breaks,
    _word_breaks,
    _wrapped,
    console,
    log_view,
    matrix_view,
    url_text,
)
from tracker.store import Store
from tracker.tui.components.matrix import rich_text_lines, text_lines

WORDS = ["NATO", "ceasefire", "a", "territory", "“indivisible", "security”", "—", "Istanbul", "·", "x" * 12]


def _lines(text: Text, width: int) -> list[str]:
    return [line.plain.rstrip() for line in _wrapped(text, width, Console(width=width))]


def test_the_fast_wrap_breaks_where_rich_breaks() -> None:
    rng = random.Random(13)
    for _ in range(400):
        plain = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 60)))
        if rng.random() < 0.2:
            plain = "  " + plain.replace(" ", "   ", 3)  # runs of spaces, leading spaces
        width = rng.randint(14, 90)
        expected = [line.plain.rstrip() for line in Text(plain).wrap(Console(width=width), width)]
        assert _lines(Text(plain), width) == expected, (plain, width)


def test_wide_characters_and_newlines_take_riches_way() -> None:
    for plain in ("Переговоры 和平 談判 " * 8, "one line\nand another line that is long enough to wrap " * 3):
        expected = [line.plain.rstrip() for line in Text(plain).wrap(Console(width=30), 30)]
        assert _lines(Text(plain), 30) == expected


def test_a_block_indents_every_line_and_never_breaks_a_url() -> None:
    url = "https://news.example.org/2025/02/12/a-very-long-path-that-is-wider-than-any-terminal-column"
    prose = Text("The United States does not believe that NATO membership for Ukraine is a realistic outcome")
    out = io.StringIO()
    shown = console(out)
    shown.width = 40
    shown.print(Block([prose, url_text(url)], indent=6), crop=False)
    lines = out.getvalue().splitlines()
    assert url in [line.strip() for line in lines]
    assert all(line.startswith("      ") and len(line) <= 40 for line in lines if url not in line)
    assert all(line == line.rstrip() for line in lines)  # no trailing blanks to paste
    assert " ".join(line.strip() for line in lines if url not in line) == prose.plain


def _printed(renderable: object, width: int) -> list[str]:
    out = io.StringIO()
    shown = console(out)
    shown.width = width
    shown.print(renderable, crop=False)
    return out.getvalue().splitlines()


def test_a_fitted_table_breaks_no_word_that_fits_and_never_cuts_a_date() -> None:
    rng = random.Random(11)
    for _ in range(300):
        width = rng.randint(50, 130)
        table = Table(show_lines=True)
        table.add_column("date", no_wrap=True)
        columns = rng.randint(1, 5)
        for n in range(columns):
            table.add_column(f"column {n}", min_width=rng.choice([None, 10]))
        rows = [
            ["2025-03-14", *(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 12))) for _ in range(columns))]
            for _ in range(rng.randint(1, 4))
        ]
        for row in rows:
            table.add_row(*row)
        lines = _printed(Fitted(table), width)
        printed = {word for line in lines for word in line.replace("│", " ").replace("┃", " ").split()}
        words = {word for row in rows for cell in row for word in cell.split()}
        assert "2025-03-14" in printed
        longest = [max(len(w) for row in rows for w in row[n].split()) for n in range(1, columns + 1)]
        if 10 + sum(longest) + 3 * (columns + 1) + 1 <= width:  # every word fits beside the others
            assert all(len(line) <= width for line in lines), (width, rows)
            assert words <= printed, (width, rows)


def test_a_fitted_table_continues_below_beside_the_kept_column() -> None:
    table = Table(title="Matrix")
    table.add_column("party")
    for n in range(9):
        table.add_column(f"issue{n}", min_width=10)
    table.add_row("Russia", *(f"2025-01-1{n}" for n in range(9)))
    lines = _printed(Fitted(table, keep=1), 80)
    assert all(len(line) <= 80 for line in lines)
    assert sum("Russia" in line for line in lines) == 2 and sum("Matrix" in line for line in lines) == 1
    assert all(f"2025-01-1{n}" in "\n".join(lines) for n in range(9))


def test_the_break_by_spaces_agrees_with_the_word_by_word_wrap() -> None:
    """``_space_breaks`` (the character past each line's room) finds the breaks ``_word_breaks`` finds word
    by word, Rich's way, on lines with leading blanks, runs of blanks and words longer than the line."""
    rng = random.Random(2)
    words = ["a", "bb", "word", "longerword", "x" * 12, "x" * 30, "“q”", "·", "2025-01-01"]
    for _ in range(20_000):
        parts = [" " * rng.randint(1, 6)] if rng.random() < 0.3 else []
        for _ in range(rng.randint(1, 25)):
            parts += [rng.choice(words), " " * rng.choice([1, 1, 1, 2, 3, 7])]
        plain = "".join(parts[: -1 if rng.random() < 0.5 else None])
        width = rng.randint(1, 40)
        if len(plain) > width:
            assert _space_breaks(plain, width) == _word_breaks(plain, width), (plain, width)


@contextlib.contextmanager
def _rich_cells(on: bool) -> Iterator[None]:
    """With ``on``, every table is Rich's own: its cells laid out by Rich's Text (the fast cells step aside)
    and its rows and borders by Rich's Table (``render._table`` steps aside)."""
    if not on:
        yield
        return
    simple, drawn_here = render._Cell.__init__, render._drawn_here

    def rich_only(self: render._Cell, text: Text) -> None:
        simple(self, text)
        self.simple = False

    render._Cell.__init__ = rich_only  # type: ignore[method-assign]
    render._drawn_here = lambda table: False
    try:
        yield
    finally:
        render._Cell.__init__ = simple  # type: ignore[method-assign]
        render._drawn_here = drawn_here


def _styled(output: str) -> list[list[tuple[str, str]]]:
    """Each line's characters with the style each is printed in: what a terminal shows of ANSI output."""
    reader = Console()
    return [
        [(line.plain[n], str(line.get_style_at_offset(reader, n))) for n in range(len(line.plain))]
        for line in Text.from_ansi(output).split("\n")
    ]


@pytest.mark.parametrize("colour", [False, True], ids=["plain", "colour"])
def test_a_fitted_table_prints_what_riches_table_prints(colour: bool) -> None:
    """The fast cells (``render._Cell``) lay out every cell as Rich's Text would: the bundled matrix and log
    at four widths print the same characters in the same styles as the table Rich lays out itself."""
    store = Store(BUNDLED)
    book = store.codebook
    views = [matrix_view(store.timeline().matrix(day), book, store.title) for day in ("2025-03-01", "2025-12-31")]
    views.append(log_view(store.latest()[:40], book, policy=store.policy))
    for view in views:
        assert view.table is not None
        for width in (50, 80, 120, 200):
            printed = []
            for fast in (True, False):
                out = Console(
                    file=io.StringIO(), width=width, force_terminal=colour,
                    color_system="truecolor" if colour else None, markup=False, emoji=False, highlight=False,
                )  # fmt: skip
                with _rich_cells(not fast):
                    out.print(view.table, crop=False)
                printed.append(out.file.getvalue())  # type: ignore[attr-defined]
            assert _styled(printed[0]) == _styled(printed[1]), width
            assert Text.from_ansi(printed[0]).plain == Text.from_ansi(printed[1]).plain


def _shown(output: str) -> list[list[tuple[str, str]]]:
    """:func:`_styled` without the blanks each line ends on (a block drops them, Rich pads with them)."""
    lines = _styled(output)
    for line in lines:
        while line and line[-1][0] == " ":
            line.pop()
    while lines and not lines[-1]:
        lines.pop()
    return lines


@pytest.mark.parametrize("colour", [True, False], ids=["terminal", "pipe"])
def test_a_block_prints_each_line_as_rich_prints_it(colour: bool) -> None:
    """Random styled lines (newlines, words longer than the line, marks): a block shows the same characters in
    the same styles as Rich shows the Text indented, by the fast path or by Rich's wrap; to a pipe (no colour
    system: the block is one string) the same characters."""
    rng = random.Random(3)
    words = ["alpha", "be", "c", "delta—x", "“quote”", "·", "x" * 15, "2025-01-01", "a,b", "→", "\n"]
    for _ in range(600):
        text = Text(style=rng.choice(["", "dim", "bold"]))
        for _ in range(rng.randint(1, 12)):
            text.append(rng.choice(words) + rng.choice([" ", ""]), style=rng.choice([None, "italic", "red"]))
        width, indent = rng.choice([27, 33, 50, 80]), rng.choice([0, 2, 6])
        printed = []
        for shown in (Block([text], indent=indent), Padding(text, (0, 0, 0, indent))):
            printed.append(_bytes_printed(shown, width, colour))
        assert _shown(printed[0]) == _shown(printed[1]), (text.plain, width, indent)


def _bytes_printed(renderable: object, width: int, colour: bool = True) -> str:
    out = Console(
        file=io.StringIO(), width=width, force_terminal=colour, color_system="truecolor" if colour else None,
        markup=False,
    )  # fmt: skip
    out.print(renderable, crop=False)
    printed: str = out.file.getvalue()  # type: ignore[attr-defined]
    return printed


def test_a_line_prints_byte_for_byte_what_the_same_text_prints() -> None:
    """A :class:`Line` is a Text without the making of one: random pieces in layered styles (a line's own,
    a piece's, a line laid into another), wide characters and controls, at several widths, print the
    same bytes, escape codes included, as the Text of the same pieces in a block."""
    rng = random.Random(11)
    words = ["alpha", "be", "c", "delta—x", "“quote”", "·", "x" * 15, "2025-01-01", "→", "\n", "世界", "\x1b[2J"]
    styles = ["", "", "italic", "bold #ff0000", "dim", "bold"]
    for _ in range(400):
        line, text = Line(style=rng.choice(styles)), None
        for _ in range(rng.randint(1, 10)):
            word, style = rng.choice(words) + rng.choice([" ", ""]), rng.choice(styles)
            if rng.random() < 0.15:
                inner = Line(word, rng.choice(styles)).add(rng.choice(words), rng.choice(styles))
                line.add_line(inner)
            else:
                line.add(word, style)
        text = Text(style=line.style)
        for piece, style in line.pieces:  # the Text a caller would have built, piece by piece
            text.append(piece, style or None)
        width, indent = rng.choice([24, 33, 80]), rng.choice([0, 2, 6])
        for colour in (True, False):
            assert _bytes_printed(Block([line], indent=indent), width, colour) == _bytes_printed(
                Block([text], indent=indent), width, colour
            ), (line.pieces, width, indent)


def test_a_line_never_lets_an_escape_through_nor_breaks_a_url() -> None:
    url = "https://example.org/" + "a" * 70
    printed = _bytes_printed(
        Block([Line("\x1b]0;owned\x07said", "bold").add("\x1b[31mred"), Line(url, no_wrap=True)], 2), 40
    )
    assert "\x1b]0" not in printed and "\x1b[31m" not in printed
    assert "saidred" in printed
    assert f"  {url}\n" in _bytes_printed(Block([Line(url, "", no_wrap=True)], indent=2), 40, colour=False)


def _cells(strips: list[Strip]) -> list[list[tuple[str, Style | None]]]:
    """Each strip as its characters, each with its style: what the screen shows, however it is cut."""
    return [[(c, s.style) for s in strip for c in s.text] for strip in strips]


def test_the_matrix_cells_fast_lines_show_what_riches_cut_and_pad_shows() -> None:
    """A cell's lines (``text_lines``) by the fast way: the same characters in the same styles as Rich's
    truncate-with-ellipsis and pad, line by line, for random styled texts of several lines, short and
    long, at several widths and heights (more lines than the cell holds, and fewer)."""
    rng = random.Random(5)
    console = Console(width=200, force_terminal=True, color_system="truecolor")
    words = ["Not now", "A1", "·", "⚑", "2025-03-01", "x" * 14, "“q”", "\n", "?", "→"]
    base = Style(bgcolor="#202020")
    for _ in range(500):
        text = Text(style=rng.choice(["", "bold"]))
        for _ in range(rng.randint(0, 9)):
            text.append(rng.choice(words) + rng.choice([" ", ""]), style=rng.choice([None, "italic", "bold red"]))
        width, height = rng.choice([6, 12, 20, 31]), rng.choice([1, 3, 4])
        fast = text_lines(text, width, height, base, console)
        assert all(strip.cell_length == width for strip in fast)
        assert _cells(fast) == _cells(rich_text_lines(text, width, height, base, console)), (text.plain, width)


def test_a_cell_with_a_wide_character_takes_riches_way() -> None:
    console = Console(width=200, force_terminal=True, color_system="truecolor")
    text = Text("世界 peace talks resumed")
    assert render.fitted_lines(text, 10, Style(), console) is None
    strips = text_lines(text, 12, 2, Style(), console)
    assert [strip.cell_length for strip in strips] == [12, 12]
