"""What every recording form shares: escape cancels, ctrl+s and the Save button save."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Label, Static


def field_row(label: str, name: str, control: Widget) -> Horizontal:
    """One form row: the label, the control, and the line where its error is shown."""
    return Horizontal(
        Label(label, classes="field-label"),
        Vertical(control, Static(id=f"{name}-error", classes="error"), classes="field-body"),
        classes="field",
    )


def say(where: Static, message: str) -> None:
    """Show an error line, or hide it when there is nothing to say."""
    where.update(Text(message))
    where.display = bool(message)


class FormScreen(ModalScreen[None]):
    """A modal form; subclasses say what saving means in :meth:`action_save` and what was typed in :meth:`typed`.

    Escape (and the Cancel button) closes an untouched form at once; one with
    something typed in it asks first: a slip of the key cost the analyst the
    quote they had just pasted.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Cancel (asks first if anything was typed)")
    ]
    HELP_TITLE = "Forms (a add, e correct, x retract)"

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        raise NotImplementedError

    def typed(self) -> bool:
        """Whether the analyst changed anything since the form opened."""
        raise NotImplementedError

    def action_cancel(self) -> None:
        if not self.typed():
            self.dismiss()
            return

        def decided(discard: bool | None) -> None:
            if discard:
                self.dismiss()

        self.app.push_screen(ConfirmDiscard(), decided)


class ConfirmDiscard(ModalScreen[bool]):
    """Asks whether to throw away what was typed: d discards, escape (or k) goes back to the form."""

    DEFAULT_CSS = """
    ConfirmDiscard { align: center middle; background: $background 60%; }
    ConfirmDiscard > Vertical { width: 50; height: auto; border: thick $warning; background: $surface; padding: 0 1; }
    ConfirmDiscard Horizontal { height: auto; align-horizontal: right; }
    ConfirmDiscard Button { margin-left: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "discard", "Discard"),
        Binding("escape,k", "keep", "Keep editing"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Discard what you typed?", style="bold"))
            with Horizontal():
                yield Button("Discard  d", variant="error", id="discard", compact=True)
                yield Button("Keep editing  esc", variant="primary", id="keep", compact=True)

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    @on(Button.Pressed, "#discard")
    def action_discard(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        self.dismiss(False)
