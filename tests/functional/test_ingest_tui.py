"""The inbox screen on the dashboard: accept through the full statement form, reject and bring back, close.

Real stores in a temp folder, the real app under Textual's Pilot; what is recorded is read back from the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual.screen import Screen
from textual.widgets import DataTable, Input, Select, Static

from tests.helpers import seeded
from tests.hostile import MARKUP, assert_clean
from tracker.inbox_model import Candidate
from tracker.ingest import inbox
from tracker.ingest.extract import Article, find_candidates
from tracker.model import Source
from tracker.store import Store
from tracker.tui.app import TrackerApp
from tracker.tui.screens.inbox import InboxScreen
from tracker.tui.screens.statement_form import StatementForm
from tracker.tui.session import Session


def dashboard_with_inbox(store: Store) -> TrackerApp:
    """The dashboard on ``store``, with its inbox opened as soon as it starts."""
    app = TrackerApp(Session(store), as_of="2025-12-31")
    app.call_later(app.action_inbox)
    return app


def shown(app: TrackerApp) -> Screen[Any]:
    """The screen on top (a function, so that a check of one screen does not narrow the next)."""
    return app.screen


def value(form: StatementForm, name: str) -> str:
    widget = form.query_one(f"#{name}")
    shown = widget.value if isinstance(widget, (Input, Select)) else None
    return shown if isinstance(shown, str) else ""


async def test_accept_opens_the_statement_form_pre_filled_and_records_the_corrections(store_path: Path) -> None:
    store = seeded(store_path)
    first, second = inbox.candidates(store)
    app = dashboard_with_inbox(store)
    async with app.run_test(size=(140, 44)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 2 and all(isinstance(cell, Text) for cell in table.get_row(first.id))

        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, StatementForm) and form.candidate == first
        assert {name: value(form, name) for name in ("party", "issue", "stance", "date", "speaker", "channel")} == {
            "party": "russia",
            "issue": "kursk",
            "stance": "surrender",  # suggested by its cue, for the analyst to confirm
            "date": "2025-03-14",
            "speaker": "Putin",
            "channel": "official",
        }
        assert value(form, "quote") == first.quote and value(form, "summary") == first.summary
        source = (value(form, "url"), value(form, "outlet"), value(form, "grade"))
        assert source == ("http://news.test/kursk", "Wire", "")

        # The analyst corrects the party and grades the source, checked as `tracker add` checks.
        form.query_one("#party", Select).value = "ukraine"
        form.query_one("#grade", Input).value = "Z9"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert shown(app) is form and "not an Admiralty code" in str(form.query_one("#grade-error", Static).render())
        form.query_one("#grade", Input).value = "B2"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen and table.row_count == 1

        (accepted,) = inbox.candidates(store, "accepted")
        statement = store.history(str(accepted.statement_id))[-1]
        assert (accepted.id, statement.party, statement.grade) == (first.id, "ukraine", "B2")
        assert statement.stance == "surrender"
        assert (statement.quote, statement.speaker, statement.channel) == (first.quote, "Putin", "official")
        assert statement.source == Source("http://news.test/kursk", "Kursk", "Wire", "2025-03-14")
        # official and B2: a position, and the matrix behind shows it at once
        cell = app.timeline.cell("ukraine", "kursk", "2025-12-31")
        assert cell is not None and cell.statement.id == statement.id

        detail = screen.query_one("#inbox-detail", Static).render()
        assert second.id in {str(key.value) for key in table.rows}
        assert MARKUP["click"] in str(detail) and MARKUP["bold"] in str(detail)  # literal, not applied
        assert_clean(str(detail))

        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape")  # changed my mind: nothing recorded
        await pilot.pause()
        assert app.screen is screen and [c.id for c in inbox.candidates(store, "new")] == [second.id]


async def test_reject_then_bring_it_back(store_path: Path) -> None:
    store = seeded(store_path)
    first, second = inbox.candidates(store)
    app = dashboard_with_inbox(store)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        table = screen.query_one(DataTable)
        await pilot.press("r")
        await pilot.pause()
        assert [c.id for c in inbox.candidates(store, "rejected")] == [first.id] and table.row_count == 1
        await pilot.press("r")
        await pilot.pause()
        assert table.row_count == 0 and "Nothing to review" in str(screen.query_one("#inbox-detail", Static).render())
        await pilot.press("a")  # nothing highlighted: nothing happens
        await pilot.pause()
        assert app.screen is screen

        await pilot.press("u")  # the last rejected comes back first
        await pilot.pause()
        assert [c.id for c in inbox.candidates(store, "new")] == [second.id] and table.row_count == 1
        await pilot.press("u")
        await pilot.pause()
        assert [c.id for c in inbox.candidates(store, "new")] == [first.id, second.id] and table.row_count == 2
        assert inbox.candidates(store, "rejected") == []
        await pilot.press("u")  # nothing left to bring back: a warning, nothing changes
        await pilot.pause()
        assert table.row_count == 2
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, InboxScreen)


async def test_an_undated_candidate_needs_the_date_in_the_form(store_path: Path) -> None:
    store = Store(store_path)
    text = "Lavrov said NATO membership is off the table."
    article = Article("http://news.test/undated", "Undated", "Wire", "", text)
    inbox.save_pull(store, {}, find_candidates(article, store.codebook, fetched_at="", new_id=inbox.new_candidate_id))
    app = dashboard_with_inbox(store)
    async with app.run_test(size=(140, 44)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, StatementForm) and value(form, "date") == ""
        assert form.focused is form.query_one("#date")  # the first required field left empty
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert shown(app) is form and "required" in str(form.query_one("#date-error", Static).render())
        await pilot.press(*"2025-03-20")
        form.query_one("#stance", Select).value = "renounce"
        await pilot.press("ctrl+s")
        await pilot.pause()
        (accepted,) = inbox.candidates(store, "accepted")
        statement = store.history(str(accepted.statement_id))[-1]
        assert (statement.party, statement.stance, statement.stated_on) == ("russia", "renounce", "2025-03-20")


async def test_accepting_a_corroborated_candidate_keeps_every_source(store_path: Path) -> None:
    store = Store(store_path)
    reports = [
        Candidate(
            f"cand_{n}", "russia", "nato", speaker="Sergei Lavrov", quote="It must never join NATO",
            summary=f"“It must never join NATO,” Lavrov said ({outlet}).", stated_on="2025-03-19", channel="official",
            suggested_stance="renounce", cue="never join", sources=(Source(f"https://{outlet}.example/a", "Lavrov",
            outlet, "2025-03-20"),),
        )
        for n, outlet in enumerate(("courier", "times"))
    ]  # fmt: skip
    saved = inbox.save_pull(store, {}, reports)
    assert len(saved.added) == 1 and saved.added[0].corroboration == 2
    app = dashboard_with_inbox(store)
    async with app.run_test(size=(140, 44)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        assert "×2" in screen.query_one(DataTable).get_row("cand_0")[0].plain
        assert "https://times.example/a" in str(screen.query_one("#inbox-detail", Static).render())
        await pilot.press("a")
        await pilot.pause()
        assert "2 reports" in str(app.screen.query_one("#form-note", Static).render())
        await pilot.press("ctrl+s")
        await pilot.pause()
    (accepted,) = inbox.candidates(store, "accepted")
    statement = store.history(str(accepted.statement_id))[-1]
    assert statement.source.url == "https://courier.example/a"
    assert [s.url for s in statement.corroborated_by] == ["https://times.example/a"]
