"""Are the parties converging? Gaps between their positions over time, computed from the timeline.

The scales run from Kyiv's pole (score 0) to Moscow's, so a distance means
something: the gap between two parties on an issue is the distance between
their positions' scores over the scale's span (0 the same stance, 1 opposite
poles), and the issue's *spread* is the widest gap among the parties with a
position. Positions follow the timeline's evidence rules (reports are not
positions, unless the policy counts them), so a gap is always one the record
supports.

A series walks the window once: a party's position can only change on one of
its own change days (``Timeline.change_days``), so each day re-reads only the
parties that spoke, not the whole matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from .evidence import Policy
from .model import Issue
from .timeline import Timeline

Scores = dict[str, int]
"""Each party's score on one issue's scale, for the parties with a position."""


@dataclass(frozen=True, slots=True)
class Point:
    """The spread of one issue on one day of the series."""

    date: str
    spread: float | None
    """None when fewer than two parties have a position."""

    def as_json(self) -> dict[str, Any]:
        return {"date": self.date, "spread": self.spread}


@dataclass(frozen=True, slots=True)
class Move:
    """One party of a pair whose position changed in the window, and whether that closed the gap."""

    party: str
    toward: tuple[str, ...] = ()
    away: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"party": self.party, "toward": list(self.toward), "away": list(self.away)}


@dataclass(frozen=True, slots=True)
class PairGap:
    """Two parties on one issue: their gap at the end of the window and at its start."""

    a: str
    b: str
    gap: float | None
    gap_since: float | None
    moved: tuple[Move, ...] = ()
    """Each of the two whose position changed from start to end (a first); a change of gap is theirs."""

    @property
    def change(self) -> float | None:
        if self.gap is None or self.gap_since is None:
            return None
        return self.gap - self.gap_since

    def as_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "gap": self.gap,
            "gap_since": self.gap_since,
            "moved": [m.as_json() for m in self.moved],
        }


@dataclass(frozen=True, slots=True)
class IssueGap:
    """One issue over the window: its spread then and now, the series between, and every pair."""

    issue: str
    spread: float | None
    spread_since: float | None
    series: tuple[Point, ...]
    """The window's start, then every day a position in the issue may have changed."""
    pairs: tuple[PairGap, ...]

    @property
    def change(self) -> float | None:
        if self.spread is None or self.spread_since is None:
            return None
        return self.spread - self.spread_since

    @property
    def moved_most(self) -> PairGap | None:
        """The pair whose gap changed most in the window (None if none changed)."""
        changed = [p for p in self.pairs if p.change]
        return max(changed, key=lambda p: abs(p.change or 0.0)) if changed else None

    def as_json(self) -> dict[str, Any]:
        return {
            "issue": self.issue,
            "spread": self.spread,
            "spread_since": self.spread_since,
            "series": [p.as_json() for p in self.series],
            "pairs": [p.as_json() for p in self.pairs],
        }


@dataclass(frozen=True, slots=True)
class Gaps:
    """Every issue asked for, over one window."""

    as_of: str
    since: str
    known_at: str | None
    policy: Policy
    issues: tuple[IssueGap, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "since": self.since,
            "known_at": self.known_at,
            "policy": self.policy.shown(),
            "issues": [i.as_json() for i in self.issues],
        }


def pair_gap(issue: Issue, score_a: int | None, score_b: int | None) -> float | None:
    """``|score_a - score_b|`` over the scale's span, or None if either has no position."""
    if score_a is None or score_b is None:
        return None
    span = len(issue.scale) - 1
    return abs(score_a - score_b) / span if span > 0 else 0.0


def spread(issue: Issue, scores: Scores) -> float | None:
    """The widest gap among the parties with a position (None with fewer than two)."""
    if len(scores) < 2:
        return None
    return pair_gap(issue, min(scores.values()), max(scores.values()))


def _scores(timeline: Timeline, issue: str, parties: Sequence[str], day: str) -> Scores:
    found = {}
    for party in parties:
        cell = timeline.cell(party, issue, day, reports=False)
        if cell is not None:
            found[party] = cell.stance.score
    return found


def _move(party: str, other: str, before: int | None, after: int | None, reference: int | None) -> Move | None:
    """How ``party``'s move from ``before`` to ``after`` changed its distance to ``other`` (at ``reference``).

    The other party's position is taken where it stood at the window's start, so that
    each party is credited only with its own move; a position that appeared or
    vanished is not a move (there is no gap at one end to compare).
    """
    if before is None or after is None or before == after:
        return None
    if reference is None:
        return Move(party)
    closer = abs(after - reference) - abs(before - reference)
    if closer < 0:
        return Move(party, toward=(other,))
    if closer > 0:
        return Move(party, away=(other,))
    return Move(party)


@dataclass(frozen=True, slots=True)
class Step:
    """Each party's score on one issue from one day on (the parties with a position)."""

    date: str
    scores: Scores


def steps(timeline: Timeline, issue: str, parties: Sequence[str], since: str, until: str) -> tuple[Step, ...]:
    """Where each party stood on the issue at ``since``, then on every day in (``since``, ``until``] one of them
    may have moved: the course the dashboard's trend view plots, and every spread of :func:`issue_gap`."""
    days: dict[str, list[str]] = {}
    for party in parties:
        for day in timeline.change_days(party, issue, since, until):
            days.setdefault(day, []).append(party)
    scores = _scores(timeline, issue, parties, since)
    found = [Step(since, scores)]
    for day in sorted(days):
        scores = dict(scores)
        for party in days[day]:
            cell = timeline.cell(party, issue, day, reports=False)
            if cell is None:
                scores.pop(party, None)
            else:
                scores[party] = cell.stance.score
        found.append(Step(day, scores))
    return tuple(found)


def spread_at(timeline: Timeline, issue: Issue, parties: Sequence[str], day: str) -> float | None:
    """The issue's spread on one day among these parties (the matrix's issue header)."""
    return spread(issue, _scores(timeline, issue.id, parties, day))


def issue_gap(
    timeline: Timeline,
    issue: Issue,
    since: str,
    until: str,
    parties: Sequence[str],
    pairs: Sequence[tuple[str, str]] = (),
) -> IssueGap:
    """One issue's gaps from ``since`` to ``until`` among ``parties`` (``pairs``: only those pairs)."""
    course = steps(timeline, issue.id, parties, since, until)
    start, scores = course[0].scores, course[-1].scores
    series = [Point(step.date, spread(issue, step.scores)) for step in course]
    chosen = list(pairs) or list(combinations(parties, 2))
    found = []
    for a, b in chosen:
        was_a, was_b, now_a, now_b = start.get(a), start.get(b), scores.get(a), scores.get(b)
        moves = (
            _move(a, b, was_a, now_a, was_b if was_b is not None else now_b),
            _move(b, a, was_b, now_b, was_a if was_a is not None else now_a),
        )
        found.append(
            PairGap(a, b, pair_gap(issue, now_a, now_b), pair_gap(issue, was_a, was_b), tuple(m for m in moves if m))
        )
    return IssueGap(issue.id, spread(issue, scores), spread(issue, start), tuple(series), tuple(found))


def gaps(
    timeline: Timeline,
    since: str,
    until: str,
    *,
    issues: Sequence[str] = (),
    parties: Sequence[str] = (),
    pairs: Sequence[tuple[str, str]] = (),
) -> Gaps:
    """The gaps of every issue asked for (default: all) among the parties asked for (default: all, or
    those of ``pairs``), from ``since`` to ``until``."""
    book = timeline.codebook
    party_ids = list(parties) or (
        [p.id for p in book.parties if any(p.id in pair for pair in pairs)] if pairs else [p.id for p in book.parties]
    )
    chosen = [book.require_issue(i) for i in issues] if issues else list(book.issues)
    found = tuple(issue_gap(timeline, issue, since, until, party_ids, pairs) for issue in chosen)
    return Gaps(until, since, timeline.known_at, timeline.policy, found)


# -- in words and in a line of blocks: what every surface shows -----------------------------

BARS = "▁▂▃▄▅▆▇█"
"""A spread of 0 is the lowest bar, 1 (opposite poles) the highest."""
NO_SPREAD = "·"
"""A slice of the sparkline where fewer than two parties had a position."""


def sparkline(series: Sequence[Point], since: str, until: str, width: int = 24) -> str:
    """The spread over the window in ``width`` characters, one per equal slice of days (its last day's value);
    ``·`` where fewer than two parties had a position."""
    from datetime import date

    if not series:
        return ""
    try:
        first, last = date.fromisoformat(since), date.fromisoformat(until)
    except ValueError:
        return ""
    days = max((last - first).days, 0)
    width = max(1, min(width, days or 1))
    marks = []
    at = 0
    for slot in range(1, width + 1):
        day = date.fromordinal(first.toordinal() + round(days * slot / width)).isoformat()
        while at + 1 < len(series) and series[at + 1].date <= day:
            at += 1
        value = series[at].spread
        marks.append(NO_SPREAD if value is None else BARS[round(value * (len(BARS) - 1))])
    return "".join(marks)


def number(value: float | None) -> str:
    """A gap or spread as shown: two decimals, "—" for none."""
    return "—" if value is None else f"{value:.2f}"


def signed(value: float | None) -> str:
    """A change of gap: "−0.50" (closer), "+0.25" (further apart), "0.00", or "—"."""
    if value is None:
        return "—"
    if abs(value) < 1e-9:
        return "0.00"
    return f"{'+' if value > 0 else '−'}{abs(value):.2f}"


def moved_words(pair: PairGap, name: Any) -> str:
    """Who moved in a pair, in words: "United States toward Russia"; ``name`` maps a party id to its name."""
    parts = []
    for move in pair.moved:
        if move.toward:
            parts.append(f"{name(move.party)} toward {', '.join(name(p) for p in move.toward)}")
        elif move.away:
            parts.append(f"{name(move.party)} away from {', '.join(name(p) for p in move.away)}")
        else:
            parts.append(f"{name(move.party)} moved (no closer)")
    return "; ".join(parts)
