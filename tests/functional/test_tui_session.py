"""The dashboard's one hold on the store: writes from the inbox while a colleague writes and the matrix reloads."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections import Counter
from pathlib import Path

import orjson

from tests.helpers import WORKERS, seeded, wait_for
from tracker import statement_input
from tracker.ingest import inbox
from tracker.store import Store
from tracker.tui.app import TrackerApp
from tracker.tui.screens.inbox import InboxScreen
from tracker.tui.session import Session

COLLEAGUE_ADDS = 40


def documents(path: Path) -> list[dict[str, object]]:
    """The statement documents as the file holds them, read without the store."""
    return list(orjson.loads(path.read_bytes())["statements"].values())


async def test_inbox_writes_while_another_process_writes_lose_nothing(store_path: Path) -> None:
    store = seeded(store_path)
    first, second = inbox.candidates(store)
    app = TrackerApp(Session(store), as_of="2025-12-31")
    async with app.run_test(size=(140, 40)) as pilot:
        colleague = subprocess.Popen(
            [sys.executable, str(WORKERS), "add", str(store_path), str(COLLEAGUE_ADDS), "colleague"],
            stdout=subprocess.PIPE,
            text=True,
        )
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, InboxScreen))
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("ctrl+s")  # the first candidate, as proposed (surrender, suggested)
        await wait_for(pilot, lambda: isinstance(app.screen, InboxScreen))
        await wait_for(pilot, lambda: len(app.screen.query_one("DataTable").rows) == 1)  # type: ignore[attr-defined]
        await pilot.press("r")  # the second
        await wait_for(pilot, lambda: len(app.screen.query_one("DataTable").rows) == 0)  # type: ignore[attr-defined]
        out, _ = colleague.communicate(timeout=60)
        assert colleague.returncode == 0
        added = [line.split()[1] for line in out.splitlines() if line.startswith("added")]
        assert len(added) == COLLEAGUE_ADDS
        # The dashboard catches up with the colleague's last write, whichever came last.
        await wait_for(pilot, lambda: not app.session.changed_on_disk() and app._reload is not None
                       and not app._reload.is_running, seconds=10)  # fmt: skip
        shown = {s.id for p in app.codebook.parties for i in app.codebook.issues
                 for s in app.timeline.statements(p.id, i.id)}  # fmt: skip

    on_disk = documents(store_path)
    counts = Counter((d["id"], d["rev"]) for d in on_disk)
    assert all(n == 1 for n in counts.values()), "a revision was written twice"
    fresh = Store(store_path)
    (accepted,) = inbox.candidates(fresh, "accepted")
    (rejected,) = inbox.candidates(fresh, "rejected")
    assert (accepted.id, rejected.id) == (first.id, second.id)
    ids = {str(d["id"]) for d in on_disk}
    assert set(added) | {accepted.statement_id} == ids  # every colleague's add, and the accepted one, once
    assert shown == ids  # and the dashboard shows exactly what the file holds


async def test_a_stale_reload_is_dropped(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of="2025-03-31")
    async with app.run_test(size=(120, 40)) as pilot:
        old = app.snapshot
        app.session.add(
            {"party": "europe", "issue": "kursk", "stance": "exchange", "stated_on": "2025-03-20", "grade": "B2"}
        )
        app.reload()
        await wait_for(pilot, lambda: app.snapshot is not old)
        newer = app.snapshot
        app._reloaded(old, announce=True)  # a worker that read before the write reports last
        assert app.snapshot is newer and app.timeline.cell("europe", "kursk", "2025-03-31") is not None


async def test_a_long_session_does_not_grow_the_frozen_objects(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of="2025-03-31")
    other = Store(demo_path)  # another terminal
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        frozen = gc.get_freeze_count()
        for n in range(100):
            other.add({"party": "europe", "issue": "kursk", "stance": "exchange", "stated_on": "2025-03-20",
                       "summary": f"write {n}"})  # fmt: skip
            before = app.snapshot
            app.reload(announce=True)
            await wait_for(pilot, lambda before=before: app.snapshot is not before)
        assert gc.get_freeze_count() == frozen


def test_the_sessions_own_writes_are_not_taken_for_another_process(store_path: Path) -> None:
    store = seeded(store_path)
    session = Session(store)
    first, second = session.candidates()
    reviewed = first.as_input() | {"stance": "surrender", "date": first.stated_on or "2025-03-14"}
    session.accept(first.id, statement_input.parse(reviewed, store.codebook, new=True).check())  # as the form gives
    assert not session.changed_on_disk()
    assert session.reject(second.id).status == "rejected"
    assert not session.changed_on_disk()
    Store(store_path).add({"party": "europe", "issue": "kursk", "stance": "exchange", "stated_on": "2025-03-20"})
    assert session.changed_on_disk()  # another terminal's write is
