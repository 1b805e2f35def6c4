"""The dashboard: the matrix as of a date, stepping through the dates positions changed.

Only this class talks to the Store. Widgets are given what to show and post
messages back; every number they show comes from the Timeline the CLI uses.
"""

from __future__ import annotations

import os
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

from textual import events, on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input

from .. import dates
from ..errors import InputError, TrackerError
from ..model import Change, Issue, Party, Statement, sanitise
from ..store import Store
from ..timeline import CellKey, Timeline
from .components.cell_info import CellInfo
from .components.legend import Legend
from .components.matrix import MatrixTable
from .components.timeline_strip import TimelineStrip, in_effect
from .components.title_bar import TitleBar
from .inbox import InboxScreen
from .screens.date_prompt import DatePrompt
from .screens.help import HelpScreen
from .screens.history import Entry, HistoryScreen
from .screens.pick import PickScreen
from .screens.retract_form import RetractForm
from .screens.statement_form import StatementForm

POLL_SECONDS = 0.5
"""How often to look for another process's write: a stat, so it costs nothing."""

Signature = tuple[int, int, int] | None


def file_signature(path: os.PathLike[str]) -> Signature:
    """What changes when anyone replaces the store file (it is written by rename)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


@dataclass(frozen=True)
class Reread:
    """What a reload worker hands back to the app."""

    timeline: Timeline
    change_dates: list[str]
    title: str
    histories: dict[CellKey, list[Entry]]
    announce: bool


def matches(words: Sequence[str], *names: str) -> bool:
    """Whether any filter word appears in any of the names (case-insensitive)."""
    return any(word in name.lower() for word in words for name in names)


class TrackerApp(App[None]):
    """Where every party stands on every issue, as of a date, compared with another."""

    CSS_PATH = "app.tcss"
    TITLE = "tracker"
    STEP = Binding.Group("Step")
    BINDINGS: ClassVar[list[BindingType]] = [
        # In the order the footer shows them: what matters most first, for narrow terminals.
        Binding("left_square_bracket", "step(-1)", "Prev", group=STEP, tooltip="Step back to the previous change date"),
        Binding("right_square_bracket", "step(1)", "Next", group=STEP, tooltip="Step on to the next change date"),
        Binding("enter", "history", "History", tooltip="The highlighted cell's statements, newest first"),
        Binding("c", "compare", "Compare", tooltip="Mark what moved since a date (empty: stop comparing)"),
        Binding("a", "add", "Add", tooltip="Record a new statement"),
        Binding("e", "correct", "Correct", tooltip="Correct the highlighted cell's statement"),
        Binding("x", "retract", "Retract", tooltip="Retract the highlighted cell's statement"),
        Binding("question_mark", "help", "Help", tooltip="Every key, and how to read the matrix"),
        Binding("q", "quit", "Quit", tooltip="Quit the dashboard"),
        Binding("g", "goto", "Go to", tooltip="Show the matrix as of a date you type"),
        Binding("slash", "filter", "Filter", tooltip="Filter parties and issues by name"),
        Binding("left_curly_bracket", "edge(0)", "First", show=False, tooltip="Jump to the first change date"),
        Binding("right_curly_bracket", "edge(-1)", "Last", show=False, tooltip="Jump to the last change date"),
        Binding("p", "pick('parties')", "Parties", show=False, tooltip="Choose which parties are shown"),
        Binding("i", "pick('issues')", "Issues", show=False, tooltip="Choose which issues are shown"),
        Binding("n", "inbox", "Inbox", show=False, tooltip="Review candidate statements from the feeds"),
    ]

    MATRIX_ACTIONS = frozenset({"step", "edge", "goto", "compare", "history", "correct", "retract", "filter", "pick"})
    """Actions about the matrix: hidden from the footer while another screen is on top of it."""

    def __init__(self, store: Store, *, as_of: str | None = None, compare: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.as_of = as_of or dates.today().isoformat()
        self.compare = compare
        self.words: list[str] = []
        self.hidden: dict[str, set[str]] = {"parties": set(), "issues": set()}
        self.changes: dict[CellKey, Change] = {}
        self._store_lock = threading.Lock()
        """Held around every use of the store: reloads run in a thread, writes in this one."""
        self._reloading = False
        self._reload_again = False
        self._reload_failed = False
        self._signature = file_signature(store.path)
        # Read before the first paint: the matrix needs it, and a thread would only add a blank frame.
        self.timeline = store.timeline()
        self.change_dates = self.timeline.change_dates()
        self.codebook = self.timeline.codebook
        self.title = sanitise(store.title)  # the terminal's title bar shows it too

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in self.MATRIX_ACTIONS and len(self.screen_stack) > 1)

    # -- data ------------------------------------------------------------------

    def axes(self) -> tuple[list[Party], list[Issue]]:
        """The parties and issues shown: not hidden, and matching the filter if one is set."""
        parties = [p for p in self.codebook.parties if p.id not in self.hidden["parties"]]
        issues = [i for i in self.codebook.issues if i.id not in self.hidden["issues"]]
        if self.words:
            named_parties = [p for p in parties if matches(self.words, p.id, p.name)]
            named_issues = [i for i in issues if matches(self.words, i.id, i.name)]
            if named_parties or named_issues:
                parties, issues = named_parties or parties, named_issues or issues
            else:
                parties, issues = [], []
        return parties, issues

    # -- screen ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar(id="title")
        yield Input(placeholder="filter parties and issues by name (esc clears)", id="filter")
        yield TimelineStrip(id="strip")
        yield MatrixTable(id="matrix")
        yield CellInfo(id="info")
        yield Legend(id="legend")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.refresh_view()
        self.query_one(MatrixTable).focus()
        self.set_interval(POLL_SECONDS, self.poll)

    def refresh_view(self) -> None:
        """Push the matrix as of the current dates to the widgets; they redraw what differs."""
        parties, issues = self.axes()
        party_ids, issue_ids = [p.id for p in parties], [i.id for i in issues]
        cells = self.timeline.matrix(self.as_of, party_ids, issue_ids).cells if parties and issues else {}
        self.changes = {}
        if self.compare is not None and parties and issues:
            start, end = sorted((self.compare, self.as_of))
            diff = self.timeline.diff(start, end, party_ids, issue_ids)
            self.changes = {(c.party, c.issue): c for c in diff.changes}
        table = self.query_one(MatrixTable)
        table.show(parties, issues, cells, self.changes, compare=self.compare is not None)
        at = in_effect(self.change_dates, self.as_of)
        position = f"change {at + 1} of {len(self.change_dates)}" if at >= 0 else "before the first change"
        self.query_one(TitleBar).show(
            self.title,
            self.as_of,
            compare=self.compare,
            moved=len(self.changes),
            position=position,
            filtered=" ".join(self.words),
        )
        self.query_one(TimelineStrip).show(self.change_dates, self.as_of, self.compare)
        self.query_one(Legend).show(compare=self.compare is not None)
        self.show_cell_info()

    def show_cell_info(self) -> None:
        info = self.query_one(CellInfo)
        key = self.query_one(MatrixTable).cursor_key
        if key is None:
            info.say("Nothing to show: the filter or the p / i choices hide every party or issue.")
            return
        party, issue = self.codebook.require_party(key[0]), self.codebook.require_issue(key[1])
        info.show(party, issue, self.timeline.cell(*key, self.as_of), self.changes.get(key))

    @on(MatrixTable.Moved)
    def _moved(self) -> None:
        self.show_cell_info()

    @on(MatrixTable.Opened)
    def _opened(self, event: MatrixTable.Opened) -> None:
        self.open_history(event.party, event.issue)

    @on(TimelineStrip.Picked)
    def _picked(self, event: TimelineStrip.Picked) -> None:
        self.set_as_of(event.day)

    # -- time ------------------------------------------------------------------

    def set_as_of(self, day: str) -> None:
        self.as_of = day
        self.refresh_view()

    def action_step(self, direction: int) -> None:
        found = self.change_dates
        if direction < 0:
            at = bisect_left(found, self.as_of) - 1
            if at < 0:
                self.notify("No earlier change.", severity="warning", timeout=2)
                return
        else:
            at = bisect_right(found, self.as_of)
            if at >= len(found):
                self.notify("No later change.", severity="warning", timeout=2)
                return
        self.set_as_of(found[at])

    def action_edge(self, index: int) -> None:
        if self.change_dates:
            self.set_as_of(self.change_dates[index])

    def action_goto(self) -> None:
        def chosen(day: str | None) -> None:
            if day:
                self.set_as_of(day)

        self.push_screen(DatePrompt("Show the matrix as of:", self.as_of), chosen)

    def action_compare(self) -> None:
        def chosen(day: str | None) -> None:
            if day is not None:
                self.compare = day or None
                self.refresh_view()

        self.push_screen(DatePrompt("Compare with:", self.compare or "", allow_empty=True), chosen)

    # -- filters ---------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.words = event.value.lower().split()
        self.refresh_view()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = bool(box.value)
        self.query_one(MatrixTable).focus()

    def on_key(self, event: events.Key) -> None:
        # Escape on the matrix clears a filter left in place with enter, without refocusing the box first.
        box = self.query_one("#filter", Input)
        if event.key == "escape" and self.screen is self.screen_stack[0] and box.display:
            box.value = ""
            self._filter_done()
            event.stop()

    def action_pick(self, what: str) -> None:
        items = self.codebook.parties if what == "parties" else self.codebook.issues
        choices = [(item.id, item.name) for item in items]

        def chosen(hidden: set[str] | None) -> None:
            if hidden is not None:
                self.hidden[what] = hidden
                self.refresh_view()

        self.push_screen(PickScreen(what, choices, self.hidden[what]), chosen)

    # -- history -----------------------------------------------------------------

    def history_entries(self, party: str, issue: str, timeline: Timeline | None = None) -> list[Entry]:
        """The cell's statements, newest first, each with its revisions when it has more than one.

        Call with the store lock held.
        """
        statements = (timeline or self.timeline).statements(party, issue)
        revised = {s.id for s in statements if s.rev > 1}
        revisions = self.store.histories(revised) if revised else {}  # builds only these, not every revision
        return [(s, revisions.get(s.id, [s])) for s in statements]

    def action_history(self) -> None:
        key = self.query_one(MatrixTable).cursor_key
        if key is not None:
            self.open_history(*key)

    def open_history(self, party: str, issue: str) -> None:
        with self._store_lock:
            entries = self.history_entries(party, issue)
        self.push_screen(HistoryScreen(self.codebook.require_party(party), self.codebook.require_issue(issue), entries))

    @on(HistoryScreen.Correct)
    def _history_correct(self, event: HistoryScreen.Correct) -> None:
        self.push_screen(StatementForm(self.codebook, original=event.statement))

    @on(HistoryScreen.Retract)
    def _history_retract(self, event: HistoryScreen.Retract) -> None:
        self.push_screen(RetractForm(event.statement))

    # -- recording -----------------------------------------------------------------

    def _current_statement(self) -> Statement | None:
        key = self.query_one(MatrixTable).cursor_key
        cell = self.timeline.cell(*key, self.as_of) if key else None
        if cell is None:
            self.notify("No statement in this cell as of this date: press a to add one.", severity="warning")
            return None
        return cell.statement

    def action_add(self) -> None:
        key = self.query_one(MatrixTable).cursor_key
        defaults = {"date": self.as_of} | ({"party": key[0], "issue": key[1]} if key else {})
        self.push_screen(StatementForm(self.codebook, defaults=defaults))

    def action_correct(self) -> None:
        statement = self._current_statement()
        if statement is not None:
            self.push_screen(StatementForm(self.codebook, original=statement))

    def action_retract(self) -> None:
        statement = self._current_statement()
        if statement is not None:
            self.push_screen(RetractForm(statement))

    @on(StatementForm.Submitted)
    def _statement_submitted(self, event: StatementForm.Submitted) -> None:
        form = event.form
        try:
            with self._store_lock:
                if form.original is None:
                    saved = self.store.add(event.fields)
                else:
                    saved = self.store.correct(form.original.id, event.fields, reason=event.reason)
        except TrackerError as error:
            form.refused(InputError(str(error)))
            return
        form.dismiss()
        self._written(saved, "recorded" if form.original is None else f"corrected (revision {saved.rev})")

    @on(RetractForm.Submitted)
    def _retract_submitted(self, event: RetractForm.Submitted) -> None:
        form = event.form
        try:
            with self._store_lock:
                saved = self.store.retract(form.statement.id, event.reason, withdrawn_on=event.withdrawn_on)
        except TrackerError as error:
            form.refused(InputError(str(error)))
            return
        form.dismiss()
        self._written(saved, "retracted")

    def _written(self, saved: Statement, what: str) -> None:
        self.start_reload()
        later = "; it is after the as-of date, press ] to see it" if saved.stated_on > self.as_of else ""
        self.notify(f"{saved.party} · {saved.issue}: {saved.id} {what}{later}", markup=False)
        self.query_one(MatrixTable).move_to(saved.party, saved.issue)

    # -- the file --------------------------------------------------------------------

    def poll(self) -> None:
        """Reload when another process (``tracker add`` elsewhere) has replaced the file."""
        if file_signature(self.store.path) != self._signature:
            self.start_reload(announce=True)

    def start_reload(self, *, announce: bool = False) -> None:
        """Re-read the store in a thread, so a large file does not freeze the keys meanwhile."""
        if self._reloading:
            self._reload_again = True
            return
        self._reloading = True
        self._signature = file_signature(self.store.path)  # before reading: a later write is seen next poll
        cells = [(s.party.id, s.issue.id) for s in self.screen_stack if isinstance(s, HistoryScreen)]
        self.run_worker(partial(self._read_store, cells, announce), thread=True, group="reload", exit_on_error=False)

    def _read_store(self, cells: list[CellKey], announce: bool) -> None:
        """In a worker thread: the new timeline, and the history of any cell whose history is open."""
        try:
            with self._store_lock:
                self.store.reload_if_changed()
                timeline = self.store.timeline()
                if timeline is self.timeline:  # cached: nothing changed after all
                    self.call_from_thread(self._reloaded, None)
                    return
                read = Reread(
                    timeline,
                    timeline.change_dates(),
                    sanitise(self.store.title),
                    {cell: self.history_entries(*cell, timeline) for cell in cells},
                    announce,
                )
        except TrackerError as error:
            self.call_from_thread(self._reload_failed_with, error)
            return
        self.call_from_thread(self._reloaded, read)

    def _reloaded(self, read: Reread | None) -> None:
        """Show what the worker read; the dates, the cursor and the filters stay as they were."""
        self._reloading, self._reload_failed = False, False
        if read is not None:
            self.timeline, self.change_dates, self.title = read.timeline, read.change_dates, read.title
            self.codebook = read.timeline.codebook
            self.refresh_view()
            for screen in self.screen_stack:
                entries = (
                    read.histories.get((screen.party.id, screen.issue.id))
                    if isinstance(screen, HistoryScreen)
                    else None
                )
                if isinstance(screen, HistoryScreen) and entries is not None:
                    screen.show(entries)
            if read.announce:
                self.notify("The store changed on disk: reloaded.", timeout=3)
        if self._reload_again:
            self._reload_again = False
            self.start_reload()

    def _reload_failed_with(self, error: TrackerError) -> None:
        self._reloading = False
        if not self._reload_failed:
            self.notify(f"Cannot re-read the store: {error}", severity="error", markup=False)
        self._reload_failed = True

    # -- keys, help, palette -----------------------------------------------------------

    def action_inbox(self) -> None:
        self.push_screen(InboxScreen(self.store))

    def on_inbox_screen_accepted(self, event: InboxScreen.Accepted) -> None:
        # The poll would see the write too, half a second later; this also puts the cursor on it.
        self._written(event.statement, "recorded from the inbox")

    def key_help(self) -> list[tuple[str, str]]:
        """Every key with what it does, from the bindings, so help never disagrees with them."""
        found = [(b.key_display or self.get_key_display(b), b.tooltip or b.description) for b in self._bindings_list()]
        return [*found, ("arrows / mouse", "Move between cells"), ("ctrl+p", "Command palette: every action")]

    def _bindings_list(self) -> Iterable[Binding]:
        return [b for b in Binding.make_bindings(self.BINDINGS) if b.description]

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.key_help()))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for binding in self._bindings_list():
            title = f"{binding.description} ({self.get_key_display(binding)})"
            yield SystemCommand(title, binding.tooltip, partial(self.run_action, binding.action))
        yield from super().get_system_commands(screen)
