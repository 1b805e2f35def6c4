"""The inbox screen (``n``): review the candidates pull and fetch found, with keys.

``a`` accepts the highlighted candidate (it asks for the stance on the
candidate's issue), ``r`` rejects it, ``escape`` closes the screen. The screen
is given the candidates and posts :class:`InboxScreen.Accept` and
:class:`InboxScreen.Reject` up; the app records them through its session
(:mod:`tracker.ingest.inbox`, exactly as the CLI does) and tells the screen
how it went. Fetched text is shown as ``Text``, never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from ...inbox_model import Candidate
from ...model import Codebook, Issue
from .date_prompt import DatePrompt


class StancePick(ModalScreen[str | None]):
    """Choose a stance on one issue's scale; dismisses with its code, or None."""

    DEFAULT_CSS = """
    StancePick { align: center middle; }
    StancePick > Vertical { width: 70; height: auto; max-height: 80%; border: round $accent; padding: 1 2;
                            background: $surface; }
    StancePick OptionList { height: auto; max-height: 16; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, issue: Issue, sentence: str) -> None:
        super().__init__()
        self.issue = issue
        self.sentence = sentence

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Stance on {self.issue.name}?", style="bold"))
            yield Static(Text(self.sentence, style="italic"))
            yield OptionList(
                *(Option(Text(f"{s.score}: {s.label} ({s.code})"), id=s.code) for s in self.issue.scale),
                id="stances",
            )
            yield Static(Text("enter: accept with this stance  esc: cancel", style="dim"))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class InboxScreen(Screen[None]):
    """The new candidates, one row each; the highlighted one is shown in full below."""

    DEFAULT_CSS = """
    InboxScreen { layout: vertical; }
    InboxScreen #inbox-title { height: 1; padding: 0 1; text-style: bold; }
    InboxScreen DataTable { height: 1fr; }
    InboxScreen #inbox-detail { height: auto; max-height: 12; padding: 0 1; border-top: solid $accent; }
    InboxScreen #inbox-keys { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "accept", "Accept", tooltip="Accept the candidate: asks its stance, then records it"),
        Binding("r", "reject", "Reject", tooltip="Reject the candidate: the same sentence is not proposed again"),
        Binding("escape", "close", "Close", tooltip="Back to the matrix"),
    ]
    HELP_TITLE = "The inbox (n on the matrix)"

    class Accept(Message):
        """The analyst accepts a candidate with this stance (and date, for an undated page)."""

        def __init__(self, candidate_id: str, stance: str, stated_on: str | None) -> None:
            super().__init__()
            self.candidate_id = candidate_id
            self.stance = stance
            self.stated_on = stated_on

    class Reject(Message):
        """The analyst rejects a candidate."""

        def __init__(self, candidate_id: str) -> None:
            super().__init__()
            self.candidate_id = candidate_id

    def __init__(self, candidates: Sequence[Candidate], codebook: Codebook) -> None:
        super().__init__()
        self.codebook = codebook
        self._pending = candidates
        self._candidates: dict[str, Candidate] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="inbox-title")
        table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True, id="inbox-table")
        yield table
        yield Static(id="inbox-detail")
        yield Static(Text("a: accept (asks the stance)  r: reject  esc: close", style="dim"), id="inbox-keys")

    def on_mount(self) -> None:
        self.show(self._pending)
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        self.show(list(self._candidates.values()))  # the sentences cut again, to the new width

    def show(self, candidates: Sequence[Candidate], codebook: Codebook | None = None) -> None:
        """List these candidates (the new ones), keeping the highlighted one if it is still there.

        The sentence takes what the other columns leave of the screen's width and
        is cut there with "…" (it is whole in the detail below): a wider column
        ran off the screen's edge, cut without a sign, at 80 columns.
        """
        self.codebook = codebook or self.codebook
        table: DataTable[Text] = self.query_one(DataTable)
        keep = self.current
        table.clear(columns=True)
        self._candidates = {candidate.id: candidate for candidate in candidates}
        rows = [
            (cand_id, [Text(f"{c.party} · {c.issue}"), Text(c.speaker), Text(c.published)])
            for cand_id, c in self._candidates.items()
        ]
        headers = ("party · issue", "speaker", "published")
        widths = [max([cell_len(h), *(row[n].cell_len for _, row in rows)]) for n, h in enumerate(headers)]
        gutter = 2 * table.cell_padding
        room = max((self.size.width or self.app.size.width) - sum(widths) - gutter * 4 - 2, 20)  # 2: the scrollbar
        for header, width in zip((*headers, "sentence"), (*widths, room), strict=True):
            table.add_column(header, width=width)
        for cand_id, row in rows:
            sentence = Text(self._candidates[cand_id].sentence, end="")
            sentence.truncate(room, overflow="ellipsis")
            table.add_row(*row, sentence, key=cand_id)
        if keep is not None and keep.id in self._candidates:
            table.move_cursor(row=table.get_row_index(keep.id))
        self._show_title()
        self._show_detail()

    @property
    def current(self) -> Candidate | None:
        """The highlighted candidate, if any."""
        table: DataTable[Text] = self.query_one(DataTable)
        if not self._candidates or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._candidates.get(str(key))

    def _show_title(self) -> None:
        count = len(self._candidates)
        title = f"Inbox: {count} new candidate{'s' if count != 1 else ''}"
        self.query_one("#inbox-title", Static).update(Text(title))

    def _show_detail(self) -> None:
        candidate = self.current
        detail = Text()
        if candidate is None:
            detail.append("Nothing to review: `tracker pull` fetches new candidates.", style="dim")
        else:
            detail.append(candidate.sentence)
            detail.append(f"\n— {candidate.speaker or 'no speaker named'}", style="italic")
            source = " · ".join(v for v in (candidate.title, candidate.outlet, candidate.published) if v)
            detail.append(f"\n{source}\n{candidate.url}", style="dim")
        self.query_one("#inbox-detail", Static).update(detail)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def drop(self, cand_id: str) -> None:
        """Take a candidate off the list: the app recorded what the analyst decided."""
        if self._candidates.pop(cand_id, None) is None:
            return
        table: DataTable[Text] = self.query_one(DataTable)
        table.remove_row(cand_id)
        self._show_title()
        self._show_detail()

    def action_accept(self) -> None:
        candidate = self.current
        if candidate is None:
            return
        cand_id = candidate.id
        issue = self.codebook.issue(candidate.issue)
        if issue is None:
            self.notify(f"{cand_id}: unknown issue {candidate.issue!r}", severity="error", markup=False)
            return

        def chosen(stance: str | None) -> None:
            if stance is None:
                return
            if candidate.published:
                self.post_message(self.Accept(cand_id, stance, None))  # stated on the day it was published
                return

            # An undated page: the analyst says when it was stated, as `--date` does on the command line.
            def dated(day: str | None) -> None:
                if day:
                    self.post_message(self.Accept(cand_id, stance, day))

            self.app.push_screen(DatePrompt("The article has no date: when was it stated?"), dated)

        self.app.push_screen(StancePick(issue, candidate.sentence), chosen)

    def action_reject(self) -> None:
        candidate = self.current
        if candidate is not None:
            self.post_message(self.Reject(candidate.id))

    def action_close(self) -> None:
        self.dismiss()
