"""``?``: every key, with what it does, and how to read the matrix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..components.legend import legend_text


def keys_table(keys: Sequence[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True, min_width=14)
    table.add_column()
    for key, what in keys:
        table.add_row(Text(key), Text(what))
    return table


class HelpScreen(ModalScreen[None]):
    """Every key, screen by screen (the matrix, a history, the inbox, the forms, the pickers)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, sections: Sequence[tuple[str, Sequence[tuple[str, str]]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text("tracker: keys", style="bold"))
            for title, keys in self.sections:
                yield Static(Text(f"\n{title}", style="bold underline"))
                yield Static(keys_table(keys))
            reading = Text(
                "\nEach cell: the stance, coloured by its place on the issue's scale and marked ·●· along it; "
                "which of the cell's positions it is (4th: the fourth stance it has held; a statement's "
                "corrections are its revisions, r2, r3, in its history) and its grade; the date it was stated. "
                "With a comparison date, ◆ marks cells that moved, with where from and which way.\n",
            )
            yield Static(reading)
            yield Static(legend_text(True, plain=self.app.no_color))
