"""The gap rules: distances between positions over the scale's span, spreads, series and who moved.

Each test records statements in a real store (``Store.add``, or ``import_statements`` where the
record time matters) and reads the gaps from its timeline; every expected value is worked out by
hand from the default codebook's scales (ceasefire: immediate-full 0 … after-capitulation 4, a span
of 4; sanctions: tighten 0 … lift 3, a span of 3).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tracker.dates import parse_instant
from tracker.evidence import Policy
from tracker.gap import NO_SPREAD, Move, Point, gaps, issue_gap, pair_gap, signed, sparkline, spread
from tracker.model import Issue, Stance, Statement
from tracker.store import Store, default_tables


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.create(tmp_path / "gap.json", default_tables("Gaps"))


def said(store: Store, party: str, stance: str, on: str, issue: str = "ceasefire", **more: Any) -> Statement:
    fields = {"party": party, "issue": issue, "stance": stance, "stated_on": on, "speaker": f"{party} speaker"}
    return store.add({"channel": "official", "grade": "A1", **fields, **more})


def test_the_gap_is_the_distance_over_the_span() -> None:
    two = Issue("yesno", "Yes or no", "?", scale=(Stance("yes", "Yes", 0), Stance("no", "No", 1)))
    assert pair_gap(two, 0, 1) == 1.0 and pair_gap(two, 1, 1) == 0.0
    five = Issue("five", "Five", "?", scale=tuple(Stance(f"s{n}", f"S{n}", n) for n in range(5)))
    assert pair_gap(five, 1, 4) == 0.75
    assert pair_gap(five, None, 4) is None
    one = Issue("one", "One", "?", scale=(Stance("only", "Only", 0),))
    assert pair_gap(one, 0, 0) == 0.0  # a scale of one step has no span: everyone agrees
    assert spread(five, {"a": 0, "b": 2, "c": 3}) == 0.75
    assert spread(five, {"a": 3}) is None  # one party alone has no gap to anyone


def test_a_series_steps_only_on_change_days_and_credits_the_mover(store: Store) -> None:
    said(store, "russia", "root-causes-first", "2025-03-01")  # 3
    said(store, "ukraine", "immediate-full", "2025-03-01")  # 0
    said(store, "usa", "conditional", "2025-03-01")  # 1
    said(store, "russia", "partial-only", "2025-03-10")  # 3 -> 2
    found = issue_gap(store.timeline(), store.codebook.require_issue("ceasefire"), "2025-03-05", "2025-03-20",
                      ["russia", "ukraine", "usa"])  # fmt: skip
    assert found.spread_since == 0.75 and found.spread == 0.5
    assert found.series == (Point("2025-03-05", 0.75), Point("2025-03-10", 0.5))
    pairs = {(p.a, p.b): p for p in found.pairs}
    assert (pairs["russia", "ukraine"].gap_since, pairs["russia", "ukraine"].gap) == (0.75, 0.5)
    assert pairs["russia", "ukraine"].moved == (Move("russia", toward=("ukraine",)),)
    assert pairs["russia", "usa"].moved == (Move("russia", toward=("usa",)),)  # 2 steps -> 1 step
    assert pairs["ukraine", "usa"].moved == () and pairs["ukraine", "usa"].change == 0.0
    most = found.moved_most
    assert most is not None and abs(most.change or 0) == 0.25


def test_moving_past_the_other_party_is_judged_by_the_distance(store: Store) -> None:
    said(store, "russia", "conditional", "2025-03-01")  # 1
    said(store, "ukraine", "partial-only", "2025-03-01")  # 2
    said(store, "russia", "after-capitulation", "2025-03-10")  # 1 -> 4: from 1 step below to 2 above
    (found,) = gaps(store.timeline(), "2025-03-05", "2025-03-20", issues=["ceasefire"]).issues
    (pair,) = [p for p in found.pairs if (p.a, p.b) == ("russia", "ukraine")]
    assert (pair.gap_since, pair.gap) == (0.25, 0.5)
    assert pair.moved == (Move("russia", away=("ukraine",)),)


def test_no_position_and_reported_only_cells_have_no_gap(store: Store) -> None:
    said(store, "russia", "lift", "2025-03-01", issue="sanctions")
    said(store, "ukraine", "tighten", "2025-03-01", issue="sanctions", channel="media-report")  # a report
    (found,) = gaps(store.timeline(), "2025-02-01", "2025-03-31", issues=["sanctions"]).issues
    assert found.spread is None and found.spread_since is None  # one position: no gap to anyone
    pair = next(p for p in found.pairs if (p.a, p.b) == ("russia", "ukraine"))
    assert pair.gap is None and pair.moved == ()
    # counted as positions, the report makes a gap of the whole scale
    loose = Policy(include_reported=True)
    (counted,) = gaps(store.timeline(policy=loose), "2025-02-01", "2025-03-31", issues=["sanctions"]).issues
    assert counted.spread == 1.0 and counted.spread_since is None
    assert counted.series == (Point("2025-02-01", None), Point("2025-03-01", 1.0))


def test_a_withdrawal_is_a_step_of_the_series(store: Store) -> None:
    said(store, "russia", "lift", "2025-03-01", issue="sanctions")  # 3
    said(store, "ukraine", "tighten", "2025-03-01", issue="sanctions")  # 0
    maintain = said(store, "ukraine", "maintain", "2025-03-05", issue="sanctions")  # 1
    store.retract(maintain.id, "misheard", withdrawn_on="2025-03-12")
    (found,) = gaps(store.timeline(), "2025-03-02", "2025-03-31", issues=["sanctions"]).issues
    values = [(p.date, round(p.spread or 0, 4)) for p in found.series]
    assert values == [("2025-03-02", 1.0), ("2025-03-05", 0.6667), ("2025-03-12", 1.0)]


def test_known_at_before_a_correction_gives_the_gap_the_file_held(store: Store) -> None:
    said(store, "russia", "root-causes-first", "2025-03-01")  # 3
    ukraine = said(store, "ukraine", "immediate-full", "2025-03-01")  # 0
    before = parse_instant(ukraine.recorded_at)
    store.correct(ukraine.id, {"stance": "partial-only"}, reason="misread")  # 2
    now = gaps(store.timeline(), "2025-03-01", "2025-03-31", issues=["ceasefire"]).issues[0]
    then = gaps(store.timeline(before), "2025-03-01", "2025-03-31", issues=["ceasefire"]).issues[0]
    assert (now.spread, then.spread) == (0.25, 0.75)


def test_pairs_and_parties_narrow_the_answer(store: Store) -> None:
    for party, stance in (("russia", "lift"), ("ukraine", "tighten"), ("usa", "phased-relief")):
        said(store, party, stance, "2025-03-01", issue="sanctions")
    only = gaps(store.timeline(), "2025-03-01", "2025-03-31", issues=["sanctions"], pairs=[("usa", "russia")])
    (found,) = only.issues
    assert [(p.a, p.b) for p in found.pairs] == [("usa", "russia")]
    assert found.spread == pytest.approx(1 / 3)  # among the parties of the pairs asked for
    some = gaps(store.timeline(), "2025-03-01", "2025-03-31", issues=["sanctions"], parties=["russia", "ukraine"])
    assert some.issues[0].spread == 1.0 and len(some.issues[0].pairs) == 1


def test_the_sparkline_samples_the_window() -> None:
    series = (Point("2025-01-01", None), Point("2025-01-11", 1.0), Point("2025-01-21", 0.0))
    line = sparkline(series, "2025-01-01", "2025-01-31", width=6)
    # slices end on 01-06, 01-11, 01-16, 01-21, 01-26, 01-31; before two parties spoke: marked
    assert line == f"{NO_SPREAD}██▁▁▁"
    assert sparkline(series, "2025-01-01", "2025-01-01") in {NO_SPREAD, "█", "▁"}  # one day: one mark
    assert (signed(-0.5), signed(0.25), signed(0.0), signed(None)) == ("−0.50", "+0.25", "0.00", "—")
