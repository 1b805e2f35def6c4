"""The dashboard driven as an analyst drives it: keys and clicks through Pilot, on real store files."""

from __future__ import annotations

import subprocess
import sys
import webbrowser
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select

from tests.helpers import END, SIZE, cell, put_cursor, screen_text, wait_for
from tests.hostile import ESCAPES, FORBIDDEN, MARKUP
from tracker.model import Party
from tracker.palette import stance_color
from tracker.store import Store, default_tables
from tracker.tui.app import TrackerApp
from tracker.tui.components.matrix import MatrixTable
from tracker.tui.screens.history import HistoryScreen
from tracker.tui.screens.statement_form import StatementForm
from tracker.tui.session import Session


def painted(app: TrackerApp, party: str, issue: str) -> str:
    """The first line of a cell as painted on the screen (not as held in the widget)."""
    table = app.query_one(MatrixTable)
    where = table.region_of(party, issue).translate(table.content_region.offset)
    line = screen_text(app).split("\n")[where.y]
    return line[where.x : where.right].strip()


def labels(app: TrackerApp) -> dict[tuple[str, str], str]:
    """The first line of every cell: the stance label, or "no position"."""
    return {
        (p.id, i.id): cell(app, p.id, i.id).split("\n")[0].removeprefix("◆ ")
        for p in app.codebook.parties
        for i in app.codebook.issues
    }


def shown_axes(app: TrackerApp) -> tuple[list[str], list[str]]:
    """The party and issue ids the matrix shows, in order."""
    table = app.query_one(MatrixTable)
    return [p.id for p in table.parties], [i.id for i in table.issues]


def expected_labels(path: Path, day: str) -> dict[tuple[str, str], str]:
    """What `tracker matrix --as-of DAY` says, from a store of its own."""
    store = Store(path)
    grid = store.timeline().matrix(day)
    return {
        (p.id, i.id): grid.cells[(p.id, i.id)].stance.label if (p.id, i.id) in grid.cells else "no position"
        for p in store.codebook.parties
        for i in store.codebook.issues
    }


async def type_into(pilot: Pilot[None], selector: str, text: str) -> None:
    box = pilot.app.screen.query_one(selector, Input)
    box.focus()
    box.value = ""
    await pilot.press(*text)


async def test_matrix_shows_each_cell_with_its_position_date_and_grade(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE):
        shown = screen_text(app)
        assert "Russia–Ukraine–US negotiations, 2025" in shown
        assert "as of 2025-03-31" in shown
        assert cell(app, "russia", "kursk").split("\n") == ["Surrender", "···●· 2nd A1", "2025-03-14", "Vladimir Putin"]
        assert cell(app, "europe", "territory").startswith("no position")
        assert labels(app) == expected_labels(demo_path, END)
        for text in ("Russia", "United States", "Ceasefire", "Surrender", "·●· place on the scale"):
            assert text in shown  # NO_COLOR (conftest): the scale marks' key, not the palette's (test_colour.py)


async def test_steps_back_through_the_change_dates_as_the_record_says(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        visited = []
        for _ in range(9):
            await pilot.press("[")
            visited.append(app.as_of)
            expected = expected_labels(demo_path, app.as_of)
            assert labels(app) == expected
            assert f"as of {app.as_of}" in screen_text(app)
            for party, issue in (("russia", "kursk"), ("usa", "territory"), ("russia", "ceasefire")):
                shown = painted(app, party, issue)
                assert shown and expected[(party, issue)].startswith(shown.removesuffix("…"))
        assert visited == [
            "2025-03-17", "2025-03-15", "2025-03-14", "2025-03-13", "2025-03-12",
            "2025-03-11", "2025-03-07", "2025-02-12", "2025-02-11",
        ]  # fmt: skip
        assert cell(app, "russia", "kursk").startswith("no position")  # before Putin's visit of 12 March
        await pilot.press("]")
        assert app.as_of == "2025-02-12"
        await pilot.press("{")
        assert app.as_of == "2021-12-17"
        assert "change 1 of 16" in screen_text(app)
        await pilot.press("[")
        assert app.as_of == "2021-12-17"  # nothing earlier: stays, and says so
        assert any(n.message == "No earlier change." for n in app._notifications)
        await pilot.press("}")
        assert app.as_of == "2025-03-17"
        assert labels(app) == expected_labels(demo_path, "2025-03-17")


async def test_goto_asks_for_a_date_and_refuses_a_bad_one(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await type_into(pilot, "#date", "2025-02-30")
        await pilot.press("enter")
        assert "not a date" in screen_text(app)
        await type_into(pilot, "#date", "2025-03-12")
        await pilot.press("enter")
        assert app.as_of == "2025-03-12"
        # The visit of 12 March is a report, not a position: shown as one, never as the cell's stance.
        assert cell(app, "russia", "kursk").startswith("no position")
        assert "? Expel by force · C6 · 03-12" in cell(app, "russia", "kursk")


async def test_compare_marks_what_moved_with_old_new_and_direction(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await type_into(pilot, "#date", "2025-03-12")
        await pilot.press("enter")
        assert app.compare == "2025-03-12"
        diff = Store(demo_path).timeline().diff("2025-03-12", END)
        moved = {(c.party, c.issue) for c in diff.changes}
        marked = {
            (p.id, i.id)
            for p in app.codebook.parties
            for i in app.codebook.issues
            if cell(app, p.id, i.id).startswith("◆")
        }
        assert marked == moved
        # Putin's words of 13-14 March are Russia's first stated Kursk position (the visit was a report).
        russia_kursk = cell(app, "russia", "kursk").split("\n")
        assert russia_kursk[0] == "◆ Surrender" == painted(app, "russia", "kursk")
        assert russia_kursk[3].startswith("+ new")
        assert f"{len(moved)} moved" in screen_text(app)
        await put_cursor(pilot, "russia", "kursk")
        said = "new: no position → Surrender"
        assert said in screen_text(app)  # the words of tracker diff
        assert "? reported: Expel by force · C6 · 03-12" not in screen_text(app)  # older than the position
        await pilot.press("[")  # stepping keeps the comparison
        assert app.compare == "2025-03-12"
        assert labels(app) == expected_labels(demo_path, "2025-03-17")
        await pilot.press("c")
        await type_into(pilot, "#date", "")
        await pilot.press("enter")
        assert app.compare is None
        assert not cell(app, "russia", "kursk").startswith("◆")


async def test_compare_from_the_command_line_option(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END, compare="2025-02-01")
    async with app.run_test(size=SIZE):
        assert cell(app, "usa", "nato").startswith("◆ Unrealistic")
        assert "▶ from Irreversible path" in cell(app, "usa", "nato")
        assert cell(app, "ukraine", "kursk").split("\n")[3] == "+ new"


async def test_history_lists_every_statement_newest_first_and_opens_the_source(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    app = TrackerApp(Session.open(demo_path), as_of=END)

    def browser(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(webbrowser, "open", browser)
    async with app.run_test(size=SIZE) as pilot:
        await put_cursor(pilot, "russia", "kursk")
        await pilot.press("enter")
        assert isinstance(app.screen, HistoryScreen)
        shown = screen_text(app)
        assert "Russia · Kursk" in shown and "3 statements, newest first" in shown
        assert shown.index("2025-03-14") < shown.index("2025-03-13") < shown.index("2025-03-12")
        visit = "C6 · media-report"  # the 12 March visit: kept as a report of an action, not as a statement
        for text in ("Vladimir Putin", "If they lay down their arms", "Kyiv orders its troops in Kursk to surrender",
                     "newsmax.com/newsfront/putin-ukraine-surrender", "A1 · official", visit):  # fmt: skip
            assert text in shown
        await pilot.press("o")
        assert opened == ["https://newsmax.com/newsfront/putin-ukraine-surrender/2025/03/14/id/1202886/"]
        await pilot.press("down", "down", "o")
        assert len(opened) == 1  # the 12 March statement has no URL: nothing opens
        await pilot.press("escape")
        assert not isinstance(app.screen, HistoryScreen)


async def test_add_through_the_form_writes_the_store(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        await put_cursor(pilot, "europe", "kursk")
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, StatementForm)
        assert form.query_one("#party", Select).value == "europe"  # the cell under the cursor
        assert form.query_one("#date", Input).value == END
        form.query_one("#stance", Select).value = "exchange"
        await type_into(pilot, "#speaker", "Kaja Kallas")
        await type_into(pilot, "#quote", "An exchange is for Ukraine to decide.")
        await type_into(pilot, "#url", "https://example.org/kallas")
        await type_into(pilot, "#grade", "B2")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: cell(app, "europe", "kursk").startswith("Exchange"))
        assert not isinstance(app.screen, StatementForm)
        assert cell(app, "europe", "kursk").split("\n")[:2] == ["Exchange", "·●··· 1st B2"]
        [added] = Store(demo_path).timeline().statements("europe", "kursk")
        assert (added.speaker, added.stance, added.stated_on, added.source.url) == (
            "Kaja Kallas", "exchange", END, "https://example.org/kallas",
        )  # fmt: skip


async def test_correct_and_retract_through_the_forms_add_revisions(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        await put_cursor(pilot, "russia", "kursk")
        statement_id = app.timeline.cell("russia", "kursk", END).statement.id  # type: ignore[union-attr]
        await pilot.press("enter", "e")
        form = app.screen
        assert isinstance(form, StatementForm)
        assert form.query_one("#speaker", Input).value == "Vladimir Putin"
        await type_into(pilot, "#grade", "B2")
        await type_into(pilot, "#reason", "second source disagrees")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "r2 corrected" in screen_text(app))
        revisions = Store(demo_path).history(statement_id)
        assert [(r.rev, r.grade, r.reason) for r in revisions] == [(1, "A1", ""), (2, "B2", "second source disagrees")]
        shown = screen_text(app)
        assert "r2 corrected" in shown and "second source disagrees" in shown
        assert "B2 · official" in shown

        await pilot.press("x")
        await type_into(pilot, "#reason", "misattributed")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "r3 retracted" in screen_text(app))
        assert Store(demo_path).history(statement_id)[-1].retracted
        assert "RETRACTED" in screen_text(app) and "r3 retracted" in screen_text(app)
        await pilot.press("escape")
        # the 13 March statement stands again: same stance, one position fewer
        assert cell(app, "russia", "kursk").split("\n")[:3] == ["Surrender", "···●· 1st A1", "2025-03-13"]


async def test_a_position_withdrawn_on_a_date_stands_only_before_it(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        await put_cursor(pilot, "usa", "territory")
        assert cell(app, "usa", "territory").startswith("Freeze, no recognition")
        await pilot.press("x")
        await type_into(pilot, "#reason", "offer withdrawn")
        await type_into(pilot, "#withdrawn", "2025-03-20")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not cell(app, "usa", "territory").startswith("Freeze, no recognition"))
        assert labels(app) == expected_labels(demo_path, END)
        assert "2025-03-20" in app.change_dates
        await pilot.press("[")
        assert app.as_of == "2025-03-20"
        await pilot.press("[")
        assert cell(app, "usa", "territory").startswith("Freeze, no recognition")


async def test_bad_form_input_is_refused_beside_each_field(demo_path: Path) -> None:
    before = demo_path.read_bytes()
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, StatementForm)
        await type_into(pilot, "#date", "2025-02-30")
        await type_into(pilot, "#grade", "Z9")
        await type_into(pilot, "#published", "soon")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StatementForm)
        errors = {
            name: str(form.query_one(f"#{name}-error").render()) for name in ("stance", "date", "grade", "published")
        }
        assert errors["stance"] == "required"
        assert "not a date: '2025-02-30'" in errors["date"]
        assert "not an Admiralty code" in errors["grade"]
        assert "not a date: 'soon'" in errors["published"]
        assert str(form.query_one("#party-error").render()) == ""
        assert app.screen.focused is form.query_one("#stance")  # the first field in trouble
        await pilot.press("escape")
    assert demo_path.read_bytes() == before


async def test_correcting_nothing_is_refused(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        await put_cursor(pilot, "russia", "kursk")
        await pilot.press("e", "ctrl+s")
        assert "nothing changed" in screen_text(app)


async def test_reloads_after_another_process_writes_keeping_cursor_and_dates(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of="2025-03-14", compare="2025-03-01")
    async with app.run_test(size=SIZE) as pilot:
        await put_cursor(pilot, "usa", "sanctions")
        other = Store(demo_path)  # another terminal's `tracker add`
        other.add(
            {"party": "europe", "issue": "sanctions", "stance": "tighten", "stated_on": "2025-03-10", "grade": "B2"}
        )
        await wait_for(pilot, lambda: cell(app, "europe", "sanctions").startswith("◆ Tighten"))
        assert (app.as_of, app.compare) == ("2025-03-14", "2025-03-01")
        assert app.query_one(MatrixTable).cursor_key == ("usa", "sanctions")


async def test_a_broken_file_on_disk_is_reported_and_the_last_good_record_kept(demo_path: Path) -> None:
    good = demo_path.read_bytes()
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        demo_path.write_text("{ half a file", encoding="utf-8")  # someone edits it by hand
        await wait_for(pilot, lambda: any("Cannot re-read the store" in n.message for n in app._notifications))
        assert cell(app, "russia", "kursk").startswith("Surrender")
        demo_path.write_bytes(good.replace(b'"surrender or die"', b'"surrender, or else"'))
        await wait_for(pilot, lambda: any("reloaded" in n.message for n in app._notifications))
        assert cell(app, "russia", "kursk").startswith("Surrender")


async def test_external_tracker_add_command_is_picked_up(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        tracker = [sys.executable, "-c", "from tracker.cli import run; run()"]
        subprocess.run([*tracker, "--db", str(demo_path), "add", "--party", "europe", "--issue", "ceasefire",
                        "--stance", "conditional", "--date", "2025-03-20", "--grade", "B2"], check=True)  # fmt: skip
        await wait_for(pilot, lambda: cell(app, "europe", "ceasefire").startswith("Conditional"))
        assert app.change_dates[-1] == "2025-03-20"


async def test_hostile_text_is_shown_literally(store_path: Path) -> None:
    store = Store(store_path)
    payloads = {**ESCAPES, **MARKUP}
    for n, (name, text) in enumerate(payloads.items()):
        store.add(
            {
                "party": "russia",
                "issue": "nato",
                "stance": "renounce",
                "stated_on": f"2025-01-{n + 1:02d}",
                "speaker": text,
                "quote": text,
                "summary": name,
                "source": {"url": "https://example.org", "title": text, "outlet": text},
                "conditions": [text],
                "grade": "B2",
            }
        )
    app = TrackerApp(Session(store), as_of="2025-12-31")
    async with app.run_test(size=(160, 50)) as pilot:
        await put_cursor(pilot, "russia", "nato")
        assert "surrender, [we] will guarantee" in screen_text(app)  # the newest, in the cell line
        await pilot.press("enter")
        options = app.screen.query_one(OptionList)
        for index in range(options.option_count):
            options.highlighted = index
            await pilot.pause()
            shown = screen_text(app)
            for char in FORBIDDEN:
                assert char not in shown
        shown = "\n".join(str(options.get_option_at_index(n).prompt) for n in range(options.option_count))
        for text in MARKUP.values():
            assert text in shown
        assert app.is_running  # [@click=app.quit] did nothing


async def test_a_hostile_dataset_title_is_shown_literally(tmp_path: Path) -> None:
    path = tmp_path / "hostile.json"
    Store.create(path, default_tables(MARKUP["click"] + " " + MARKUP["bold"]))
    store = Store(path)
    store.add_party(Party("evil", MARKUP["textual_var"]))
    app = TrackerApp(Session(store), as_of="2025-01-01")
    async with app.run_test(size=SIZE) as pilot:
        assert "[@click=app.quit]quit[/] [bold]not bold[/bold]" in screen_text(app)
        assert "$accent [b]x[/b]" in screen_text(app)  # the party's name, cut to the label column
        await pilot.press("p")
        assert MARKUP["textual_var"] in screen_text(app)


async def test_an_empty_store_opens_and_takes_its_first_statement(store_path: Path) -> None:
    app = TrackerApp(Session.open(store_path), as_of="2025-03-01")
    async with app.run_test(size=SIZE) as pilot:
        shown = screen_text(app)
        assert "no statements yet" in shown
        assert all(label == "no position" for label in labels(app).values())
        await pilot.press("[")
        assert app.as_of == "2025-03-01"
        await pilot.press("a")
        app.screen.query_one("#stance", Select).value = "renounce"
        app.screen.query_one("#grade", Input).value = "B2"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: cell(app, "russia", "nato").startswith("Renounce"))
        assert app.change_dates == ["2025-03-01"]


async def test_filter_and_choose_parties_and_issues(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(MatrixTable)
        everyone = shown_axes(app)
        await pilot.press("/", *"rus kursk")
        assert shown_axes(app) == (["russia"], ["kursk"])
        assert cell(app, "russia", "kursk").startswith("Surrender")
        assert "filter: rus kursk" in screen_text(app)
        await pilot.press("enter")
        assert table.has_focus
        await pilot.press("/", "escape")
        assert shown_axes(app) == everyone
        await pilot.press("/", *"zzz", "enter")
        assert shown_axes(app) == ([], [])
        assert "no cell matches 'zzz'" in screen_text(app)
        await pilot.press("/", "escape")

        await pilot.press("p")
        await pilot.press("down", "space", "enter")  # untick Ukraine
        assert shown_axes(app)[0] == ["russia", "usa", "europe"]
        await pilot.press("i", "space", "enter")  # untick NATO
        assert shown_axes(app)[1] == ["territory", "kursk", "ceasefire", "sanctions"]
        await pilot.press("p", "a", "enter", "i", "a", "enter")
        assert shown_axes(app) == everyone


async def test_help_palette_footer_and_quit(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "[ ] Step" in screen_text(app) and "q Quit" in screen_text(app)  # the footer
        await pilot.press("question_mark")
        shown = screen_text(app)
        for text in ("Step back to the previous change date", "Record a new statement", "Command palette"):
            assert text in shown
        await pilot.press("escape")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for action in ("Prev", "Next", "First", "Last", "Go to", "Compare", "History", "Add", "Correct",
                       "Retract", "Filter", "Parties", "Issues", "Inbox", "Help", "Quit"):  # fmt: skip
            assert any(t.startswith(action) for t in titles), action
        await pilot.press("ctrl+p", *"compare", "enter")
        await pilot.pause()
        assert app.screen.query_one("#date", Input)  # the palette ran the compare action
        await pilot.press("escape", "q")
    assert not app.is_running


async def test_mouse_click_on_the_timeline_and_a_cell(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#strip", offset=(1, 0))
        assert app.as_of == "2021-12-17"
        await pilot.click("#strip", offset=(app.query_one("#strip").size.width - 2, 0))
        assert app.as_of == "2025-03-17"


async def test_clicking_a_cell_moves_the_cursor_and_a_second_click_opens_it(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(MatrixTable)
        where = table.region_of("usa", "ceasefire")
        await pilot.click("#matrix", offset=(where.x + 2, where.y + 1))
        assert table.cursor_key == ("usa", "ceasefire")
        assert "United States · Ceasefire: Immediate, full" in screen_text(app)
        await pilot.click("#matrix", offset=(where.x + 2, where.y + 1))
        assert isinstance(app.screen, HistoryScreen)
        assert app.screen.issue.id == "ceasefire"


async def test_a_step_redraws_only_the_cells_that_changed(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of="2025-03-13")
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(MatrixTable)
        keys = [(p.id, i.id) for p in app.codebook.parties for i in app.codebook.issues]
        before = {key: table.text_at(*key) for key in keys}
        await pilot.press("]")
        assert app.as_of == "2025-03-14"
        redrawn = {key for key in keys if table.text_at(*key) is not before[key]}
        assert redrawn == {("russia", "kursk"), ("usa", "kursk")}  # what was said on 14 March


async def test_cursor_keys_move_between_cells(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(MatrixTable)
        assert table.cursor_key == ("russia", "nato")
        await pilot.press("down", "down", "right", "right", "right", "right", "right")
        assert table.cursor_key == ("usa", "sanctions")
        await pilot.press("end", "left")
        assert table.cursor_key == ("europe", "ceasefire")
        shown = screen_text(app)
        assert "Europe" in shown and "Sanctions" in shown  # the whole matrix fits at 80 × 24


async def test_inbox_key(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        try:
            from tracker.tui.screens.inbox import InboxScreen  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            assert any("inbox is not available" in n.message for n in app._notifications)
        else:
            assert isinstance(app.screen, InboxScreen)


async def test_no_color_is_respected(demo_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(demo_path)
    kursk = store.codebook.require_issue("kursk")
    colour = stance_color(kursk.scale[3], kursk)  # surrender

    def label_styles(app: TrackerApp) -> list[str]:
        text = app.query_one(MatrixTable).text_at("russia", "kursk")
        return [str(span.style) for span in text.spans if span.start == 0]

    app = TrackerApp(Session(store), as_of=END)  # conftest sets NO_COLOR
    async with app.run_test(size=SIZE):
        assert app.no_color
        assert all(colour not in style for style in label_styles(app))
        assert "···●·" in cell(app, "russia", "kursk")  # the place on the scale, without colour

    monkeypatch.delenv("NO_COLOR")
    app = TrackerApp(Session(store), as_of=END)
    async with app.run_test(size=SIZE):
        assert not app.no_color
        assert any(colour in style for style in label_styles(app))  # the one palette, from palette.py


def test_bare_tracker_opens_the_dashboard(demo_path: Path, monkeypatch: pytest.MonkeyPatch, invoke: Any) -> None:
    opened: list[TrackerApp] = []
    monkeypatch.setattr(TrackerApp, "run", lambda self, **_: opened.append(self))
    result = invoke(db=demo_path)
    assert result.exit_code == 0, result.output
    [app] = opened
    assert app.title == "Russia–Ukraine–US negotiations, 2025"
    invoke("tui", "--as-of", "2025-03-14", "--compare", "2025-03-01", db=demo_path)
    assert (opened[1].as_of, opened[1].compare) == ("2025-03-14", "2025-03-01")


def test_importing_the_package_does_not_load_textual() -> None:
    code = "import sys, tracker.tui; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
