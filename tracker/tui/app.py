"""The dashboard: the matrix as of a date, stepping through the dates positions changed.

The app holds a :class:`~.session.Session`, its one way to the store; screens
and widgets are given what to show and post messages back, and the app turns
those into session calls. Every number shown comes from the Timeline the CLI uses.
"""

from __future__ import annotations

import itertools
import os
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input
from textual.worker import Worker, get_current_worker

from .. import dates
from ..errors import TrackerError
from ..gap import spread_at, steps
from ..model import Change, Issue, Party, Statement
from ..timeline import CellKey, Matrix
from .components.cell_info import CellInfo
from .components.legend import Legend
from .components.matrix import MatrixTable
from .components.timeline_strip import TimelineStrip, in_effect
from .components.title_bar import TitleBar
from .components.trend_plot import Trend
from .screens.date_prompt import DatePrompt
from .screens.form import FormScreen
from .screens.help import HelpScreen
from .screens.history import HistoryScreen
from .screens.inbox import InboxScreen
from .screens.pick import PickScreen
from .screens.retract_form import RetractForm
from .screens.statement_form import StatementForm
from .screens.trend import TrendScreen, window
from .session import Session, Snapshot

POLL_SECONDS = 0.1
"""How often to look for another process's write: a stat, so it costs nothing. It bounds how late a reload
starts after the writer is done: 0.05 s on average, where 0.5 s took most of the 0.6 s a reload has at
100,000 statements (issue 18: 0.3x of parsing the file)."""
WRITER_WAIT_SECONDS = 5.0
"""How long a poll that found the file replaced waits for its writer to let go of the lock (it leaves the
index cache first) before reloading anyway: a holder that never lets go does not hide a change for good."""
SCREENSHOT_TOOLTIP = "Save the screen as an SVG picture in the current folder, for the brief"


def _let_go(_: object) -> None:
    """Nothing: a call scheduled with an object keeps it alive until the call has run."""


def matches(words: Sequence[str], *names: str) -> bool:
    """Whether any filter word appears in any of the names (case-insensitive)."""
    return any(word in name.lower() for word in words for name in names)


def cell_words(grid: Matrix, key: CellKey) -> list[str]:
    """What one cell says, to filter on: speaker, summary and quote of every statement it shows."""
    cell = grid.cells.get(key)
    shown = [cell, *cell.conflicts, *cell.reported] if cell is not None else list(grid.unconfirmed.get(key, ()))
    return [text for c in shown for text in (c.statement.speaker, c.statement.summary, c.statement.quote)]


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
        Binding("slash", "filter", "Filter", tooltip="Filter by party or issue name, speaker or what was said"),
        Binding("left_curly_bracket", "edge(0)", "First", show=False, tooltip="Jump to the first change date"),
        Binding("right_curly_bracket", "edge(-1)", "Last", show=False, tooltip="Jump to the last change date"),
        Binding("p", "pick('parties')", "Parties", show=False, tooltip="Choose which parties are shown"),
        Binding("i", "pick('issues')", "Issues", show=False, tooltip="Choose which issues are shown"),
        Binding("n", "inbox", "Inbox", show=False, tooltip="Review candidate statements from the feeds"),
        Binding("r", "toggle_reports", "Reports", show=False, tooltip="Count reports (media, leaks) as positions"),
        Binding("t", "trend", "Trend", show=False, tooltip="The highlighted issue over time: each party's stance"),
    ]

    MATRIX_ACTIONS = frozenset(
        {
            "step",
            "edge",
            "goto",
            "compare",
            "history",
            "correct",
            "retract",
            "filter",
            "pick",
            "toggle_reports",
            "trend",
        }
    )
    """Actions about the matrix: hidden from the footer while another screen is on top of it."""

    def __init__(
        self,
        session: Session,
        *,
        as_of: str | None = None,
        compare: str | None = None,
        include_reported: bool = False,
    ) -> None:
        if os.environ.get("NO_COLOR") == "":
            # no-color.org: only a non-empty NO_COLOR turns colour off, as Rich (the command line) reads
            # it; Textual 8 takes an empty one as set, so it is unset before Textual reads it.
            del os.environ["NO_COLOR"]
        super().__init__()
        self.session = session
        self.as_of = as_of or dates.today().isoformat()
        self.compare = compare
        self.words: list[str] = []
        self.hidden: dict[str, set[str]] = {"parties": set(), "issues": set()}
        self.changes: dict[CellKey, Change] = {}
        self._reload: Worker[None] | None = None
        """The latest reload worker: the poll starts no other while it runs."""
        self._reload_error_shown = False
        """A file that cannot be read is reported once, not at every poll."""
        self._writer_seen: float | None = None
        """When the poll first found the file replaced while a writer held the lock (``time.monotonic``)."""
        self.include_reported = include_reported
        """``r``: reports count as positions too (``--include-reported``), for this session only."""
        # Read before the first paint: the matrix needs it, and a thread would only add a blank frame.
        self._show_snapshot(session.snapshot(include_reported=self.include_reported))

    def _show_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.timeline, self.change_dates, self.codebook = snapshot.timeline, snapshot.change_dates, snapshot.codebook
        self.title = snapshot.title

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in self.MATRIX_ACTIONS and len(self.screen_stack) > 1)

    # -- data ------------------------------------------------------------------

    def axes(self) -> tuple[list[Party], list[Issue], Matrix | None]:
        """The parties and issues shown, and their matrix as of the date: not hidden, and matching the filter.

        A filter word that names a party or an issue (id or name: "rus kursk")
        keeps those; any other word is looked for in what the cells say (the
        speaker, summary and quote of the position, of a conflicting statement
        and of the reports shown beside it: "putin"), and keeps the parties and
        issues of the cells that say it. Nothing matching shows nothing, and
        the matrix says so.
        """
        parties = [p for p in self.codebook.parties if p.id not in self.hidden["parties"]]
        issues = [i for i in self.codebook.issues if i.id not in self.hidden["issues"]]
        party_words = [w for w in self.words if any(matches([w], p.id, p.name) for p in parties)]
        issue_words = [w for w in self.words if any(matches([w], i.id, i.name) for i in issues)]
        if party_words:
            parties = [p for p in parties if matches(party_words, p.id, p.name)]
        if issue_words:
            issues = [i for i in issues if matches(issue_words, i.id, i.name)]
        if not parties or not issues:
            return parties, issues, None
        grid = self.timeline.matrix(self.as_of, [p.id for p in parties], [i.id for i in issues])
        said = [w for w in self.words if w not in party_words and w not in issue_words]
        if said:
            keys = [(p.id, i.id) for p in parties for i in issues]
            found = {key for key in keys if matches(said, *cell_words(grid, key))}
            parties = [p for p in parties if any((p.id, i.id) in found for i in issues)]
            issues = [i for i in issues if any((p.id, i.id) in found for p in parties)]
        return parties, issues, grid

    # -- screen ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar(id="title")
        yield Input(placeholder="filter: a party, an issue, a speaker, words said (esc clears)", id="filter")
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
        parties, issues, grid = self.axes()
        party_ids, issue_ids = [p.id for p in parties], [i.id for i in issues]
        cells = grid.cells if grid is not None else {}
        self.changes = {}
        if self.compare is not None and parties and issues:
            start, end = sorted((self.compare, self.as_of))
            diff = self.timeline.diff(start, end, party_ids, issue_ids)
            self.changes = {(c.party, c.issue): c for c in diff.changes}
        table = self.query_one(MatrixTable)
        unconfirmed = grid.unconfirmed if grid is not None else {}
        table.show(
            parties,
            issues,
            cells,
            self.changes,
            compare=self.compare is not None,
            unconfirmed=unconfirmed,
            empty=self.nothing_shown(),
            spreads={i.id: spread_at(self.timeline, i, party_ids, self.as_of) for i in issues},
        )
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

    def nothing_shown(self) -> str:
        """What the matrix says when it shows no cell: why, and how to see some again."""
        if self.words:
            return f"no cell matches '{' '.join(self.words)}' (esc clears the filter)"
        return "Nothing to show: the p / i choices hide every party or issue (a ticks them all)."

    def show_cell_info(self) -> None:
        info = self.query_one(CellInfo)
        key = self.query_one(MatrixTable).cursor_key
        if key is None:
            info.say(self.nothing_shown())
            return
        party, issue = self.codebook.require_party(key[0]), self.codebook.require_issue(key[1])
        cell = self.timeline.cell(*key, self.as_of)
        reports = self.timeline.reported(*key, self.as_of) if cell is None else ()
        info.show(party, issue, cell, self.changes.get(key), reports)

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
        """The as-of date to the previous or next change date (the matrix's and the trend view's ``[`` ``]``)."""
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
        self._trend_screens()

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

    # -- trend -------------------------------------------------------------------

    def action_trend(self) -> None:
        key = self.query_one(MatrixTable).cursor_key
        if key is None:
            self.notify(self.nothing_shown(), severity="warning")
            return
        self.push_screen(TrendScreen(self.trend(key[1])))

    def trend(self, issue_id: str) -> Trend:
        """One issue's course among the parties the matrix shows, over the trend window, as of the date."""
        issue = self.codebook.require_issue(issue_id)
        parties = self.query_one(MatrixTable).parties
        since, until = window(self.change_dates, self.as_of)
        course = steps(self.timeline, issue.id, [p.id for p in parties], since, until)
        return Trend(issue, parties, course, since, until, self.as_of)

    @on(TrendScreen.Step)
    def _trend_step(self, event: TrendScreen.Step) -> None:
        self.action_step(event.direction)

    def _trend_screens(self) -> None:
        """Every open trend view redrawn from the current timeline and as-of date (after a step or a reload)."""
        for screen in self.screen_stack:
            if isinstance(screen, TrendScreen) and self.codebook.issue(screen.issue_id):
                screen.show(self.trend(screen.issue_id))

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

    def action_history(self) -> None:
        key = self.query_one(MatrixTable).cursor_key
        if key is not None:
            self.open_history(*key)

    def open_history(self, party: str, issue: str) -> None:
        entries = self.session.history(self.timeline, party, issue)
        party_, issue_ = self.codebook.require_party(party), self.codebook.require_issue(issue)
        self.push_screen(HistoryScreen(party_, issue_, entries, self.timeline.evidence_of))

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
            if form.candidate is not None:
                saved = self.session.accept(form.candidate.id, event.fields)
            elif form.original is None:
                saved = self.session.add(event.fields)
            else:
                saved = self.session.correct(form.original.id, event.fields, reason=event.reason)
        except TrackerError as error:
            form.refused(error)
            return
        form.dismiss()
        if form.candidate is not None:
            accepted = form.candidate.id
            self._inbox_screens(lambda screen: screen.drop(accepted))
        what = "recorded from the inbox" if form.candidate else "recorded" if form.original is None else None
        self._written(saved, what or f"corrected (revision {saved.rev})")

    @on(RetractForm.Submitted)
    def _retract_submitted(self, event: RetractForm.Submitted) -> None:
        form = event.form
        try:
            saved = self.session.retract(form.statement.id, event.reason, withdrawn_on=event.withdrawn_on)
        except TrackerError as error:
            form.refused(error)
            return
        form.dismiss()
        self._written(saved, "retracted")

    def _written(self, saved: Statement, what: str) -> None:
        self.reload()
        later = "; it is after the as-of date, press ] to see it" if saved.stated_on > self.as_of else ""
        self.notify(f"{saved.party} · {saved.issue}: {saved.id} {what}{later}", markup=False)
        self.query_one(MatrixTable).move_to(saved.party, saved.issue)

    # -- the file --------------------------------------------------------------------

    def poll(self) -> None:
        """Reload when another process (``tracker add`` elsewhere) has replaced the file and is done with it.

        A writer replaces the file, then leaves its index cache beside it, and only then lets go of the
        lock. A reload in between finds no cache of the new file and parses it whole (3-5 s at 100,000
        statements; 0.2-0.4 s from the cache), so while the lock is held the poll waits, at most
        :data:`WRITER_WAIT_SECONDS`.
        """
        if self._reload is not None and self._reload.is_running:
            return
        if not self.session.changed_on_disk():
            self._writer_seen = None
            return
        if self.session.being_written():
            now = time.monotonic()
            if self._writer_seen is None:
                self._writer_seen = now
            if now - self._writer_seen < WRITER_WAIT_SECONDS:
                return
        self._writer_seen = None
        self.reload(announce=True)

    def reload(self, *, announce: bool = False) -> None:
        """Re-read the store in a worker thread, so a large file does not freeze the keys meanwhile."""
        cells = [(s.party.id, s.issue.id) for s in self.screen_stack if isinstance(s, HistoryScreen)]
        inbox = any(isinstance(s, InboxScreen) for s in self.screen_stack)
        self._reload = self._read_store(cells, inbox, announce)

    @work(thread=True, exclusive=True, group="reload", exit_on_error=False)
    def _read_store(self, cells: list[CellKey], inbox: bool, announce: bool) -> None:
        """In a worker thread: the new snapshot, with the history of any cell whose history is open.

        ``exclusive`` cancels an older reload when a newer one starts; a thread
        cannot be stopped mid-read, so a cancelled one drops what it read, and
        :meth:`_reloaded` drops any snapshot older than the one shown.
        """
        try:
            snapshot = self.session.snapshot(cells, candidates=inbox, include_reported=self.include_reported)
        except TrackerError as error:
            if not get_current_worker().is_cancelled:
                self.call_from_thread(self._reload_failed, error)
            return
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._reloaded, snapshot, announce)

    def _reloaded(self, snapshot: Snapshot, announce: bool) -> None:
        """Show what the worker read; the dates, the cursor and the filters stay as they were."""
        self._reload_error_shown = False
        if snapshot.generation < self.snapshot.generation:
            return  # stale: a newer read is already shown
        changed = snapshot.timeline is not self.timeline
        # The record shown until now is let go once the screen shows the new one: freeing its index and
        # closing the replaced file it read from took 0.06 s of a reload at 100,000 statements, before the paint.
        self.call_after_refresh(_let_go, self.snapshot)
        self._show_snapshot(snapshot)
        if changed:
            self.refresh_view()
        for screen in self.screen_stack:
            if isinstance(screen, HistoryScreen):
                entries = snapshot.histories.get((screen.party.id, screen.issue.id))
                if entries is not None:
                    screen.show(entries)
            elif isinstance(screen, InboxScreen) and snapshot.candidates is not None:
                screen.show(snapshot.candidates, snapshot.codebook)
        if changed:
            self._trend_screens()
        if announce and changed:
            self.notify("The store changed on disk: reloaded.", timeout=3)

    def _reload_failed(self, error: TrackerError) -> None:
        if not self._reload_error_shown:
            self.notify(f"Cannot re-read the store: {error}", severity="error", markup=False)
        self._reload_error_shown = True

    # -- keys, help, palette -----------------------------------------------------------

    def action_toggle_reports(self) -> None:
        self.include_reported = not self.include_reported
        self.reload()
        counted = "count as positions" if self.include_reported else "are shown beside positions, not as them"
        self.notify(f"Reports {counted} (r toggles).", timeout=3)

    def action_inbox(self) -> None:
        self.push_screen(InboxScreen(self.session.candidates(), self.codebook))

    @on(InboxScreen.Reject)
    def _inbox_reject(self, event: InboxScreen.Reject) -> None:
        try:
            rejected = self.session.reject(event.candidate_id)
        except TrackerError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self._inbox_screens(lambda screen: screen.was_rejected(event.candidate_id))
        # Our own write: the poll does not take it for another process's (the session knows its stamp).
        where = f"{rejected.party} · {rejected.issue}"
        self.notify(f"Rejected {rejected.id} ({where}): it is not proposed again (u brings it back).", markup=False)

    @on(InboxScreen.Restore)
    def _inbox_restore(self, event: InboxScreen.Restore) -> None:
        try:
            self.session.restore(event.candidate_id)
        except TrackerError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        candidates = self.session.candidates()
        self._inbox_screens(lambda screen: screen.show(candidates))
        self.notify(f"{event.candidate_id} is back for review", markup=False)

    def _inbox_screens(self, act: Callable[[InboxScreen], None]) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, InboxScreen):
                act(screen)

    def key_help(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Every key of every screen with what it does, from the bindings, so help never disagrees with them."""
        matrix = [*self._keys(self._bindings_list()), ("arrows / mouse", "Move between cells")]
        return [
            ("The matrix", [*matrix, ("ctrl+p", "Command palette: every action")]),
            (HistoryScreen.HELP_TITLE, self._keys(HistoryScreen.BINDINGS)),
            (InboxScreen.HELP_TITLE, self._keys(InboxScreen.BINDINGS)),
            (TrendScreen.HELP_TITLE, self._keys(TrendScreen.BINDINGS)),
            (StatementForm.HELP_TITLE, self._keys([*StatementForm.BINDINGS, *FormScreen.BINDINGS])),
            (
                PickScreen.HELP_TITLE,
                [("space", "Tick or untick the highlighted one"), *self._keys(PickScreen.BINDINGS)],
            ),
        ]

    def _keys(self, bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
        """(keys, what they do) for each action, its keys together ("esc / q")."""
        found: dict[str, tuple[list[str], str]] = {}
        for binding in Binding.make_bindings(bindings):
            keys, _ = found.setdefault(binding.action, ([], binding.tooltip or binding.description))
            keys.append(binding.key_display or self.get_key_display(binding))
        return [(" / ".join(keys), what) for keys, what in found.values()]

    def _bindings_list(self) -> Iterable[Binding]:
        return [b for b in Binding.make_bindings(self.BINDINGS) if b.description]

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.key_help()))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for binding in self._bindings_list():
            title = f"{binding.description} ({self.get_key_display(binding)})"
            yield SystemCommand(title, binding.tooltip, partial(self.run_action, binding.action))
        # After the palette has closed, so the picture is of the screen beneath it.
        yield SystemCommand("Save screenshot", SCREENSHOT_TOOLTIP, lambda: self.set_timer(0.1, self.screenshot))
        # Textual's own "Screenshot" saves to the Downloads folder without saying where: ours replaces it.
        yield from (c for c in super().get_system_commands(screen) if c.title != "Screenshot")

    def screenshot(self) -> Path | None:
        """The screen as an SVG file in the current folder, named for the moment (never over an older one)."""
        stamp = datetime.now().strftime("%Y-%m-%dT%H-%M-%S")
        try:
            here = Path.cwd()  # raises if the folder was removed under the dashboard
            path = here / f"tracker-{stamp}.svg"
            for n in itertools.count(2):  # two in one second: the second gets a number, the first stays
                if not path.exists():
                    break
                path = here / f"tracker-{stamp}-{n}.svg"
            with path.open("x", encoding="utf-8") as out:
                out.write(self.export_screenshot(title=self.title))
        except OSError as error:
            self.notify(f"Cannot save the screenshot: {error.strerror or error}", severity="error", markup=False)
            return None
        self.notify(f"Screenshot saved: {path}", markup=False, timeout=8)
        return path
