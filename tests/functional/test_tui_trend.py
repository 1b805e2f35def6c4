"""The dashboard's trend view (t), the spread in the matrix's issue headers, and the palette's Save screenshot,
driven through Pilot on the bundled record and checked against what ``tracker.gap`` computes on its own."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.helpers import SIZE, put_cursor, screen_text, wait_for
from tracker.gap import issue_gap, number, steps
from tracker.store import Store
from tracker.tui.app import TrackerApp
from tracker.tui.components.trend_plot import TrendPlot
from tracker.tui.screens.trend import TrendScreen
from tracker.tui.session import Session

AS_OF = "2025-02-12"
"""The day the United States called NATO membership unrealistic: the US moved toward Russia on NATO."""


def expected_window(path: Path) -> tuple[str, str]:
    """The quarter before the record's last change, read from a store of the test's own."""
    last = Store(path).timeline().change_dates()[-1]
    return (date.fromisoformat(last) - timedelta(days=90)).isoformat(), last


def messages(app: TrackerApp) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.mark.parametrize("size", [(80, 24), SIZE])
async def test_t_plots_the_highlighted_issue_as_tracker_gap_computes_it(demo_path: Path, size: tuple[int, int]) -> None:
    store = Store(demo_path)
    timeline, nato = store.timeline(), store.codebook.require_issue("nato")
    parties = [p.id for p in store.codebook.parties]
    since, until = expected_window(demo_path)
    app = TrackerApp(Session.open(demo_path), as_of=AS_OF)
    async with app.run_test(size=size) as pilot:
        await put_cursor(pilot, "ukraine", "nato")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TrendScreen))
        screen = app.screen
        assert isinstance(screen, TrendScreen)
        trend = screen.trend
        assert (trend.issue.id, trend.since, trend.until, trend.as_of) == ("nato", since, until, AS_OF)
        assert [p.id for p in trend.parties] == parties
        assert trend.course == steps(timeline, "nato", parties, since, until)
        # The plotted spread is the one `tracker gap` gives for the window ending on the as-of date.
        spread = issue_gap(timeline, nato, since, AS_OF, parties).spread
        shown = screen_text(app)
        assert f"NATO · spread {number(spread)} as of {AS_OF}" in shown
        assert "S United States: Unrealistic" in shown  # moved on the day itself: the as-of date sees it
        assert "E Europe: Irreversible path" in shown
        rows = {line.split("│")[0].strip(): line.split("│", 1)[1] for line in shown.split("\n") if " │" in line}
        assert "S" in rows["Unrealistic"] and "R" in rows["Renounce (neu…"]
        assert "as of 2025-02-12" in shown and since in shown


async def test_brackets_move_the_mark_and_the_matrix_and_esc_returns(demo_path: Path) -> None:
    change_dates = Store(demo_path).timeline().change_dates()
    following = change_dates[change_dates.index(AS_OF) + 1]
    app = TrackerApp(Session.open(demo_path), as_of=AS_OF)
    async with app.run_test(size=(80, 24)) as pilot:
        await put_cursor(pilot, "russia", "nato")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TrendScreen))
        plot = app.screen.query_one(TrendPlot)
        before = plot.mark
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.as_of == following
        assert isinstance(app.screen, TrendScreen) and app.screen.trend.as_of == following
        assert plot.mark > before
        assert f"as of {following}" in screen_text(app)
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert (app.as_of, plot.mark) == (AS_OF, before)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, TrendScreen)
        assert app.as_of == AS_OF and "as of 2025-02-12" in screen_text(app)


async def test_the_issue_headers_show_the_spread_as_of_the_date(demo_path: Path) -> None:
    store = Store(demo_path)
    timeline, parties = store.timeline(), [p.id for p in store.codebook.parties]
    app = TrackerApp(Session.open(demo_path), as_of="2025-03-14")
    async with app.run_test(size=(200, 40)) as pilot:
        first_line = screen_text(app).split("\n")[3]
        for issue in store.codebook.issues:
            found = issue_gap(timeline, issue, "2025-03-14", "2025-03-14", parties).spread
            assert f"{issue.name} · spread {number(found)}" in first_line
        await pilot.press("left_curly_bracket")  # the first change: fewer than two positions, no spread
        await pilot.pause()
        assert "NATO · spread —" in screen_text(app).split("\n")[3]


async def test_save_screenshot_writes_an_svg_here_and_says_where(demo_path: Path, tmp_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=AS_OF)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p", *"save screenshot", "enter")
        await wait_for(pilot, lambda: list(tmp_path.glob("tracker-*.svg")))
        [saved] = list(tmp_path.glob("tracker-*.svg"))
        root = ElementTree.parse(saved).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        words = "".join(root.itertext())
        assert "NATO" in words and "Russia" in words  # a picture of the matrix, not of the palette
        await wait_for(pilot, lambda: any(str(saved) in m for m in messages(app)))
        assert f"Screenshot saved: {saved}" in messages(app)
        # A second one in the same second is a new file, never written over the first.
        second = app.screenshot()
        assert second is not None and second != saved and second.exists() and saved.exists()


async def test_save_screenshot_where_the_folder_is_gone_says_so(
    demo_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder the dashboard was started in removed under it: one error notice, no traceback, no file."""
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    app = TrackerApp(Session.open(demo_path), as_of=AS_OF)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.screenshot() is None
        await wait_for(pilot, lambda: any(m.startswith("Cannot save the screenshot:") for m in messages(app)))
    assert not list(tmp_path.rglob("*.svg"))


async def test_help_lists_t_and_the_trend_views_keys(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=AS_OF)
    async with app.run_test(size=(100, 200)) as pilot:  # tall: the whole help in view, unscrolled
        await pilot.press("question_mark")
        await pilot.pause()
        shown = " ".join(screen_text(app).split())
        assert "t The highlighted issue over time: each party's stance" in shown
        assert TrendScreen.HELP_TITLE in shown
        assert "[ Step the as-of date back: the mark moves" in shown
