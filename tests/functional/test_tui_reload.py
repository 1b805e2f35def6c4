"""The dashboard's reload after another process's write: from the index cache the writer left, never a
parse of the file, with the dates, the comparison and the cursor kept (issue 18).

A parse of the whole file is what a warm reload must not do (3-5 s at 100,000 statements, where the
writer's cache loads in a tenth of that): every test counts the parses the dashboard makes, as
``tests/unit/test_index_cache.py`` proves a read came from the cache.
"""

from __future__ import annotations

import signal
import weakref
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import SIZE, cell, put_cursor, tracker, wait_for, wait_for_event, worker
from tracker.storage import tinydb_adapter
from tracker.storage.schema import parse_tables
from tracker.tui import app as dashboard
from tracker.tui.app import TrackerApp
from tracker.tui.components.matrix import MatrixTable
from tracker.tui.session import Session


def counted_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, each parse of a whole store file in this process, by the name it was given."""
    parses: list[str] = []

    def counting(raw: bytes, shown: Path) -> Any:
        parses.append(str(shown))
        return parse_tables(raw, shown)

    monkeypatch.setattr(tinydb_adapter, "parse_tables", counting)
    return parses


async def test_a_colleagues_tracker_add_is_shown_from_the_writers_cache_keeping_dates_and_cursor(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = TrackerApp(Session.open(demo_path), as_of="2025-03-14", compare="2025-03-01")
    async with app.run_test(size=SIZE) as pilot:
        await put_cursor(pilot, "usa", "sanctions")
        assert not cell(app, "europe", "sanctions").startswith("◆ Tighten")
        parses = counted_parses(monkeypatch)
        added = tracker("add", "--party", "europe", "--issue", "sanctions", "--stance", "tighten",
                        "--date", "2025-03-10", "--grade", "B2", "--speaker", "Kaja Kallas", db=demo_path)  # fmt: skip
        assert added.returncode == 0, added.stderr
        await wait_for(pilot, lambda: cell(app, "europe", "sanctions").startswith("◆ Tighten"))
        shown = app.timeline.cell("europe", "sanctions", app.as_of)
        assert shown is not None and shown.statement.id == added.stdout.strip()
        assert "Kaja Kallas" in cell(app, "europe", "sanctions")
        assert (app.as_of, app.compare) == ("2025-03-14", "2025-03-01")
        assert app.query_one(MatrixTable).cursor_key == ("usa", "sanctions")
        assert any("reloaded" in n.message for n in app._notifications)
        assert parses == [], "the reload parsed the file instead of loading the cache the add left"


async def test_the_reload_waits_for_the_writer_to_leave_its_cache(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer replaces the file, then writes its index cache, then lets go of the lock: a reload in
    between would find no cache of the new file and parse it. The dashboard waits for the lock."""
    app = TrackerApp(Session.open(demo_path), as_of="2025-12-31")
    async with app.run_test(size=SIZE) as pilot:
        await put_cursor(pilot, "russia", "kursk")
        before, shown = app.snapshot, cell(app, "europe", "ceasefire")
        assert not shown.startswith("Conditional")
        parses = counted_parses(monkeypatch)
        writer = worker("pause", str(demo_path), "3")  # europe · ceasefire · conditional, 2025-04-04
        try:
            wait_for_event(writer, "paused")  # the file is replaced; its cache not yet written
            await pilot.pause(5 * dashboard.POLL_SECONDS)
            assert parses == [], "the dashboard reloaded while the writer held the lock, before its cache"
            assert app.snapshot is before and cell(app, "europe", "ceasefire") == shown
            assert app.session.changed_on_disk() and app.session.being_written()  # seen, and waited for
            writer.send_signal(signal.SIGUSR1)
            new_id = wait_for_event(writer, "added").split()[1]
        finally:
            writer.kill()
            writer.wait(10)
        await wait_for(pilot, lambda: cell(app, "europe", "ceasefire").startswith("Conditional"))
        position = app.timeline.cell("europe", "ceasefire", app.as_of)
        assert position is not None and position.statement.id == new_id
        assert app.query_one(MatrixTable).cursor_key == ("russia", "kursk") and app.as_of == "2025-12-31"
        assert parses == [], "the reload parsed the file instead of loading the cache the writer left"


async def test_a_writer_that_keeps_the_lock_does_not_hide_a_change_for_good(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file changed (here by hand, as a git checkout would) while some writer sits on the lock: after
    WRITER_WAIT_SECONDS the dashboard reloads anyway (parsing the file: no writer left its cache)."""
    monkeypatch.setattr(dashboard, "WRITER_WAIT_SECONDS", 1.0)
    app = TrackerApp(Session.open(demo_path), as_of="2025-03-31")
    async with app.run_test(size=SIZE) as pilot:
        holder = worker("hold", str(demo_path), "30")
        try:
            wait_for_event(holder, "holding")
            edited = demo_path.read_bytes().replace(b'"surrender or die"', b'"surrender, or else"')
            demo_path.write_bytes(edited)
            await pilot.pause(0.5)
            assert app.session.changed_on_disk() and not any("reloaded" in n.message for n in app._notifications)
            await wait_for(pilot, lambda: any("reloaded" in n.message for n in app._notifications), seconds=5)
            assert app.session.being_written(), "the holder let go: this did not test the bound"
            quotes = {s.quote for s in app.timeline.statements("russia", "kursk")}
            assert "surrender, or else" in quotes and "surrender or die" not in quotes
        finally:
            holder.kill()
            holder.wait(10)


async def test_the_record_shown_before_a_reload_is_let_go_once_the_new_one_is_on_screen(demo_path: Path) -> None:
    """Freeing the old record (its index, the replaced file it read from) waits for the paint, not longer."""
    app = TrackerApp(Session.open(demo_path), as_of="2025-03-14")
    async with app.run_test(size=SIZE) as pilot:
        shown = weakref.ref(app.timeline)
        added = tracker("add", "--party", "europe", "--issue", "sanctions", "--stance", "tighten",
                        "--date", "2025-03-10", "--grade", "B2", db=demo_path)  # fmt: skip
        assert added.returncode == 0, added.stderr
        await wait_for(pilot, lambda: cell(app, "europe", "sanctions").startswith("Tighten"))
        await wait_for(pilot, lambda: shown() is None)
