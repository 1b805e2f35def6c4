"""Ask for a date (``g`` goes to one, ``c`` compares with one)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ... import dates
from ...errors import InputError
from .form import say


class DatePrompt(ModalScreen[str | None]):
    """Dismisses with an ISO date, "" when clearing is allowed and the box is left empty, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Cancel")]

    def __init__(self, question: str, value: str = "", *, allow_empty: bool = False) -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.allow_empty = allow_empty

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt"):
            yield Static(Text(self.question, style="bold"))
            yield Input(self.value, placeholder=dates.HELP, id="date")
            yield Static(id="date-error", classes="error")
            hint = f"{dates.HELP}" + ("; leave empty to stop comparing" if self.allow_empty else "")
            yield Static(Text(f"enter: go  esc: cancel  ({hint})", style="dim"))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text and self.allow_empty:
            self.dismiss("")
            return
        try:
            day = dates.parse_date(text).isoformat()
        except InputError as error:
            say(self.query_one("#date-error", Static), str(error))
            return
        self.dismiss(day)
