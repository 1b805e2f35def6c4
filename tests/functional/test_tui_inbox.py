"""The inbox inside the dashboard: `n` opens it, an accepted candidate shows in the matrix at once."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import cell, seeded, wait_for
from tracker.tui.app import TrackerApp
from tracker.tui.screens.inbox import InboxScreen
from tracker.tui.screens.statement_form import StatementForm
from tracker.tui.session import Session


async def test_accepting_from_the_inbox_updates_the_matrix(store_path: Path) -> None:
    store = seeded(store_path)
    app = TrackerApp(Session(store), as_of="2025-03-31")
    async with app.run_test(size=(120, 40)) as pilot:
        assert cell(app, "russia", "kursk").startswith("no position")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, InboxScreen)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, StatementForm)
        await pilot.press("ctrl+s")  # as proposed: Putin's words, surrender suggested by "lay down their arms"
        # Official, but no grade yet: shown in the cell as reported until the analyst grades its source.
        await wait_for(pilot, lambda: "? Surrender · ungraded · 03-14" in cell(app, "russia", "kursk"))
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, InboxScreen)
        assert cell(app, "russia", "kursk").startswith("no position")
