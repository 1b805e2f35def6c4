"""The inbox screen on the dashboard: accept with a stance, reject, close; text shown literally."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import DataTable, OptionList, Static

from tests.helpers import seeded
from tests.hostile import MARKUP, assert_clean
from tracker.ingest import inbox
from tracker.ingest.extract import Article, find_candidates
from tracker.store import Store
from tracker.tui.app import TrackerApp
from tracker.tui.screens.inbox import InboxScreen, StancePick
from tracker.tui.session import Session


def dashboard_with_inbox(store: Store) -> TrackerApp:
    """The dashboard on ``store``, with its inbox opened as soon as it starts."""
    app = TrackerApp(Session(store), as_of="2025-12-31")
    app.call_later(app.action_inbox)
    return app


async def test_accept_and_reject_with_keys(store_path: Path) -> None:
    store = seeded(store_path)
    first, second = inbox.candidates(store)
    app = dashboard_with_inbox(store)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 2
        row = table.get_row(first.id)
        assert all(isinstance(cell, Text) for cell in row)

        await pilot.press("a")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, StancePick)
        options = picker.query_one(OptionList)
        codes = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert codes == [s.code for s in store.codebook.require_issue("kursk").scale]
        await pilot.press(
            "down", "down", "down", "enter"
        )  # hold-as-leverage, exchange, negotiated-withdrawal, surrender
        await pilot.pause()
        assert app.screen is screen and table.row_count == 1

        accepted = inbox.candidates(store, "accepted")
        assert [c.id for c in accepted] == [first.id]
        statement = store.history(str(accepted[0].statement_id))[-1]
        assert (statement.stance, statement.stated_on, statement.source.url) == (
            "surrender",
            "2025-03-14",
            "http://news.test/kursk",
        )
        # the matrix behind shows it at once, as a report (the press, not the party)
        shown = app.timeline.reported("russia", "kursk", "2025-12-31")
        assert [r.statement.id for r in shown] == [statement.id]

        detail = screen.query_one("#inbox-detail", Static).render()
        assert MARKUP["click"] in str(detail) and MARKUP["bold"] in str(detail)  # literal, not applied
        assert_clean(str(detail))

        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape")  # changed my mind: nothing recorded
        await pilot.pause()
        assert app.screen is screen and inbox.candidates(store, "new") != []

        await pilot.press("r")
        await pilot.pause()
        assert [c.id for c in inbox.candidates(store, "rejected")] == [second.id]
        assert table.row_count == 0 and "Nothing to review" in str(screen.query_one("#inbox-detail", Static).render())
        await pilot.press("a", "r")  # nothing highlighted: nothing happens
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, InboxScreen)


async def test_an_undated_candidate_asks_for_the_date(store_path: Path) -> None:
    store = Store(store_path)
    article = Article(
        "http://news.test/undated", "Undated", "Wire", "", "Lavrov said NATO membership is off the table."
    )
    inbox.save_pull(store, {}, find_candidates(article, store.codebook, fetched_at="", new_id=inbox.new_candidate_id))
    app = dashboard_with_inbox(store)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("end", "enter")  # renounce
        await pilot.pause()
        assert type(app.screen).__name__ == "DatePrompt"
        await pilot.press(*"2025-03-20", "enter")
        await pilot.pause()
        (accepted,) = inbox.candidates(store, "accepted")
        statement = store.history(str(accepted.statement_id))[-1]
        assert (statement.party, statement.stance, statement.stated_on) == ("russia", "renounce", "2025-03-20")
