"""Finding and naming things on the dashboard (issue 15): a cell says which position it holds, not "v2",
and the add form's drop-downs find a party by an alias and a stance by its label, as the CLI does."""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import Select, Static

from tests.helpers import END, SIZE, cell, put_cursor, wait_for
from tracker.model import Party, Stance
from tracker.store import Store
from tracker.tui.app import TrackerApp
from tracker.tui.components.legend import Legend
from tracker.tui.components.matrix import MatrixTable
from tracker.tui.screens.help import HelpScreen
from tracker.tui.screens.statement_form import StatementForm
from tracker.tui.session import Session


def rendered(widget: Static) -> str:
    return str(widget.render())


async def test_a_cell_says_which_position_it_holds_and_the_legend_says_what_that_means(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        assert cell(app, "russia", "kursk").split("\n")[:2] == ["Surrender", "···●· 2nd A1"]
        legend = rendered(app.query_one(Legend))
        assert "4th: the cell's 4th position" in legend and "version" not in legend
        assert not re.search(r"\bv\d", legend)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        words = " ".join(rendered(s) for s in app.screen.query(Static))
        assert "4th: the fourth stance it has held" in words and "revisions" in words
        assert "version" not in words and not re.search(r"\bv\d", words)


async def test_the_add_forms_drop_downs_find_an_alias_and_a_label(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        await put_cursor(pilot, "europe", "nato")
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, StatementForm)
        party = form.query_one("#party", Select)
        party.focus()
        await pilot.press("enter", *"Kremlin", "enter")  # open, type an alias of Russia, choose
        await wait_for(pilot, lambda: party.value == "russia")
        stance = form.query_one("#stance", Select)
        stance.focus()
        await pilot.press("enter", *"not now", "enter")  # the label, as `--stance "Not now"` takes it
        await wait_for(pilot, lambda: stance.value == "not-now")
        grade = form.query_one("#grade")
        grade.focus()
        await pilot.press(*"b2")  # a lowercase grade, as the CLI takes it
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, StatementForm))
    added = [s for s in Store(demo_path).latest(["russia"], ["nato"]) if s.stated_on == END]
    assert [(s.party, s.stance, s.grade) for s in added] == [("russia", "not-now", "B2")]


async def test_codebook_edits_from_another_terminal_reach_the_open_dashboard(demo_path: Path) -> None:
    """A party removed and a stance inserted while the dashboard is open: the matrix follows, the cursor stays."""
    Store(demo_path).add_party(Party("china", "China"))
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(MatrixTable)
        assert [p.id for p in table.parties][-1] == "china"
        await put_cursor(pilot, "china", "nato")
        other = Store(demo_path)  # another terminal's `tracker parties remove` and `issues update --add-stance`
        other.remove_party("china")
        other.update_issue("kursk", new_stance=Stance("ultimatum", "Ultimatum", 0), after="surrender")
        await wait_for(pilot, lambda: "china" not in [p.id for p in table.parties])
        await wait_for(pilot, lambda: cell(app, "russia", "kursk").split("\n")[1].startswith("···●··"))
        assert table.cursor_key is not None
