"""The evidence rule: what a party *says* is its position; what is *reported* about it is shown beside it.

Every test goes through a real store in a temporary folder: statements are
recorded with ``Store.add`` (or imported with a chosen record time where the
order of recording matters), and the cells are read from ``Store.timeline``.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import orjson
import pytest

from tracker.dates import parse_instant
from tracker.errors import InputError, StoreError
from tracker.evidence import (
    DEFAULT_MIN_GRADE,
    DEFAULT_WINDOW_DAYS,
    MAX_WINDOW_DAYS,
    STATED_CHANNELS,
    Evidence,
    Policy,
    grade_key,
    meets,
)
from tracker.model import CHANNELS, Cell, Change, ChangeKind, Statement
from tracker.store import Store, default_tables
from tracker.timeline import Timeline

PARTY, ISSUE = "russia", "ceasefire"
"""The cell most tests look at: its scale is immediate-full, conditional, partial-only, root-causes-first, ..."""


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A new store with the default codebook (and the default policy: C3, 7 days)."""
    return Store.create(tmp_path / "evidence.json", default_tables("Evidence"))


def said(
    store: Store,
    stance: str,
    on: str,
    *,
    speaker: str = "Vladimir Putin",
    channel: str = "official",
    grade: str = "A1",
    party: str = PARTY,
    issue: str = ISSUE,
) -> Statement:
    """Record one statement through ``Store.add``, as the commands do."""
    return store.add(
        {
            "party": party,
            "issue": issue,
            "stance": stance,
            "stated_on": on,
            "speaker": speaker,
            "channel": channel,
            "grade": grade,
        }
    )


def recorded(store: Store, statement_id: str, stance: str, on: str, *, at: str, **extra: Any) -> Statement:
    """Import one statement with a chosen id and record time (``at``), so ties by record time are controlled."""
    doc: dict[str, Any] = {
        "id": statement_id,
        "rev": 1,
        "party": PARTY,
        "issue": ISSUE,
        "stance": stance,
        "stated_on": on,
        "speaker": "Vladimir Putin",
        "channel": "official",
        "grade": "A1",
        "recorded_at": at,
        "recorded_by": "tester",
        **extra,
    }
    (statement,) = store.import_statements([("item 1", {"revisions": [doc]})])
    return statement


def position(timeline: Timeline, as_of: str, party: str = PARTY, issue: str = ISSUE) -> Cell:
    cell = timeline.cell(party, issue, as_of)
    assert cell is not None, f"no position for {party}/{issue} as of {as_of}"
    return cell


def stance_of(timeline: Timeline, as_of: str, party: str = PARTY, issue: str = ISSUE) -> str | None:
    cell = timeline.cell(party, issue, as_of)
    return None if cell is None else cell.stance.code


def the_change(timeline: Timeline, start: str, end: str, party: str = PARTY, issue: str = ISSUE) -> Change:
    found = [c for c in timeline.diff(start, end).changes if (c.party, c.issue) == (party, issue)]
    assert len(found) == 1, f"expected one {party}/{issue} change, got {found}"
    return found[0]


# -- the grade threshold ------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "evidence"),
    [
        ("C3", Evidence.stated),  # the threshold itself
        ("C4", Evidence.reported),  # credibility one step too low
        ("D1", Evidence.reported),  # reliability one step too low, however credible
        ("A6", Evidence.reported),  # the most reliable source, an improbable claim
        ("B2", Evidence.stated),
        ("A1", Evidence.stated),
        ("C1", Evidence.stated),
        ("A3", Evidence.stated),
        ("F6", Evidence.reported),
        ("", Evidence.reported),  # no grade: the weakest evidence
    ],
)
def test_the_default_threshold_is_c3_on_both_axes(store: Store, grade: str, evidence: Evidence) -> None:
    assert store.policy == Policy() and store.policy.min_grade == DEFAULT_MIN_GRADE == "C3"
    statement = said(store, "partial-only", "2025-03-13", grade=grade)
    timeline = store.timeline()
    assert timeline.evidence_of(statement) is evidence
    cell = timeline.cell(PARTY, ISSUE, "2025-03-13")
    if evidence is Evidence.stated:
        assert cell is not None and cell.statement.id == statement.id and cell.evidence is Evidence.stated
        assert timeline.reported(PARTY, ISSUE, "2025-03-13") == ()
    else:
        assert cell is None
        assert [r.statement.id for r in timeline.reported(PARTY, ISSUE, "2025-03-13")] == [statement.id]


@pytest.mark.parametrize(
    ("grade", "evidence"),
    [
        ("B2", Evidence.stated),
        ("A1", Evidence.stated),
        ("A2", Evidence.stated),
        ("B1", Evidence.stated),
        ("C3", Evidence.reported),
        ("B3", Evidence.reported),
        ("C2", Evidence.reported),
        ("C1", Evidence.reported),
    ],
)
def test_a_stricter_threshold_makes_weaker_grades_reports(store: Store, grade: str, evidence: Evidence) -> None:
    said(store, "partial-only", "2025-03-13", grade=grade)
    strict = store.timeline(policy=Policy(min_grade="B2"))
    assert (strict.cell(PARTY, ISSUE, "2025-03-13") is not None) is (evidence is Evidence.stated)
    assert Policy(min_grade="B2").classify("official", grade) is evidence


def test_meets_compares_each_axis_and_refuses_what_is_not_a_grade() -> None:
    assert meets("C3", "C3") and meets("A1", "C3") and meets("B2", "B2")
    assert not meets("C4", "C3") and not meets("D1", "C3") and not meets("A6", "C3")
    assert not meets("", "C3") and not meets("c3", "C3") and not meets("G1", "F6") and not meets("A7", "F6")
    assert meets("F6", "F6") and not meets("F6", "F5")


def test_grade_key_sorts_best_first_and_ungraded_last() -> None:
    grades = ["C3", "", "A2", "B1", "A1", "F6", "nonsense"]
    assert sorted(grades, key=grade_key)[:5] == ["A1", "A2", "B1", "C3", "F6"]
    assert {grade_key(""), grade_key("nonsense")} == {grade_key("Z9")}
    assert grade_key("F6") < grade_key("")


@pytest.mark.parametrize("channel", CHANNELS)
def test_only_the_partys_own_channels_are_stated(store: Store, channel: str) -> None:
    statement = said(store, "partial-only", "2025-03-13", channel=channel, grade="A1")
    timeline = store.timeline()
    own = channel in ("official", "spokesperson", "interview")
    assert (channel in STATED_CHANNELS) is own
    assert timeline.evidence_of(statement) is (Evidence.stated if own else Evidence.reported)
    assert (timeline.cell(PARTY, ISSUE, "2025-03-13") is not None) is own


def test_a_report_never_replaces_the_stated_position(store: Store) -> None:
    hegseth = said(store, "no-recognition", "2025-02-12", party="usa", issue="territory", speaker="Pete Hegseth")
    media = said(
        store,
        "recognise-some",
        "2025-03-17",
        party="usa",
        issue="territory",
        speaker="US media reports",
        channel="media-report",
        grade="C3",
    )
    cell = position(store.timeline(), "2025-03-17", "usa", "territory")
    assert cell.statement.id == hegseth.id and cell.stance.code == "no-recognition"
    assert [r.statement.id for r in cell.reported] == [media.id]
    assert cell.reported[0].evidence is Evidence.reported
    assert cell.as_json()["reported"][0]["stance"] == "recognise-some"


# -- equal dates ---------------------------------------------------------------------


def test_same_date_different_speakers_same_stance_the_better_grade_is_the_statement(store: Store) -> None:
    for order in itertools.permutations([("Dmitry Peskov", "C3"), ("Vladimir Putin", "A1")]):
        for speaker, grade in order:
            said(store, "partial-only", "2025-03-13", speaker=speaker, grade=grade)
        cell = position(store.timeline(), "2025-03-13")
        assert (cell.statement.grade, cell.statement.speaker) == ("A1", "Vladimir Putin"), order
        assert not cell.contested
        for statement in store.latest([PARTY], [ISSUE]):
            if not statement.retracted:
                store.retract(statement.id, "cleared for the next order")


def test_same_date_same_speaker_the_better_grade_wins_whatever_was_recorded_last(store: Store) -> None:
    """Ties on one date go to the better grade: a weaker statement recorded later does not displace it."""
    better = said(store, "partial-only", "2025-03-13", grade="A1")
    said(store, "conditional", "2025-03-13", grade="C3")
    cell = position(store.timeline(), "2025-03-13")
    assert cell.statement.id == better.id and cell.stance.code == "partial-only"
    assert not cell.contested  # one speaker: a change of mind, never a conflict


def test_same_date_same_grade_the_newer_record_wins_whatever_the_ids(store: Store) -> None:
    # The id of the first one sorts after the id of the second: record time, not the id, breaks the tie.
    recorded(store, "st_b", "partial-only", "2025-03-13", at="2025-06-01T09:00:00.000000Z")
    recorded(store, "st_a", "conditional", "2025-03-13", at="2025-06-01T10:00:00.000000Z")
    cell = position(store.timeline(), "2025-03-13")
    assert cell.statement.id == "st_a" and cell.stance.code == "conditional"


def test_same_date_same_grade_other_speakers_same_stance_the_newer_record_is_the_statement(store: Store) -> None:
    recorded(store, "st_b", "partial-only", "2025-03-13", speaker="Dmitry Peskov", at="2025-06-01T09:00:00.000000Z")
    recorded(store, "st_a", "partial-only", "2025-03-13", speaker="Yuri Ushakov", at="2025-06-01T10:00:00.000000Z")
    cell = position(store.timeline(), "2025-03-13")
    assert cell.statement.id == "st_a" and not cell.contested


def test_a_newer_date_wins_over_a_better_grade(store: Store) -> None:
    said(store, "root-causes-first", "2025-02-12", grade="A1")
    newer = said(store, "partial-only", "2025-03-13", grade="C3")
    assert position(store.timeline(), "2025-03-13").statement.id == newer.id


# -- conflicts: the window, speakers -----------------------------------------------


@pytest.mark.parametrize(
    ("earlier", "later", "contested"),
    [
        ("2025-03-13", "2025-03-20", True),  # exactly seven days apart: inside the window
        ("2025-03-12", "2025-03-20", False),  # eight days: outside
        ("2025-03-20", "2025-03-20", True),  # the same day
    ],
)
def test_the_default_window_is_seven_days_inclusive(store: Store, earlier: str, later: str, contested: bool) -> None:
    assert store.policy.window_days == DEFAULT_WINDOW_DAYS == 7
    putin = said(store, "partial-only", earlier, speaker="Vladimir Putin", grade="A2")
    ushakov = said(store, "conditional", later, speaker="Yuri Ushakov", grade="A2")
    cell = position(store.timeline(), later)
    assert cell.contested is contested
    if contested:
        assert {cell.stance.code, *(c.stance.code for c in cell.conflicts)} == {"partial-only", "conditional"}
        assert {cell.statement.id, *(c.statement.id for c in cell.conflicts)} == {putin.id, ushakov.id}
        assert cell.as_json()["contested"] is True
    else:
        assert cell.statement.id == ushakov.id and cell.conflicts == ()
        assert cell.as_json()["contested"] is False and cell.as_json()["conflicts"] == []


@pytest.mark.parametrize(("other_day", "contested"), [("2025-03-20", True), ("2025-03-19", False)])
def test_a_window_of_zero_days_is_only_the_same_day(store: Store, other_day: str, contested: bool) -> None:
    said(store, "partial-only", other_day, speaker="Vladimir Putin")
    said(store, "conditional", "2025-03-20", speaker="Yuri Ushakov")
    assert position(store.timeline(policy=Policy(window_days=0)), "2025-03-20").contested is contested


def test_a_wider_window_reaches_further_back(store: Store) -> None:
    said(store, "partial-only", "2025-03-01", speaker="Vladimir Putin")
    said(store, "conditional", "2025-03-20", speaker="Yuri Ushakov")
    assert not position(store.timeline(), "2025-03-20").contested
    assert position(store.timeline(policy=Policy(window_days=19)), "2025-03-20").contested
    assert not position(store.timeline(policy=Policy(window_days=18)), "2025-03-20").contested


def test_the_window_is_counted_back_from_the_newest_stated_statement_not_from_the_date(store: Store) -> None:
    said(store, "partial-only", "2025-03-13", speaker="Vladimir Putin")
    said(store, "conditional", "2025-03-15", speaker="Yuri Ushakov")
    timeline = store.timeline()
    assert position(timeline, "2025-03-15").contested
    assert position(timeline, "2025-06-01").contested  # still open months later: nobody has spoken since
    assert position(timeline, "2025-03-14").contested is False  # Ushakov had not spoken yet


@pytest.mark.parametrize("second", ["Vladimir Putin", "vladimir putin", "  VLADIMIR   Putin "])
def test_the_same_speaker_changing_stance_is_a_move_not_a_conflict(store: Store, second: str) -> None:
    said(store, "partial-only", "2025-03-13", speaker="Vladimir Putin")
    later = said(store, "conditional", "2025-03-15", speaker=second)
    cell = position(store.timeline(), "2025-03-15")
    assert not cell.contested
    assert cell.statement.id == later.id and cell.stance.code == "conditional"


def test_different_speakers_with_the_same_stance_are_not_contested(store: Store) -> None:
    said(store, "partial-only", "2025-03-13", speaker="Vladimir Putin")
    peskov = said(store, "partial-only", "2025-03-15", speaker="Dmitry Peskov", grade="B2")
    cell = position(store.timeline(), "2025-03-15")
    assert not cell.contested and cell.conflicts == ()
    assert cell.statement.id == peskov.id  # the newest standing statement
    assert store.timeline().conflicts("2025-03-15") == []


def test_each_speakers_latest_statement_in_the_window_is_what_is_compared(store: Store) -> None:
    """Putin moved to Ushakov's stance: the two now agree, whatever Putin said earlier in the window."""
    said(store, "partial-only", "2025-03-13", speaker="Vladimir Putin")
    said(store, "conditional", "2025-03-14", speaker="Yuri Ushakov")
    said(store, "conditional", "2025-03-15", speaker="Vladimir Putin")
    cell = position(store.timeline(), "2025-03-15")
    assert not cell.contested and cell.stance.code == "conditional"
    assert position(store.timeline(), "2025-03-14").contested


def test_a_contested_cells_position_is_the_better_graded_then_the_newer(store: Store) -> None:
    putin = said(store, "partial-only", "2025-03-13", speaker="Vladimir Putin", grade="A1")
    ushakov = said(store, "conditional", "2025-03-15", speaker="Yuri Ushakov", grade="B2")
    cell = position(store.timeline(), "2025-03-15")
    assert cell.contested
    assert cell.statement.id == putin.id and cell.stance.code == "partial-only"  # older, but better graded
    assert [c.statement.id for c in cell.conflicts] == [ushakov.id]
    assert cell.conflicts[0].stance.code == "conditional"


def test_a_contested_cell_with_equal_grades_takes_the_newer(store: Store) -> None:
    said(store, "partial-only", "2025-03-13", speaker="Vladimir Putin", grade="A2")
    ushakov = said(store, "conditional", "2025-03-15", speaker="Yuri Ushakov", grade="A2")
    cell = position(store.timeline(), "2025-03-15")
    assert cell.contested and cell.statement.id == ushakov.id
    assert [c.stance.code for c in cell.conflicts] == ["partial-only"]


def test_reports_never_make_a_conflict(store: Store) -> None:
    said(store, "partial-only", "2025-03-13", speaker="Vladimir Putin")
    said(store, "conditional", "2025-03-14", speaker="Unnamed official", channel="leak", grade="A1")
    said(store, "root-causes-first", "2025-03-15", speaker="Yuri Ushakov", grade="D4")
    cell = position(store.timeline(), "2025-03-15")
    assert not cell.contested and cell.stance.code == "partial-only"
    assert [r.stance.code for r in cell.reported] == ["root-causes-first", "conditional"]


def test_a_withdrawn_statement_is_no_side_of_a_conflict(store: Store) -> None:
    said(store, "partial-only", "2025-03-13", speaker="Vladimir Putin")
    ushakov = said(store, "conditional", "2025-03-15", speaker="Yuri Ushakov")
    store.retract(ushakov.id, "walked back", withdrawn_on="2025-03-16")
    timeline = store.timeline()
    assert position(timeline, "2025-03-15").contested
    cell = position(timeline, "2025-03-16")
    assert not cell.contested and cell.stance.code == "partial-only"


def test_conflicts_lists_the_contested_cells(store: Store) -> None:
    said(store, "partial-only", "2025-03-20", speaker="Vladimir Putin")
    said(store, "conditional", "2025-03-20", speaker="Yuri Ushakov")
    said(store, "join-now", "2025-03-20", party="ukraine", issue="nato", speaker="Volodymyr Zelensky")
    found = store.timeline().conflicts("2025-03-21")
    assert [(c.party, c.issue) for c in found] == [(PARTY, ISSUE)]
    assert store.timeline().conflicts("2025-03-19") == []


# -- reports beside the position ------------------------------------------------------


def test_reports_before_the_position_are_not_carried_and_newer_ones_are_newest_first(store: Store) -> None:
    said(store, "conditional", "2025-02-20", channel="media-report", grade="B2", speaker="Wire")
    stated = said(store, "partial-only", "2025-03-01")
    first = said(store, "root-causes-first", "2025-03-05", channel="leak", grade="F5", speaker="Leak")
    second = said(store, "conditional", "2025-03-10", grade="C4", speaker="Sergei Lavrov")
    said(store, "immediate-full", "2025-03-20", channel="media-report", grade="B2", speaker="Wire")
    timeline = store.timeline()

    cell = position(timeline, "2025-03-15")
    assert cell.statement.id == stated.id
    assert [r.statement.id for r in cell.reported] == [second.id, first.id]
    assert all(r.evidence is Evidence.reported for r in cell.reported)
    assert [r["statement_id"] for r in cell.as_json()["reported"]] == [second.id, first.id]

    assert position(timeline, "2025-03-01").reported == ()  # a report older than the position is not carried
    assert [r.statement.id for r in position(timeline, "2025-03-07").reported] == [first.id]
    assert len(position(timeline, "2025-03-20").reported) == 3  # reports after the date wait for it


def test_a_report_on_the_day_of_the_position_is_not_newer_than_it(store: Store) -> None:
    said(store, "partial-only", "2025-03-01")
    said(store, "conditional", "2025-03-01", channel="media-report", grade="B2", speaker="Wire")
    assert position(store.timeline(), "2025-03-01").reported == ()


def test_a_cell_with_only_reports_has_no_position_but_shows_them(store: Store) -> None:
    older = said(store, "conditional", "2025-02-07", channel="leak", grade="F5", speaker="Strana")
    newer = said(store, "partial-only", "2025-02-09", channel="media-report", grade="C3", speaker="Wire")
    timeline = store.timeline()
    assert timeline.cell(PARTY, ISSUE, "2025-02-10") is None
    assert [r.statement.id for r in timeline.reported(PARTY, ISSUE, "2025-02-10")] == [newer.id, older.id]
    assert timeline.reported(PARTY, ISSUE, "2025-02-06") == ()

    grid = timeline.matrix("2025-02-10")
    assert (PARTY, ISSUE) not in grid.cells
    assert [r.statement.id for r in grid.unconfirmed[(PARTY, ISSUE)]] == [newer.id, older.id]
    data = grid.as_json()
    assert [c for c in data["cells"] if (c["party"], c["issue"]) == (PARTY, ISSUE)] == []
    entry = next(u for u in data["unconfirmed"] if (u["party"], u["issue"]) == (PARTY, ISSUE))
    assert [r["stance"] for r in entry["reported"]] == ["partial-only", "conditional"]
    assert all(r["evidence"] == "reported" for r in entry["reported"])
    assert data["policy"] == {"min_grade": "C3", "window_days": 7, "include_reported": False}

    assert (PARTY, ISSUE) not in timeline.matrix("2025-02-06").unconfirmed


def test_a_stated_position_takes_the_cell_out_of_unconfirmed(store: Store) -> None:
    said(store, "conditional", "2025-02-07", channel="leak", grade="F5", speaker="Strana")
    said(store, "partial-only", "2025-02-12")
    grid = store.timeline().matrix("2025-02-12")
    assert (PARTY, ISSUE) in grid.cells and (PARTY, ISSUE) not in grid.unconfirmed
    assert grid.cells[(PARTY, ISSUE)].reported == ()  # the leak is older than the position


def test_include_reported_counts_reports_as_positions(store: Store) -> None:
    stated = said(store, "partial-only", "2025-03-01")
    leak = said(store, "conditional", "2025-03-10", channel="leak", grade="F5", speaker="Strana")
    everything = store.timeline(policy=Policy(include_reported=True))
    cell = position(everything, "2025-03-10")
    assert cell.statement.id == leak.id and cell.evidence is Evidence.reported
    assert cell.as_json()["evidence"] == "reported" and cell.reported == ()
    assert cell.version == 2
    assert position(everything, "2025-03-01").statement.id == stated.id
    assert everything.matrix("2025-03-10").as_json()["policy"]["include_reported"] is True
    # the store's own policy is untouched
    assert position(store.timeline(), "2025-03-10").statement.id == stated.id


def test_include_reported_is_the_old_rule_the_newest_standing_statement(store: Store) -> None:
    """With reports counted, the newest statement is the cell, as before evidence classes: a leak a few
    days after another speaker's statement is the position, not one side of a conflict (conflicts are
    between *stated* statements)."""
    said(store, "partial-only", "2025-03-01")
    leak = said(store, "conditional", "2025-03-05", channel="leak", grade="F5", speaker="Strana")
    cell = position(store.timeline(policy=Policy(include_reported=True)), "2025-03-05")
    assert (cell.statement.id, cell.stance.code) == (leak.id, "conditional")
    assert not cell.contested


def test_include_reported_gives_a_reports_only_cell_a_position(store: Store) -> None:
    leak = said(store, "conditional", "2025-02-07", channel="leak", grade="F5", speaker="Strana")
    everything = store.timeline(policy=Policy(include_reported=True))
    assert position(everything, "2025-02-09").statement.id == leak.id
    assert everything.matrix("2025-02-09").unconfirmed == {}


# -- record time: a correction that changes the grade ---------------------------------


def test_known_at_before_a_regrading_to_stated_shows_no_position(store: Store) -> None:
    first = said(store, "partial-only", "2025-03-13", grade="C4")
    corrected = store.correct(first.id, {"grade": "B2"}, reason="a second source confirms it")
    assert (first.rev, corrected.rev) == (1, 2) and first.recorded_at < corrected.recorded_at

    before = store.timeline(parse_instant(first.recorded_at))
    assert before.cell(PARTY, ISSUE, "2025-03-13") is None
    assert [(r.statement.id, r.statement.grade) for r in before.reported(PARTY, ISSUE, "2025-03-13")] == [
        (first.id, "C4")
    ]
    assert before.matrix("2025-03-13").as_json()["unconfirmed"][0]["reported"][0]["grade"] == "C4"

    after = store.timeline(parse_instant(corrected.recorded_at))
    cell = position(after, "2025-03-13")
    assert (cell.statement.id, cell.statement.rev, cell.statement.grade) == (first.id, 2, "B2")
    assert cell.evidence is Evidence.stated and after.reported(PARTY, ISSUE, "2025-03-13") == ()
    assert position(store.timeline(), "2025-03-13").statement.rev == 2


def test_known_at_before_a_regrading_to_reported_shows_the_position(store: Store) -> None:
    first = said(store, "partial-only", "2025-03-13", grade="B2")
    corrected = store.correct(first.id, {"grade": "E5"}, reason="the source is a rumour mill")
    assert position(store.timeline(parse_instant(first.recorded_at)), "2025-03-13").statement.grade == "B2"
    after = store.timeline(parse_instant(corrected.recorded_at))
    assert after.cell(PARTY, ISSUE, "2025-03-13") is None
    assert [r.statement.grade for r in after.reported(PARTY, ISSUE, "2025-03-13")] == ["E5"]


def test_a_correction_of_the_channel_changes_the_evidence(store: Store) -> None:
    first = said(store, "partial-only", "2025-03-13", channel="media-report", grade="A1")
    corrected = store.correct(first.id, {"channel": "official"}, reason="the Kremlin's own transcript")
    assert store.timeline(parse_instant(first.recorded_at)).cell(PARTY, ISSUE, "2025-03-13") is None
    assert position(store.timeline(parse_instant(corrected.recorded_at)), "2025-03-13").statement.rev == 2


# -- diff: withdrawn, paths, contested, reported ---------------------------------------


def test_a_dated_withdrawal_is_withdrawn_and_after_is_the_fallback(store: Store) -> None:
    older = said(store, "root-causes-first", "2025-02-12", speaker="Dmitry Peskov", grade="B2")
    newer = said(store, "partial-only", "2025-03-13")
    store.retract(newer.id, "the Kremlin walked it back", withdrawn_on="2025-03-20")
    timeline = store.timeline()
    assert stance_of(timeline, "2025-03-19") == "partial-only"
    assert stance_of(timeline, "2025-03-20") == "root-causes-first"

    change = the_change(timeline, "2025-03-15", "2025-03-25")
    assert change.kind is ChangeKind.withdrawn  # never "changed": the party withdrew it, it did not move
    assert change.before is not None and change.before.statement.id == newer.id
    assert change.before.statement.withdrawn_on == "2025-03-20"
    assert change.after is not None and change.after.statement.id == older.id
    assert change.after.stance.code == "root-causes-first"
    data = change.as_json()
    assert data["kind"] == "withdrawn" and data["after"]["stance"] == "root-causes-first"
    # outside the window the withdrawal is not seen
    assert [c for c in timeline.diff("2025-03-20", "2025-03-25").changes if c.issue == ISSUE] == []


def test_withdrawing_the_only_position_falls_back_to_none(store: Store) -> None:
    only = said(store, "partial-only", "2025-03-13")
    store.retract(only.id, "walked back", withdrawn_on="2025-03-20")
    change = the_change(store.timeline(), "2025-03-15", "2025-03-25")
    assert change.kind is ChangeKind.withdrawn and change.after is None
    assert change.as_json()["after"] is None


def test_a_withdrawal_falls_back_past_a_report(store: Store) -> None:
    older = said(store, "root-causes-first", "2025-02-12")
    said(store, "conditional", "2025-03-01", channel="leak", grade="F5", speaker="Strana")
    newer = said(store, "partial-only", "2025-03-13")
    store.retract(newer.id, "walked back", withdrawn_on="2025-03-20")
    change = the_change(store.timeline(), "2025-03-15", "2025-03-25")
    assert change.kind is ChangeKind.withdrawn
    assert change.after is not None and change.after.statement.id == older.id  # never the leak
    assert [r.stance.code for r in change.after.reported] == ["conditional"]


def test_a_retraction_without_a_date_is_not_a_withdrawal_in_the_diff(store: Store) -> None:
    said(store, "root-causes-first", "2025-02-12")
    wrong = said(store, "partial-only", "2025-03-13")
    store.retract(wrong.id, "misattributed")
    assert [c for c in store.timeline().diff("2025-03-01", "2025-03-25").changes if c.issue == ISSUE] == []


def test_a_cell_that_moved_twice_has_a_path_of_three_steps(store: Store) -> None:
    first = said(store, "root-causes-first", "2025-02-12")
    second = said(store, "partial-only", "2025-03-13")
    third = said(store, "conditional", "2025-03-25")
    timeline = store.timeline()
    change = the_change(timeline, "2025-03-01", "2025-03-31")
    assert change.kind is ChangeKind.changed
    assert [c.stance.code for c in change.path] == ["root-causes-first", "partial-only", "conditional"]
    assert [c.statement.id for c in change.path] == [first.id, second.id, third.id]
    assert [c["stance"] for c in change.as_json()["path"]] == ["root-causes-first", "partial-only", "conditional"]
    assert [s.id for s in change.statements] == [second.id, third.id]
    assert [c.stance.code for c in timeline.path(PARTY, ISSUE, "2025-03-01", "2025-03-31")] == [
        "root-causes-first",
        "partial-only",
        "conditional",
    ]


def test_a_restatement_in_the_window_is_not_a_step_of_the_path(store: Store) -> None:
    said(store, "root-causes-first", "2025-02-12")
    said(store, "partial-only", "2025-03-13")
    said(store, "partial-only", "2025-03-14")
    change = the_change(store.timeline(), "2025-03-01", "2025-03-31")
    assert [c.stance.code for c in change.path] == ["root-causes-first", "partial-only"]


def test_a_new_report_without_a_move_is_kind_reported(store: Store) -> None:
    stated = said(store, "partial-only", "2025-03-01")
    report = said(store, "conditional", "2025-03-17", channel="media-report", grade="C3", speaker="Wire")
    change = the_change(store.timeline(), "2025-03-15", "2025-03-20")
    assert change.kind is ChangeKind.reported
    assert [r.statement.id for r in change.reported] == [report.id]
    assert change.before is not None and change.after is not None
    assert change.before.statement.id == change.after.statement.id == stated.id
    assert change.as_json()["reported"][0]["stance"] == "conditional"
    # a report older than the window is no change
    assert [c for c in store.timeline().diff("2025-03-18", "2025-03-20").changes if c.issue == ISSUE] == []


def test_a_report_about_a_cell_with_no_position_is_kind_reported(store: Store) -> None:
    leak = said(store, "conditional", "2025-02-07", channel="leak", grade="F5", speaker="Strana")
    change = the_change(store.timeline(), "2025-02-01", "2025-02-09")
    assert change.kind is ChangeKind.reported and change.before is None and change.after is None
    assert [r.statement.id for r in change.reported] == [leak.id]


def test_a_move_carries_the_windows_reports(store: Store) -> None:
    said(store, "root-causes-first", "2025-02-12")
    report = said(store, "conditional", "2025-03-10", channel="leak", grade="F5", speaker="Strana")
    said(store, "partial-only", "2025-03-13")
    change = the_change(store.timeline(), "2025-03-01", "2025-03-20")
    assert change.kind is ChangeKind.changed
    # the report is older than the new position, but it came in the window
    assert [r.statement.id for r in change.reported] == [report.id]


def test_a_cell_that_became_contested_is_kind_contested(store: Store) -> None:
    said(store, "root-causes-first", "2025-02-12", speaker="Dmitry Peskov", grade="B2")
    said(store, "partial-only", "2025-03-20", speaker="Vladimir Putin", grade="A2")
    said(store, "conditional", "2025-03-20", speaker="Yuri Ushakov", grade="A2")
    change = the_change(store.timeline(), "2025-03-19", "2025-03-21")
    assert change.kind is ChangeKind.contested
    assert change.after is not None and change.after.contested
    assert {change.after.stance.code, *(c.stance.code for c in change.after.conflicts)} == {
        "partial-only",
        "conditional",
    }
    assert change.as_json()["after"]["contested"] is True


def test_a_diff_carries_its_policy(store: Store) -> None:
    said(store, "partial-only", "2025-03-13")
    data = store.timeline(policy=Policy("B2", 3, include_reported=True)).diff("2025-03-01", "2025-03-31").as_json()
    assert data["policy"] == {"min_grade": "B2", "window_days": 3, "include_reported": True}
    assert all("path" in c and "reported" in c for c in data["changes"])


# -- the policy ---------------------------------------------------------------------------


def test_the_default_policy() -> None:
    policy = Policy()
    assert (policy.min_grade, policy.window_days, policy.include_reported) == ("C3", 7, False)
    assert Policy.from_json(None) == policy
    assert Policy.from_json({}) == policy
    assert Policy.from_json({"min_grade": "B2"}) == Policy("B2", 7)
    assert Policy.from_json({"window_days": 0}) == Policy("C3", 0)
    assert Policy.from_json({"min_grade": "A1", "window_days": MAX_WINDOW_DAYS}) == Policy("A1", MAX_WINDOW_DAYS)
    assert policy.as_json() == {"min_grade": "C3", "window_days": 7}
    assert policy.shown() == {"min_grade": "C3", "window_days": 7, "include_reported": False}
    assert Policy.from_json(Policy("B2", 3).as_json()) == Policy("B2", 3)


@pytest.mark.parametrize(
    ("data", "word"),
    [
        ([], "object"),
        ("C3", "object"),
        (7, "object"),
        ({"min_grade": "Z9"}, "min_grade"),
        ({"min_grade": "c3"}, "min_grade"),
        ({"min_grade": "C"}, "min_grade"),
        ({"min_grade": "C33"}, "min_grade"),
        ({"min_grade": ""}, "min_grade"),
        ({"min_grade": None}, "min_grade"),
        ({"min_grade": 3}, "min_grade"),
        ({"window_days": -1}, "window_days"),
        ({"window_days": MAX_WINDOW_DAYS + 1}, "window_days"),
        ({"window_days": "7"}, "window_days"),
        ({"window_days": 7.0}, "window_days"),
        ({"window_days": True}, "window_days"),
        ({"window_days": None}, "window_days"),
    ],
)
def test_a_bad_policy_is_an_input_error(data: object, word: str) -> None:
    with pytest.raises(InputError) as raised:
        Policy.from_json(data)
    assert word in str(raised.value)


def test_overridden_parses_the_grade_as_typed() -> None:
    assert Policy().overridden(min_grade=" b2 ") == Policy("B2", 7)
    assert Policy("B2", 3).overridden(include_reported=True) == Policy("B2", 3, include_reported=True)
    assert Policy("B2", 3).overridden() == Policy("B2", 3)
    with pytest.raises(InputError) as raised:
        Policy().overridden(min_grade="Z9")
    assert raised.value.field == "min_grade"


def test_set_policy_persists_and_governs_the_timeline(store: Store) -> None:
    said(store, "partial-only", "2025-03-13", grade="C3")
    assert store.timeline().cell(PARTY, ISSUE, "2025-03-13") is not None  # cached under the old policy

    assert store.set_policy(Policy("B2", 3)) == Policy("B2", 3)
    assert store.policy == Policy("B2", 3)
    again = Store(store.path)
    assert again.policy == Policy("B2", 3)
    assert again.policy.as_json() == {"min_grade": "B2", "window_days": 3}
    assert again.timeline().cell(PARTY, ISSUE, "2025-03-13") is None  # C3 is a report under B2
    assert store.timeline().cell(PARTY, ISSUE, "2025-03-13") is None
    assert again.timeline().matrix("2025-03-13").as_json()["policy"] == {
        "min_grade": "B2",
        "window_days": 3,
        "include_reported": False,
    }


def test_set_policy_keeps_the_rest_of_meta_and_the_statements(store: Store) -> None:
    statement = said(store, "partial-only", "2025-03-13")
    title = store.title
    store.set_policy(Policy("A2", 0))
    again = Store(store.path)
    assert again.title == title
    assert [s.id for s in again.revisions()] == [statement.id]
    assert not again.policy.include_reported  # an override is a run's, never stored


def test_a_bad_policy_in_the_file_is_a_clear_store_error(store: Store) -> None:
    data = orjson.loads(store.path.read_bytes())
    meta = next(iter(data["meta"].values()))
    meta["policy"] = {"min_grade": "Z9", "window_days": 7}
    store.path.write_bytes(orjson.dumps(data))
    with pytest.raises(StoreError) as raised:
        _ = Store(store.path).policy
    assert "policy" in str(raised.value)
