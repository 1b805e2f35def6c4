"""The inbox screen (``n``): review the statements pull and fetch proposed, with keys.

``a`` opens the full statement form pre-filled from the highlighted candidate
(party, issue, the suggested stance, date, speaker, quote, summary, channel,
grade, source), checked as ``tracker add`` checks; ``r`` rejects it and ``u``
brings back the last one rejected; ``escape`` closes the screen. The screen is
given the candidates and posts its messages up; the app records them through
its session (:mod:`tracker.ingest.inbox`, exactly as the CLI does) and tells
the screen how it went. Fetched text is shown as ``Text``, never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ...inbox_model import Candidate
from ...model import Codebook
from .statement_form import StatementForm


def _shown(candidate: Candidate) -> str:
    """What the list shows of a candidate's words: its quote, else the reporter's sentence."""
    text = f"“{candidate.quote}”" if candidate.quote else candidate.summary
    return text if len(text) <= 90 else text[:89] + "…"


class InboxScreen(Screen[None]):
    """The new candidates, one row each; the highlighted one is shown in full below."""

    DEFAULT_CSS = """
    InboxScreen { layout: vertical; }
    InboxScreen #inbox-title { height: 1; padding: 0 1; text-style: bold; }
    InboxScreen DataTable { height: 1fr; }
    InboxScreen #inbox-detail { height: auto; max-height: 14; padding: 0 1; border-top: solid $accent; }
    InboxScreen #inbox-keys { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "accept", "Accept", tooltip="Accept: the statement form, filled in from the candidate"),
        Binding("r", "reject", "Reject", tooltip="Reject the candidate: the same sentence is not proposed again"),
        Binding("u", "undo", "Undo reject", tooltip="Bring the last rejected candidate back for review"),
        Binding("escape", "close", "Close", tooltip="Back to the matrix"),
    ]
    HELP_TITLE = "The inbox (n on the matrix)"

    class Reject(Message):
        """The analyst rejects a candidate."""

        def __init__(self, candidate_id: str) -> None:
            super().__init__()
            self.candidate_id = candidate_id

    class Restore(Message):
        """The analyst takes back a rejection: the candidate waits for review again."""

        def __init__(self, candidate_id: str) -> None:
            super().__init__()
            self.candidate_id = candidate_id

    def __init__(self, candidates: Sequence[Candidate], codebook: Codebook) -> None:
        super().__init__()
        self.codebook = codebook
        self._pending = candidates
        self._candidates: dict[str, Candidate] = {}
        self.rejected: list[str] = []
        """The candidates rejected on this screen, last last: ``u`` restores them in turn."""

    def compose(self) -> ComposeResult:
        yield Static(id="inbox-title")
        table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True, id="inbox-table")
        yield table
        yield Static(id="inbox-detail")
        keys = "a: accept (review every field)  r: reject  u: undo reject  esc: close"
        yield Static(Text(keys, style="dim"), id="inbox-keys")

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
            (
                cand_id,
                [
                    Text(f"{c.party} · {c.issue}" + (f" ×{c.corroboration}" if c.corroboration > 1 else "")),
                    Text(c.speaker),
                    Text(c.stated_on),
                ],
            )
            for cand_id, c in self._candidates.items()
        ]
        headers = ("party · issue", "speaker", "stated")
        widths = [max([cell_len(h), *(row[n].cell_len for _, row in rows)]) for n, h in enumerate(headers)]
        gutter = 2 * table.cell_padding
        room = max((self.size.width or self.app.size.width) - sum(widths) - gutter * 4 - 2, 20)  # 2: the scrollbar
        for header, width in zip((*headers, "said"), (*widths, room), strict=True):
            table.add_column(header, width=width)
        for cand_id, row in rows:
            said = Text(_shown(self._candidates[cand_id]), end="")
            said.truncate(room, overflow="ellipsis")
            table.add_row(*row, said, key=cand_id)
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
            if candidate.quote:
                detail.append(f"“{candidate.quote}”\n")
            detail.append(candidate.summary, style="dim" if candidate.quote else "")
            speaker = candidate.speaker or "no speaker named"
            who = " · ".join(v for v in (speaker, candidate.stated_on, candidate.channel) if v)
            detail.append(f"\n— {who}", style="italic")
            if candidate.suggested_stance:
                detail.append(f"\nsuggested: {candidate.suggested_stance} (“{candidate.cue}”)", style="dim")
            count = candidate.corroboration
            detail.append(f"\n{count} sources" if count > 1 else "", style="dim")
            for source in candidate.sources:
                named = " · ".join(v for v in (source.title, source.outlet, source.published) if v)
                detail.append(f"\n{named}\n{source.url}", style="dim")
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

    def was_rejected(self, cand_id: str) -> None:
        """The app rejected it: off the list, and the first to come back on ``u``."""
        self.drop(cand_id)
        self.rejected.append(cand_id)

    def action_accept(self) -> None:
        candidate = self.current
        if candidate is not None:
            self.app.push_screen(StatementForm(self.codebook, defaults=candidate.as_input(), candidate=candidate))

    def action_reject(self) -> None:
        candidate = self.current
        if candidate is not None:
            self.post_message(self.Reject(candidate.id))

    def action_undo(self) -> None:
        if self.rejected:
            self.post_message(self.Restore(self.rejected.pop()))
        else:
            self.notify("Nothing rejected here to bring back.", severity="warning", timeout=3)

    def action_close(self) -> None:
        self.dismiss()
