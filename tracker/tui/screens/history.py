"""A cell's history: every statement for one party and issue, newest first, with its revisions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...evidence import Evidence
from ...model import Issue, Party, Statement
from ...render import Plain, stance_text
from .source import OPEN_TOOLTIP, open_source

HistoryEntry = tuple[Statement, Sequence[Statement]]
"""A statement's latest revision, and all its revisions first to last."""

SHOWN = 100
"""Newest entries listed: each is wrapped to the screen when listed, so a cell with
hundreds of statements would take a noticeable moment to open. `tracker log` has the rest."""


def revision_line(revision: Statement) -> str:
    what = "retracted" if revision.retracted else "corrected"
    line = f"r{revision.rev} {what} {revision.recorded_at[:10]} by {revision.recorded_by or 'unknown'}"
    if revision.withdrawn_on:
        line += f", withdrawn on {revision.withdrawn_on}"
    return line + (f": {revision.reason}" if revision.reason else "")


def entry_text(
    statement: Statement, revisions: Sequence[Statement], issue: Issue, evidence: Evidence = Evidence.stated
) -> Text:
    """One statement in full, labelled stated or reported; every piece of stored text goes in as plain text."""
    text = Plain(statement.stated_on, style="bold", end="")  # Plain: a hand edit's escapes never reach the terminal
    text.append("  ")
    stance = issue.stance(statement.stance)
    if statement.retracted:
        text.append(stance.label if stance else statement.stance, style="strike")
        text.append("  RETRACTED", style="bold reverse")
    else:
        text.append_text(stance_text(stance, issue) if stance else Plain(statement.stance))
    text.append(f"  {statement.grade or 'ungraded'} · {statement.channel}", style="dim")
    text.append(f"  {evidence.value}", style="bold" if evidence is Evidence.stated else "italic")
    if statement.speaker:
        text.append(f"\n{statement.speaker}", style="bold")
    if statement.quote:
        text.append(("\n" if not statement.speaker else ": ") + f"“{statement.quote}”", style="italic")
    if statement.summary:
        text.append(f"\n{statement.summary}")
    if statement.conditions:
        text.append("\nconditions: ", style="dim")
        text.append("; ".join(statement.conditions))
    source = statement.source
    named = " — ".join(v for v in (source.title, source.outlet, source.published) if v)
    if named:
        text.append("\nsource: ", style="dim")
        text.append(named)
    if source.url:  # a line of its own: whole at 80 columns unless longer than the line (o shows it to copy)
        text.append(f"\n{source.url}", style="underline")
    for revision in revisions[1:]:
        text.append("\n" + revision_line(revision), style="yellow")
    text.append(f"\n{statement.id}", style="dim")
    return text


class HistoryScreen(Screen[None]):
    """Statements of one cell; the App fills it and refreshes it after any write."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", tooltip="Back to the matrix"),
        Binding("o", "open_source", "Open source", tooltip=OPEN_TOOLTIP),
        Binding("e", "correct", "Correct", tooltip="Correct the highlighted statement (a new revision)"),
        Binding("x", "retract", "Retract", tooltip="Retract the highlighted statement, with a reason"),
    ]
    HELP_TITLE = "A cell's history (enter on the matrix)"

    class Correct(Message):
        def __init__(self, statement: Statement) -> None:
            super().__init__()
            self.statement = statement

    class Retract(Message):
        def __init__(self, statement: Statement) -> None:
            super().__init__()
            self.statement = statement

    def __init__(
        self,
        party: Party,
        issue: Issue,
        entries: Sequence[HistoryEntry],
        evidence_of: Callable[[Statement], Evidence] | None = None,
    ) -> None:
        super().__init__()
        self.party = party
        self.issue = issue
        self.evidence_of = evidence_of or (lambda _: Evidence.stated)
        """Whether a statement is stated or reported, under the dashboard's policy."""
        self._entries: Sequence[HistoryEntry] = ()
        self._pending = entries

    def compose(self) -> ComposeResult:
        yield Static(id="history-title")
        yield OptionList(id="history-list")
        yield Footer()

    def on_mount(self) -> None:
        self.show(self._pending)

    def show(self, entries: Sequence[HistoryEntry]) -> None:
        """List these entries, keeping the highlighted statement if it is still there."""
        options = self.query_one(OptionList)
        keep = self.selected.id if self.selected else None
        self._entries = entries[:SHOWN]
        title = Plain(f"{self.party.name} · {self.issue.name}", style="bold")
        title.append(f"  {len(entries)} statement{'s' if len(entries) != 1 else ''}, newest first", style="dim")
        if len(entries) > SHOWN:
            command = f"tracker log --party {self.party.id} --issue {self.issue.id}"
            title.append(f" (the newest {SHOWN} shown; all of them: {command})", style="dim")
        if self.issue.question:
            title.append(f"\n{self.issue.question}", style="italic")
        self.query_one("#history-title", Static).update(title)
        options.clear_options()
        listed: list[Option | None] = []
        for statement, revisions in self._entries:
            shown = entry_text(statement, revisions, self.issue, self.evidence_of(statement))
            listed += [Option(shown, id=statement.id), None]  # None: a rule
        options.add_options(
            listed[:-1]
            or [Option(Text("No statements yet: press a on the matrix to add one.", style="italic"), disabled=True)]
        )
        ids = [s.id for s, _ in self._entries]
        options.highlighted = ids.index(keep) if keep in ids else (0 if ids else None)

    @property
    def selected(self) -> Statement | None:
        index = self.query_one(OptionList).highlighted
        if index is None or index >= len(self._entries):
            return None
        return self._entries[index][0]

    def action_open_source(self) -> None:
        statement = self.selected
        url = statement.source.url if statement else ""
        if not url.startswith(("https://", "http://")):
            self.notify("This statement has no web source to open.", severity="warning")
            return
        open_source(self.app, url)

    def action_correct(self) -> None:
        if self.selected is not None:
            self.post_message(self.Correct(self.selected))

    def action_retract(self) -> None:
        if self.selected is not None:
            self.post_message(self.Retract(self.selected))
