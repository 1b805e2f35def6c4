"""The diff's block layout: prose wraps inside its indent exactly as Rich would wrap it, URLs never break."""

from __future__ import annotations

import io
import random

from rich.console import Console
from rich.text import Text

from tracker.render import Block, _wrapped, console, url_text

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
