"""A hand-edited store's escapes never reach the terminal through the dashboard's history (issue 12)."""

from __future__ import annotations

from pathlib import Path

import orjson
from textual.widgets import OptionList

from tests.helpers import SIZE, put_cursor, wait_for
from tests.hostile import ESCAPES, assert_clean
from tracker.store import dump_tables
from tracker.tui.app import TrackerApp
from tracker.tui.screens.history import HistoryScreen
from tracker.tui.session import Session


async def test_escapes_written_into_the_file_by_hand_are_not_shown(demo_path: Path) -> None:
    tables = orjson.loads(demo_path.read_bytes())
    doc = next(d for d in tables["statements"].values() if d["party"] == "russia" and d["issue"] == "kursk")
    doc["quote"] = ESCAPES["osc52_clipboard"] + ESCAPES["window_title"]
    doc["speaker"] = ESCAPES["clear_screen"]
    demo_path.write_bytes(dump_tables(tables))  # past every way in: a hand edit
    app = TrackerApp(Session.open(demo_path), as_of="2025-12-31")
    async with app.run_test(size=SIZE) as pilot:
        await put_cursor(pilot, "russia", "kursk")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        options = app.screen.query_one(OptionList)
        shown = [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]
        assert any("copy" in text and "this" in text for text in shown)  # the words stay, the sequences go
        for text in shown:
            assert_clean(text)
