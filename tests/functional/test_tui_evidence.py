"""The dashboard applies the CLI's evidence rule: reports beside positions, contested cells, r to count reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList

from tests.helpers import SIZE, Invoke, cell, put_cursor, wait_for
from tracker.store import Store
from tracker.tui.app import TrackerApp
from tracker.tui.screens.history import HistoryScreen
from tracker.tui.session import Session


def options_text(app: TrackerApp) -> list[str]:
    options = app.screen.query_one(OptionList)
    return [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]


async def test_the_leak_is_shown_as_reported_never_as_the_us_position(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of="2025-02-09")
    async with app.run_test(size=SIZE) as pilot:
        nato = cell(app, "usa", "nato").split("\n")
        assert nato[0] == "Irreversible path"  # the Washington Summit, not the Strana leak
        assert "? Renounce (neutrality) · F5 · 02-07" in nato
        assert cell(app, "usa", "ceasefire").startswith("no position")
        assert "? Conditional · F5 · 02-07" in cell(app, "usa", "ceasefire")
        await pilot.press("r")  # reports count as positions: the behaviour before evidence classes
        await wait_for(pilot, lambda: cell(app, "usa", "nato").startswith("Renounce"))
        assert cell(app, "usa", "ceasefire").startswith("Conditional")
        await pilot.press("r")
        await wait_for(pilot, lambda: cell(app, "usa", "nato").startswith("Irreversible path"))


async def test_a_contested_cell_is_marked_and_both_stances_are_said(demo_path: Path) -> None:
    store = Store(demo_path)
    for speaker, stance in (("Vladimir Putin", "partial-only"), ("Yuri Ushakov", "conditional")):
        store.add({"party": "russia", "issue": "ceasefire", "stance": stance, "stated_on": "2025-03-20",
                   "speaker": speaker, "grade": "A2", "channel": "official"})  # fmt: skip
    app = TrackerApp(Session(store), as_of="2025-03-31")
    async with app.run_test(size=SIZE) as pilot:
        assert cell(app, "russia", "ceasefire").startswith("⚑ ")
        await put_cursor(pilot, "russia", "ceasefire")
        shown = str(app.query_one("#info").render())
        assert "⚑ contested:" in shown and "Partial only" in shown and "Conditional" in shown
        assert "Vladimir Putin" in shown and "Yuri Ushakov" in shown


async def test_the_history_labels_each_statement_stated_or_reported(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of="2025-03-31")
    async with app.run_test(size=SIZE) as pilot:
        await put_cursor(pilot, "usa", "nato")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        entries = [text for text in options_text(app) if text.strip()]
        leak = next(text for text in entries if "· leak" in text)
        hegseth = next(text for text in entries if "Hegseth" in text)
        assert "  reported" in leak.split("\n")[0]
        assert "  stated" in hegseth.split("\n")[0]


def test_tui_takes_the_evidence_options(demo_path: Path, monkeypatch: pytest.MonkeyPatch, invoke: Invoke) -> None:
    opened: list[TrackerApp] = []
    monkeypatch.setattr(TrackerApp, "run", lambda self, **_: opened.append(self))
    assert invoke("tui", "--as-of", "2025-02-09", "--include-reported", db=demo_path).exit_code == 0
    assert opened[0].include_reported
    nato = opened[0].timeline.cell("usa", "nato", "2025-02-09")
    assert nato is not None and nato.stance.code == "renounce"  # the leak, as asked
    assert invoke("tui", "--as-of", "2025-03-31", "--min-grade", "a1", db=demo_path).exit_code == 0
    assert opened[1].timeline.policy.min_grade == "A1" and not opened[1].include_reported
    before = demo_path.read_bytes()
    refused = invoke("tui", "--min-grade", "Z9", db=demo_path)
    assert refused.exit_code == 2 and "not an Admiralty code" in refused.stderr
    assert len(opened) == 2 and demo_path.read_bytes() == before
