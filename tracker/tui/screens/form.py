"""What every recording form shares: escape cancels, ctrl+s and the Save button save."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
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
    """A modal form; subclasses say what saving means in :meth:`action_save`."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Cancel")]

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss()

    def action_save(self) -> None:
        raise NotImplementedError
