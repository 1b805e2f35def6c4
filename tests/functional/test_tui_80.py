"""The dashboard at 80 × 24, the terminal an analyst opens first, and its rough edges in the first hour.

Every screen is read as painted (``screen_text``): whole dates, a URL whole on
a line, keys that say what they do, messages that say what happened.
"""

from __future__ import annotations

import re
import webbrowser
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, SelectionList, TextArea

from tests.helpers import END, cell, put_cursor, screen_text, seeded, wait_for
from tracker.ingest import inbox
from tracker.store import Store
from tracker.tui.app import TrackerApp
from tracker.tui.components.matrix import MatrixTable
from tracker.tui.screens.history import HistoryScreen
from tracker.tui.screens.inbox import InboxScreen
from tracker.tui.screens.pick import PickScreen
from tracker.tui.screens.statement_form import StatementForm
from tracker.tui.session import Session

SMALL = (80, 24)
NEWSMAX = "https://newsmax.com/newsfront/putin-ukraine-surrender/2025/03/14/id/1202886/"


def messages(app: TrackerApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_the_matrix_at_80_by_24_shows_every_date_whole(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        grid = Store(demo_path).timeline().matrix(END)
        for found in grid.cells.values():
            assert found.statement.stated_on in shown
        for issue in app.codebook.issues:
            assert issue.name in shown
        # The filter's box takes three lines; three rows of four then fill the matrix exactly, still whole.
        await pilot.press("/")
        await pilot.pause()
        await pilot.press(*"putin")
        await pilot.pause()
        shown = screen_text(app)
        table = app.query_one(MatrixTable)
        assert len(table.parties) == 3 and not table.show_horizontal_scrollbar
        for p in table.parties:
            for i in table.issues:
                if (p.id, i.id) in grid.cells:
                    assert grid.cells[(p.id, i.id)].statement.stated_on in shown


async def test_the_history_at_80_columns_keeps_the_url_whole_on_its_line(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SMALL) as pilot:
        await put_cursor(pilot, "russia", "kursk")
        await pilot.press("enter")
        assert isinstance(app.screen, HistoryScreen)
        lines = [line.strip() for line in screen_text(app).splitlines()]
        assert NEWSMAX in lines
        assert "2025-03-14" in "\n".join(lines)


async def test_the_inbox_at_80_columns_shows_dates_and_the_url_whole(store_path: Path) -> None:
    store = seeded(store_path)
    app = TrackerApp(Session(store), as_of=END)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, InboxScreen)
        lines = screen_text(app).splitlines()
        assert "http://news.test/kursk" in [line.strip() for line in lines]
        rows = [line for line in lines if "russia · kursk" in line or "ukraine · ceasefire" in line]
        assert len(rows) == 2 and all("2025-03-14" in row for row in rows)
        assert all(row.rstrip().endswith("…") for row in rows)  # the sentence is cut visibly, not by the edge


async def test_help_lists_every_key_of_every_screen(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=(100, 60)) as pilot:
        await pilot.press("question_mark")
        shown = screen_text(app)
        for text in ("Step back to the previous change date", "A cell's history", "Open the source",
                     "The inbox", "Reject the candidate", "Forms", "Save"):  # fmt: skip
            assert text in shown, text
        assert any(line.split()[:1] == ["o"] for line in (row.strip(" █▎▊") for row in shown.splitlines()))


@pytest.mark.parametrize("browser", ["none", "fails"])
async def test_o_without_a_browser_says_so_and_shows_the_url_to_copy(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch, browser: str
) -> None:
    def no_browser(url: str, *args: object, **kwargs: object) -> bool:
        if browser == "fails":
            raise webbrowser.Error("could not locate runnable browser")
        return False

    monkeypatch.setattr(webbrowser, "open", no_browser)
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SMALL) as pilot:
        await put_cursor(pilot, "russia", "kursk")
        await pilot.press("enter", "o")
        await pilot.pause()
        assert not any(m.startswith("Opening") for m in messages(app))
        box = app.screen.query_one("#url", TextArea)
        assert box.text == NEWSMAX and box.selected_text == NEWSMAX  # selected: ctrl+c copies it whole
        assert NEWSMAX[:60] in screen_text(app).replace("\n", "")  # wrapped, but shown
        assert "No browser" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, HistoryScreen)


async def test_o_with_a_browser_opens_the_url(demo_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []

    def browser(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(webbrowser, "open", browser)
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SMALL) as pilot:
        await put_cursor(pilot, "russia", "kursk")
        await pilot.press("enter", "o")
        await pilot.pause()
        assert opened == [NEWSMAX]
        assert isinstance(app.screen, HistoryScreen)


async def test_rejecting_says_rejected_and_not_that_the_store_changed(store_path: Path) -> None:
    store = seeded(store_path)
    first, _ = inbox.candidates(store)
    app = TrackerApp(Session(store), as_of=END)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("r")
        await wait_for(pilot, lambda: any(m.startswith(f"Rejected {first.id}") for m in messages(app)))
        await pilot.pause(1.2)  # two polls of the file
        assert not any("changed on disk" in m for m in messages(app))
        assert app.screen.query_one(DataTable).row_count == 1


async def test_esc_in_the_add_form_asks_before_throwing_typed_fields_away(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SMALL) as pilot:
        await put_cursor(pilot, "europe", "kursk")
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, StatementForm)
        form.query_one("#speaker", Input).focus()
        await pilot.press(*"Kaja Kallas", "escape")
        await pilot.pause()
        assert "Discard" in screen_text(app) and "Keep editing" in screen_text(app)
        await pilot.press("escape")  # keep editing
        await pilot.pause()
        assert app.screen is form and form.query_one("#speaker", Input).value == "Kaja Kallas"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("d")  # discard
        await pilot.pause()
        assert not isinstance(app.screen, StatementForm)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape")  # nothing typed: closes at once
        await pilot.pause()
        assert not isinstance(app.screen, StatementForm) and app.screen is app.screen_stack[0]
        assert cell(app, "europe", "kursk").startswith("no position")


async def test_the_filter_matches_speakers_and_text_and_says_when_nothing_does(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SMALL) as pilot:
        table = app.query_one(MatrixTable)
        await pilot.press("/", *"putin")
        await pilot.pause()
        # Putin's own words, and Zelensky's and the US's about him; Europe's one statement does not name him.
        assert [p.id for p in table.parties] == ["russia", "ukraine", "usa"]
        assert "kursk" in [i.id for i in table.issues]
        assert "Surrender" in screen_text(app)
        await pilot.press("ctrl+u", *"hegseth")  # a US speaker: the cells he is the position of
        await pilot.pause()
        assert [p.id for p in table.parties] == ["usa"] and {i.id for i in table.issues} == {"nato", "territory"}
        await pilot.press("ctrl+u", *"zzz")
        await pilot.pause()
        assert "no cell matches 'zzz'" in screen_text(app)


async def test_the_pickers_mark_ticked_and_unticked_items(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("p", "down", "space")  # untick Ukraine
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        boxes = dict((name, box) for box, name in re.findall(r"▐(.)▌ (\w[\w ]*\w)", screen_text(app)))
        assert boxes == {"Russia": "✓", "Ukraine": " ", "United States": "✓", "Europe": "✓"}
        assert app.screen.query_one(SelectionList).selected == ["russia", "usa", "europe"]
