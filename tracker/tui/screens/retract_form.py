"""Retract a statement (``x``): a reason, and optionally the day the party withdrew it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Static

from ... import dates
from ...errors import InputError, TrackerError
from ...model import Statement
from .form import FormScreen, field_row, say


class RetractForm(FormScreen):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "save", "Retract", priority=True)]

    class Submitted(Message):
        def __init__(self, form: RetractForm, reason: str, withdrawn_on: str) -> None:
            super().__init__()
            self.form = form
            self.reason = reason
            self.withdrawn_on = withdrawn_on

    def __init__(self, statement: Statement) -> None:
        super().__init__()
        self.statement = statement

    def compose(self) -> ComposeResult:
        s = self.statement
        with Vertical(id="form", classes="small"):
            heading = Text(f"Retract {s.id}", style="bold")
            heading.append(f"\n{s.party} · {s.issue}: {s.stance}, stated {s.stated_on}", style="dim")
            yield Static(heading, id="form-title")
            yield Static(id="form-error", classes="error")
            reason = Input(placeholder="why: misattributed, offer withdrawn…", id="reason", compact=True)
            yield field_row("Reason*", "reason", reason)
            hint = "empty: it never stood; or the date it was withdrawn"
            yield field_row("Withdrawn on", "withdrawn", Input(placeholder=hint, id="withdrawn", compact=True))
            with Horizontal(id="form-buttons"):
                yield Button("Retract  ctrl+s", variant="error", id="save", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        if event.input.id == "withdrawn":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        given = self.query_one("#withdrawn", Input).value.strip()
        withdrawn = ""
        say(self.query_one("#reason-error", Static), "" if reason else "a retraction needs a reason")
        try:
            withdrawn = dates.parse_date(given).isoformat() if given else ""
            say(self.query_one("#withdrawn-error", Static), "")
        except InputError as error:
            say(self.query_one("#withdrawn-error", Static), str(error))
            return
        if reason:
            self.post_message(self.Submitted(self, reason, withdrawn))

    def typed(self) -> bool:
        return any(self.query_one(f"#{name}", Input).value.strip() for name in ("reason", "withdrawn"))

    def refused(self, error: TrackerError) -> None:
        say(self.query_one("#form-error", Static), str(error))
