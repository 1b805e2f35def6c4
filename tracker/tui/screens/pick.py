"""Choose which parties (``p``) or issues (``i``) the matrix shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widgets import SelectionList, Static
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import Selection

TICKED, UNTICKED = "✓", " "


class TickList(SelectionList[str]):
    """A SelectionList whose box holds ✓ when ticked and nothing when not.

    Textual draws the same "X" in both states and tells them apart by shade
    alone, which a monochrome terminal (NO_COLOR) or a tired eye does not see.
    """

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        # The box is [left, inner, right, " ", *prompt] (SelectionList.render_line); only the inner changes.
        if len(segments) < 4 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        mark = TICKED if selection.value in self.selected else UNTICKED
        segments[1] = Segment(mark, segments[1].style, segments[1].control)
        return Strip(segments, strip.cell_length)


class PickScreen(ModalScreen[set[str] | None]):
    """Dismisses with the ids left unticked (hidden), or None if cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Cancel", tooltip="Close, showing what was shown before"),
        Binding("enter", "apply", "Apply", priority=True, tooltip="Show the ticked ones"),
        Binding("a", "all", "All", tooltip="Tick them all"),
    ]
    HELP_TITLE = "Choosing parties (p) or issues (i)"

    def __init__(self, what: str, items: Sequence[tuple[str, str]], hidden: set[str]) -> None:
        super().__init__()
        self.what = what
        self.items = items
        self.hidden = hidden

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt"):
            yield Static(Text(f"Show which {self.what}?", style="bold"))
            yield TickList(*(Selection(Text(name), key, key not in self.hidden) for key, name in self.items), id="pick")
            yield Static(Text("space: tick/untick  a: all  enter: apply  esc: cancel", style="dim"))

    def action_all(self) -> None:
        self.query_one(SelectionList).select_all()

    def action_apply(self) -> None:
        shown = set(self.query_one(SelectionList).selected)
        self.dismiss({key for key, _ in self.items if key not in shown})
