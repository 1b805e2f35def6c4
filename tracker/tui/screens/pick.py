"""Choose which parties (``p``) or issues (``i``) the matrix shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection


class PickScreen(ModalScreen[set[str] | None]):
    """Dismisses with the ids left unticked (hidden), or None if cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Cancel"),
        Binding("enter", "apply", "Apply", priority=True),
        Binding("a", "all", "All"),
    ]

    def __init__(self, what: str, items: Sequence[tuple[str, str]], hidden: set[str]) -> None:
        super().__init__()
        self.what = what
        self.items = items
        self.hidden = hidden

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt"):
            yield Static(Text(f"Show which {self.what}?", style="bold"))
            yield SelectionList[str](
                *(Selection(Text(name), key, key not in self.hidden) for key, name in self.items), id="pick"
            )
            yield Static(Text("space: tick/untick  a: all  enter: apply  esc: cancel", style="dim"))

    def action_all(self) -> None:
        self.query_one(SelectionList).select_all()

    def action_apply(self) -> None:
        shown = set(self.query_one(SelectionList).selected)
        self.dismiss({key for key, _ in self.items if key not in shown})
