"""describe: the exact words for stances and changes that the CLI, the brief and the dashboard share."""

from __future__ import annotations

from typing import Any

import pytest

from tracker import codebook as default_codebook
from tracker import describe
from tracker.model import Cell, Change, ChangeKind, Codebook, Issue, Statement, codebook_from_tables
from tracker.tui.components.cell_info import cell_summary
from tracker.tui.components.matrix import cell_text


@pytest.fixture
def book() -> Codebook:
    return codebook_from_tables(default_codebook.PARTIES, default_codebook.ISSUES)


@pytest.fixture
def nato(book: Codebook) -> Issue:
    return book.require_issue("nato")  # join-now (0) … not-now (2) … renounce (4)


def statement(id: str = "st_1", **fields: Any) -> Statement:
    base = {"id": id, "rev": 1, "party": "usa", "issue": "nato", "stance": "not-now", "stated_on": "2025-02-12"}
    return Statement.from_json({**base, **fields})


def cell(book: Codebook, code: str, *, version: int = 1, grade: str = "", id: str = "st_1") -> Cell:
    return Cell("usa", "nato", book.require_stance("nato", code), statement(id, stance=code, grade=grade), version)


def change(
    book: Codebook,
    kind: ChangeKind,
    before: str | None,
    after: str | None,
    movement: str | None = None,
    statements: tuple[Statement, ...] = (),
) -> Change:
    return Change(
        "usa",
        "nato",
        kind,
        cell(book, before, id="st_before") if before else None,
        cell(book, after, id="st_after") if after else None,
        movement,
        statements,
    )


# -- stances ---------------------------------------------------------------------


def test_a_stance_is_its_label_and_no_cell_is_no_position(book: Codebook) -> None:
    assert describe.stance_label(cell(book, "renounce")) == "Renounce (neutrality)"
    assert describe.stance_label(None) == "no position"


def test_the_ends_of_each_kind_of_change(book: Codebook) -> None:
    new = change(book, ChangeKind.new, None, "not-now")
    assert (describe.before_label(new), describe.after_label(new)) == ("no position", "Not now")
    gone = change(book, ChangeKind.withdrawn, "not-now", None)
    assert (describe.before_label(gone), describe.after_label(gone)) == ("Not now", "withdrawn")
    moved = change(book, ChangeKind.changed, "irreversible-path", "unrealistic")
    assert (describe.before_label(moved), describe.after_label(moved)) == ("Irreversible path", "Unrealistic")


def test_version_and_grade(book: Codebook) -> None:
    assert describe.position_grade(cell(book, "not-now", version=3, grade="A1")) == "3rd · A1"
    assert describe.position_grade(cell(book, "not-now", version=3, grade="A1"), " ") == "3rd A1"
    assert describe.position_grade(cell(book, "not-now", version=2)) == "2nd"
    assert [describe.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 112)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th", "112th",
    ]  # fmt: skip


# -- which way a change moved ------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "movement", "words"),
    [
        ("irreversible-path", "unrealistic", "away", "▶ +2 toward renounce, away from the others"),
        ("irreversible-path", "unrealistic", "toward", "▶ +2 toward renounce, toward the others"),
        ("irreversible-path", "unrealistic", None, "▶ +2 toward renounce"),
        ("renounce", "not-now", "toward", "◀ -2 toward join-now, toward the others"),
        ("not-now", "irreversible-path", None, "◀ -1 toward join-now"),
        ("not-now", "not-now", None, ""),  # a restatement: no shift and no movement
    ],
)
def test_direction_words_the_shift_and_the_movement(
    book: Codebook, nato: Issue, before: str, after: str, movement: str | None, words: str
) -> None:
    kind = ChangeKind.changed if before != after else ChangeKind.restated
    assert describe.direction(change(book, kind, before, after, movement), nato) == words


def test_the_parts_of_a_direction(book: Codebook, nato: Issue) -> None:
    up = change(book, ChangeKind.changed, "join-now", "renounce", "away")
    assert describe.shift_words(up, nato) == "▶ +4 toward renounce"
    assert describe.movement_words(up) == "away from the others"
    assert describe.movement_words(change(book, ChangeKind.changed, "join-now", "renounce", "toward")) == (
        "toward the others"
    )
    new = change(book, ChangeKind.new, None, "renounce")
    assert describe.shift_words(new, nato) == describe.movement_words(new) == describe.direction(new, nato) == ""


def test_the_shift_arrow() -> None:
    assert [describe.shift_arrow(s) for s in (3, 1, 0, None, -1, -4)] == ["▶", "▶", "=", "=", "◀", "◀"]


# -- a change in a matrix cell -----------------------------------------------------


def test_each_kind_in_the_few_characters_of_a_matrix_cell(book: Codebook) -> None:
    changed = change(book, ChangeKind.changed, "renounce", "not-now", "toward")
    assert describe.compact_change(changed) == ("◀ from Renounce (neutrality)", "toward")
    unmoved = change(book, ChangeKind.changed, "not-now", "unrealistic")
    assert describe.compact_change(unmoved) == ("▶ from Not now", "")
    assert describe.compact_change(change(book, ChangeKind.withdrawn, "not-now", None)) == ("× was Not now", "")
    assert describe.compact_change(change(book, ChangeKind.new, None, "not-now")) == ("+ new", "")
    assert describe.compact_change(change(book, ChangeKind.restated, "not-now", "not-now")) == ("restated", "")


# -- the statement behind a change -------------------------------------------------


def test_the_evidence_is_the_newest_statement_in_the_window_else_an_end(book: Codebook) -> None:
    path = (statement("st_a"), statement("st_b"))
    assert describe.evidence(change(book, ChangeKind.changed, "not-now", "renounce", None, path)).id == "st_b"
    assert describe.evidence(change(book, ChangeKind.changed, "not-now", "renounce")).id == "st_after"
    assert describe.evidence(change(book, ChangeKind.withdrawn, "not-now", None)).id == "st_before"


# -- the dashboard says the same -----------------------------------------------------


def test_the_cell_line_words_a_change_as_the_cli_does(book: Codebook, nato: Issue) -> None:
    """It used to say "(+2 on the scale), away the others" and call a withdrawn end "no position"."""
    usa = book.require_party("usa")
    moved = change(book, ChangeKind.changed, "irreversible-path", "unrealistic", "away")
    line = cell_summary(usa, nato, moved.after, moved).plain.split("\n")[1]
    assert line == f"changed: Irreversible path → Unrealistic ({describe.direction(moved, nato)})"
    assert line.endswith("(▶ +2 toward renounce, away from the others)")
    gone = change(book, ChangeKind.withdrawn, "not-now", None)
    assert cell_summary(usa, nato, None, gone).plain.split("\n")[1] == "withdrawn: Not now: withdrawn; no position left"


def test_the_matrix_cell_words_a_change_in_short(book: Codebook, nato: Issue) -> None:
    moved = change(book, ChangeKind.changed, "renounce", "not-now", "toward")
    lines = cell_text(moved.after, moved, nato, compare=True).plain.split("\n")
    assert lines == ["◆ Not now", "··●·· 1st", "2025-02-12", "◀ from Renounce (neutrality) (toward)"]
