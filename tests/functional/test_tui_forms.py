"""What every recording form shares: escape and Cancel close it unsaved; the Save button saves."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from tests.helpers import END, SIZE, put_cursor
from tracker.tui.app import TrackerApp
from tracker.tui.screens.retract_form import RetractForm
from tracker.tui.screens.statement_form import StatementForm
from tracker.tui.session import Session


async def test_escape_and_cancel_close_a_form_without_writing(demo_path: Path) -> None:
    before = demo_path.read_bytes()
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, StatementForm)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, StatementForm)
        await put_cursor(pilot, "russia", "kursk")
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, RetractForm)
        await pilot.click("#cancel")
        await pilot.pause()
        assert not isinstance(app.screen, RetractForm)
    assert demo_path.read_bytes() == before


async def test_the_save_button_saves_and_validates(demo_path: Path) -> None:
    before = demo_path.read_bytes()
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        await put_cursor(pilot, "russia", "kursk")
        await pilot.press("x")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RetractForm)
        await pilot.click("#save")  # no reason given: refused beside the field
        await pilot.pause()
        assert app.screen is form
        assert "needs a reason" in str(form.query_one("#reason-error", Static).render())
    assert demo_path.read_bytes() == before
