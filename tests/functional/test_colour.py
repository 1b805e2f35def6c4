"""Colour, and what stands in for it when it is off: only a non-empty NO_COLOR turns it off (no-color.org);
without colour the matrix marks each stance's place on its scale (``···●·``) and no colour key is printed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import END, SIZE, Invoke, cell, ok
from tracker.palette import stance_color
from tracker.store import Store
from tracker.tui.app import TrackerApp
from tracker.tui.components.legend import Legend
from tracker.tui.components.matrix import MatrixTable
from tracker.tui.session import Session

SURRENDER = "···●·"
"""Russia on Kursk as of END: Surrender, the fourth of five stances."""
COLOUR = re.compile(r"\x1b\[(?:\d+;)*(?:3[0-7]|9[0-7]|38;[25];[\d;]+)m")
"""An escape that sets a foreground colour: 16-colour (31, 1;91), 256-colour or true colour (38;5;n, 38;2;r;g;b)."""

MATRIX = ("matrix", "--as-of", END)
DIFF = ("diff", "2025-02-01", "2025-03-20")


def colour_env(monkeypatch: pytest.MonkeyPatch, no_color: str | None, force: bool) -> None:
    """NO_COLOR as given (None: unset); FORCE_COLOR=1 makes the test's captured output count as a terminal."""
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    if force:
        monkeypatch.setenv("FORCE_COLOR", "1")
    else:
        monkeypatch.delenv("FORCE_COLOR", raising=False)


COLOUR_OFF = {
    "NO_COLOR=1": ("1", False),
    "NO_COLOR=1 on a terminal": ("1", True),
    "a pipe": (None, False),
}
COLOUR_ON = {
    "a terminal": (None, True),
    "NO_COLOR= (empty) on a terminal": ("", True),
}


@pytest.mark.parametrize(("no_color", "force"), COLOUR_OFF.values(), ids=COLOUR_OFF.keys())
def test_without_colour_the_matrix_marks_the_scale_and_prints_no_colour_key(
    invoke: Invoke, demo_path: Path, monkeypatch: pytest.MonkeyPatch, no_color: str | None, force: bool
) -> None:
    colour_env(monkeypatch, no_color, force)
    out = ok(invoke(*MATRIX, db=demo_path)).stdout
    assert COLOUR.search(out) is None
    assert "■" not in out and "colour:" not in out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)  # bold and dim stay on a terminal: they are not colour
    lines = [line.split("│")[4].strip() for line in plain.splitlines() if line.count("│") > 4]
    assert lines[:3] == ["Surrender", SURRENDER, "2025-03-14"], "Russia on Kursk, marked under its label"
    assert "·●· the stance's place on its scale" in out
    diff = ok(invoke(*DIFF, db=demo_path)).stdout
    assert "■" not in diff and "colour:" not in diff and "Surrender" in diff


@pytest.mark.parametrize(("no_color", "force"), COLOUR_ON.values(), ids=COLOUR_ON.keys())
def test_with_colour_the_key_is_the_palette(
    invoke: Invoke, demo_path: Path, monkeypatch: pytest.MonkeyPatch, no_color: str | None, force: bool
) -> None:
    colour_env(monkeypatch, no_color, force)
    out = ok(invoke(*MATRIX, db=demo_path)).stdout
    assert COLOUR.search(out) is not None
    assert "Kyiv's pole" in out and "■" in out
    assert SURRENDER not in out
    diff = ok(invoke(*DIFF, db=demo_path)).stdout
    assert "Kyiv's pole" in diff and COLOUR.search(diff) is not None


def test_the_json_csv_and_markdown_matrix_are_the_same_either_way(
    invoke: Invoke, demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = []
    for no_color, force in (*COLOUR_OFF.values(), *COLOUR_ON.values()):
        colour_env(monkeypatch, no_color, force)
        outputs.append([ok(invoke(*MATRIX, "-f", fmt, db=demo_path)).stdout for fmt in ("json", "csv", "markdown")])
    assert all(output == outputs[0] for output in outputs)


# -- the dashboard ---------------------------------------------------------------------


def label_styles(app: TrackerApp) -> list[str]:
    text = app.query_one(MatrixTable).text_at("russia", "kursk")
    return [str(span.style) for span in text.spans if span.start == 0]


async def test_an_empty_no_color_leaves_the_dashboard_in_colour(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "")
    kursk = Store(demo_path).codebook.require_issue("kursk")
    app = TrackerApp(Session.open(demo_path), as_of=END)
    async with app.run_test(size=SIZE):
        assert not app.no_color
        assert any(stance_color(kursk.scale[3], kursk) in style for style in label_styles(app))
        assert "Kyiv's pole" in app.query_one(Legend).render().plain  # type: ignore[union-attr]


async def test_without_colour_the_dashboard_shows_no_colour_key(demo_path: Path) -> None:
    app = TrackerApp(Session.open(demo_path), as_of=END)  # conftest sets NO_COLOR=1
    async with app.run_test(size=SIZE):
        assert app.no_color
        assert SURRENDER in cell(app, "russia", "kursk")
        key = app.query_one(Legend).render().plain  # type: ignore[union-attr]
        assert "Kyiv's pole" not in key and "■" not in key
        assert "·●· place on the scale" in key
