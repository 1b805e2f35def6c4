"""The timeline: cells as of a date (valid time) and as known at an instant (record time)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tracker import codebook as default_codebook
from tracker.dates import parse_instant
from tracker.model import Codebook, Statement, codebook_from_tables
from tracker.store import Store, default_tables, parse_tables
from tracker.timeline import Timeline

BOOK: Codebook = codebook_from_tables(default_codebook.PARTIES, default_codebook.ISSUES)


def rev(statement_id: str, stance: str, on: str, *, rev: int = 1, at: str = "", **extra: Any) -> Statement:
    """One hand-built revision of a russia/nato statement, recorded at ``at`` (an ISO instant)."""
    data: dict[str, Any] = {
        "id": statement_id,
        "rev": rev,
        "party": "russia",
        "issue": "nato",
        "stance": stance,
        "stated_on": on,
        "grade": "B2",  # stated: a position under the default policy (tests of reports say otherwise)
        "recorded_at": at or f"2025-06-01T00:00:0{rev}.000000Z",
    }
    return Statement.from_json({**data, **extra})


Record = Callable[..., Timeline]


@pytest.fixture
def record(tmp_path: Path) -> Record:
    """A store holding exactly these hand-built revisions (recorded_at kept), and its timeline."""
    made = itertools.count()

    def build(revisions: Sequence[Statement], known_at: str | None = None) -> Timeline:
        store = Store.create(tmp_path / f"record{next(made)}.json", default_tables())
        histories: dict[str, list[Statement]] = {}
        for revision in revisions:
            histories.setdefault(revision.id, []).append(revision)
        items = [{"revisions": [r.as_json() for r in sorted(h, key=lambda r: r.rev)]} for h in histories.values()]
        store.import_statements([(f"item {n}", item) for n, item in enumerate(items, 1)])
        return store.timeline(None if known_at is None else parse_instant(known_at))

    return build


def stance_at(timeline: Timeline, as_of: str, party: str = "russia", issue: str = "nato") -> str | None:
    cell = timeline.cell(party, issue, as_of)
    return None if cell is None else cell.stance.code


def said(store: Store, stance: str, on: str, party: str = "russia", issue: str = "nato") -> Statement:
    return store.add(
        {"party": party, "issue": issue, "stance": stance, "stated_on": on, "speaker": "someone", "grade": "B2"}
    )


def instant(text: str) -> datetime:
    return parse_instant(text)


# -- as-of ------------------------------------------------------------------------


def test_cell_is_the_newest_statement_on_or_before_the_date(store_path: Path) -> None:
    store = Store(store_path)
    first = said(store, "not-now", "2025-01-10")
    second = said(store, "unrealistic", "2025-02-12")
    third = said(store, "renounce", "2025-03-01")
    timeline = store.timeline()
    assert timeline.cell("russia", "nato", "2025-01-09") is None
    expected = {
        "2025-01-10": (first.id, 1),
        "2025-02-11": (first.id, 1),
        "2025-02-12": (second.id, 2),
        "2025-02-28": (second.id, 2),
        "2025-03-01": (third.id, 3),
        "2030-01-01": (third.id, 3),
    }
    for as_of, (statement_id, version) in expected.items():
        cell = timeline.cell("russia", "nato", as_of)
        assert cell is not None
        assert (cell.statement.id, cell.version) == (statement_id, version), as_of
        assert cell.stance == BOOK.require_stance("nato", cell.statement.stance)


def test_statements_recorded_out_of_order_are_ordered_by_date(store_path: Path) -> None:
    store = Store(store_path)
    said(store, "renounce", "2025-03-01")
    said(store, "not-now", "2025-01-10")
    timeline = store.timeline()
    assert stance_at(timeline, "2025-02-01") == "not-now"
    assert stance_at(timeline, "2025-03-01") == "renounce"


def test_cells_are_independent(store_path: Path) -> None:
    store = Store(store_path)
    said(store, "renounce", "2025-01-10")
    said(store, "join-now", "2025-01-12", party="ukraine")
    said(store, "lift", "2025-01-11", issue="sanctions")
    grid = store.timeline().matrix("2025-01-11")
    assert {key: cell.stance.code for key, cell in grid.cells.items()} == {
        ("russia", "nato"): "renounce",
        ("russia", "sanctions"): "lift",
    }


def test_matrix_selection_and_json(store_path: Path) -> None:
    store = Store(store_path)
    said(store, "renounce", "2025-01-10")
    said(store, "join-now", "2025-01-12", party="ukraine")
    said(store, "tighten", "2025-01-12", party="ukraine", issue="sanctions")
    data = store.timeline().matrix("2025-02-01", parties=["ukraine", "russia"], issues=["nato"]).as_json()
    assert data["as_of"] == "2025-02-01" and data["known_at"] is None
    assert data["parties"] == ["ukraine", "russia"] and data["issues"] == ["nato"]
    assert [(c["party"], c["stance"]) for c in data["cells"]] == [("ukraine", "join-now"), ("russia", "renounce")]
    everything = store.timeline().matrix("2025-02-01").as_json()
    assert everything["parties"] == ["russia", "ukraine", "usa", "europe"]
    assert len(everything["cells"]) == 3


def test_tie_on_one_date_is_deterministic(record: Record) -> None:
    a = rev("st_a", "not-now", "2025-02-12", at="2025-06-01T00:00:01.000000Z")
    b = rev("st_b", "renounce", "2025-02-12", at="2025-06-01T00:00:02.000000Z")
    winners = set()
    for order in itertools.permutations([a, b]):
        timeline = record(order)
        cell = timeline.cell("russia", "nato", "2025-02-12")
        assert cell is not None and cell.version == 2
        winners.add(cell.statement.id)
    assert len(winners) == 1


def test_tie_is_the_same_in_every_store_order(store_path: Path, tmp_path: Path) -> None:
    one = Store(store_path)
    said(one, "not-now", "2025-02-12")
    said(one, "renounce", "2025-02-12")
    records = [("item", s.as_json()) for s in reversed(one.revisions())]
    other = Store.create(tmp_path / "other.json", {**parse_tables(one.path.read_bytes(), one.path), "statements": {}})
    other.import_statements(records)
    assert one.timeline().matrix("2025-02-12").as_json() == other.timeline().matrix("2025-02-12").as_json()


# -- known-at (record time) ---------------------------------------------------------


def test_known_at_before_a_correction_shows_the_first_revision(record: Record) -> None:
    first = rev("st_a", "not-now", "2025-02-12", at="2025-02-12T09:00:00.000000Z")
    corrected = rev("st_a", "renounce", "2025-02-12", rev=2, at="2025-02-14T09:00:00.000000Z")
    assert stance_at(record([first, corrected]), "2025-03-01") == "renounce"
    past = record([first, corrected], known_at="2025-02-13T00:00:00.000000Z")
    assert stance_at(past, "2025-03-01") == "not-now"
    assert past.known_at == "2025-02-13T00:00:00.000000Z"
    assert stance_at(record([first, corrected], known_at="2025-02-01T00:00:00.000000Z"), "2025-03-01") is None


def test_a_correction_of_the_date_moves_the_statement(record: Record) -> None:
    first = rev("st_a", "renounce", "2025-02-12", at="2025-02-12T09:00:00.000000Z")
    moved = rev("st_a", "renounce", "2025-03-12", rev=2, at="2025-02-14T09:00:00.000000Z")
    now = record([first, moved])
    assert stance_at(now, "2025-03-01") is None
    assert stance_at(now, "2025-03-12") == "renounce"
    then = record([first, moved], known_at="2025-02-13T00:00:00.000000Z")
    assert stance_at(then, "2025-03-01") == "renounce"


def test_known_at_through_the_store(store_path: Path) -> None:
    store = Store(store_path)
    first = said(store, "not-now", "2025-02-12")
    second = store.correct(first.id, {"stance": "renounce"}, reason="misread")
    assert first.recorded_at < second.recorded_at
    assert stance_at(store.timeline(), "2025-03-01") == "renounce"
    assert stance_at(store.timeline(instant(first.recorded_at)), "2025-03-01") == "not-now"
    assert stance_at(store.timeline(instant(second.recorded_at)), "2025-03-01") == "renounce"
    assert stance_at(store.timeline(instant("2000-01-01")), "2025-03-01") is None
    assert store.timeline(instant(first.recorded_at)).known_at == first.recorded_at


def test_a_correction_of_the_party_moves_the_statement_between_cells(store_path: Path) -> None:
    store = Store(store_path)
    first = said(store, "unrealistic", "2025-02-12", party="russia")
    store.correct(first.id, {"party": "usa"}, reason="wrong speaker's side")
    now = store.timeline()
    assert stance_at(now, "2025-03-01", party="russia") is None
    assert stance_at(now, "2025-03-01", party="usa") == "unrealistic"
    then = store.timeline(instant(first.recorded_at))
    assert stance_at(then, "2025-03-01", party="russia") == "unrealistic"
    assert stance_at(then, "2025-03-01", party="usa") is None


def test_retraction_without_a_date_removes_it_for_every_date(record: Record) -> None:
    older = rev("st_old", "not-now", "2025-01-10", at="2025-01-10T09:00:00.000000Z")
    first = rev("st_a", "renounce", "2025-02-12", at="2025-02-12T09:00:00.000000Z")
    retracted = rev(
        "st_a", "renounce", "2025-02-12", rev=2, at="2025-02-20T09:00:00.000000Z", retracted=True, reason="x"
    )
    now = record([older, first, retracted])
    for as_of in ("2025-02-12", "2025-03-01", "2030-01-01"):
        cell = now.cell("russia", "nato", as_of)
        assert cell is not None and cell.statement.id == "st_old" and cell.version == 1
    assert [s.id for s in now.statements("russia", "nato")] == ["st_a", "st_old"]
    before = record([older, first, retracted], known_at="2025-02-19T00:00:00.000000Z")
    cell = before.cell("russia", "nato", "2025-03-01")
    assert cell is not None and cell.statement.id == "st_a" and cell.version == 2


def test_retraction_with_a_date_stands_only_before_it(record: Record) -> None:
    older = rev("st_old", "not-now", "2025-01-10")
    first = rev("st_a", "renounce", "2025-02-12")
    withdrawn = rev(
        "st_a", "renounce", "2025-02-12", rev=2, retracted=True, reason="walked back", withdrawn_on="2025-03-01"
    )
    timeline = record([older, first, withdrawn])
    earlier = record([older, first, withdrawn], known_at="2025-06-01T00:00:01.500000Z")  # before the retraction
    assert stance_at(earlier, "2025-03-01") == "renounce"
    assert stance_at(timeline, "2025-02-12") == "renounce"
    assert stance_at(timeline, "2025-02-28") == "renounce"
    assert stance_at(timeline, "2025-03-01") == "not-now"
    assert "2025-03-01" in timeline.change_dates()


def test_retracting_the_only_statement_empties_the_cell(store_path: Path) -> None:
    store = Store(store_path)
    only = said(store, "renounce", "2025-02-12")
    store.retract(only.id, "never said")
    assert store.timeline().matrix("2025-12-31").cells == {}
    assert stance_at(store.timeline(instant(only.recorded_at)), "2025-12-31") == "renounce"


# -- versions, dates and the path between ---------------------------------------------


def test_change_dates_and_between(record: Record) -> None:
    statements = [
        rev("st_1", "not-now", "2025-01-10"),
        rev("st_2", "unrealistic", "2025-02-12"),
        rev("st_3", "renounce", "2025-03-01"),
    ]
    timeline = record(statements)
    assert timeline.change_dates() == ["2025-01-10", "2025-02-12", "2025-03-01"]
    assert [s.id for s in timeline.between("russia", "nato", "2025-01-10", "2025-03-01")] == ["st_2", "st_3"]
    assert timeline.between("russia", "nato", "2025-03-01", "2025-12-31") == ()
    assert [s.id for s in timeline.statements("russia", "nato")] == ["st_3", "st_2", "st_1"]


@pytest.mark.parametrize(
    ("start", "end", "kind", "shift"),
    [
        ("2025-01-01", "2025-01-10", "new", None),
        ("2025-01-10", "2025-03-01", "changed", 2),
        ("2025-03-01", "2025-01-10", "changed", -2),
    ],
)
def test_diff_kinds(record: Record, start: str, end: str, kind: str, shift: int | None) -> None:
    timeline = record([rev("st_1", "not-now", "2025-01-10"), rev("st_2", "renounce", "2025-03-01")])
    changes = timeline.diff(start, end).as_json()["changes"]
    assert [(c["party"], c["issue"], c["kind"], c["shift"]) for c in changes] == [("russia", "nato", kind, shift)]


def test_diff_of_a_withdrawal_and_a_restatement(record: Record) -> None:
    first = rev("st_1", "renounce", "2025-01-10")
    again = rev("st_2", "renounce", "2025-02-10")
    timeline = record([first, again])
    assert timeline.diff("2025-01-10", "2025-02-10").changes == ()
    restated = timeline.diff("2025-01-10", "2025-02-10", restated=True).as_json()["changes"]
    assert [(c["kind"], c["statements"]) for c in restated] == [("restated", ["st_2"])]
    gone = rev("st_1", "renounce", "2025-01-10", rev=2, retracted=True, reason="x", withdrawn_on="2025-01-20")
    withdrawn = record([first, gone]).diff("2025-01-15", "2025-01-25").as_json()["changes"]
    assert [(c["kind"], c["after"]) for c in withdrawn] == [("withdrawn", None)]
