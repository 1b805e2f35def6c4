"""``tracker gap`` as every format shows it: a row per issue in the table, a row per pair in the files.

The table answers the morning's question per issue: how far apart the parties
are now and at the window's start, which pair moved most and who moved, and
the spread's course over the window (a sparkline). JSON carries the series and
every pair (DESIGN.md, "Gap"); CSV and Markdown the same facts, flat.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from .formats import md_text, pipe_table
from .gap import Gaps, IssueGap, moved_words, number, signed, sparkline
from .model import Codebook
from .render import Block, Plain, View

GAP_COLUMNS = [
    "issue", "spread", "spread_since", "a", "b", "gap", "gap_since", "change", "moved",
]  # fmt: skip
"""One CSV row per pair of parties on an issue, with the issue's spread repeated on each."""

SUMMARY_COLUMNS = ["issue", "spread", "since", "change", "moved most", "who moved", "trend"]


def _namer(book: Codebook) -> Any:
    def name(party_id: str) -> str:
        party = book.party(party_id)
        return party.name if party else party_id

    return name


def _summary(found: IssueGap, gaps: Gaps, book: Codebook) -> list[str]:
    """An issue's row of the table and the brief."""
    name = _namer(book)
    issue = book.require_issue(found.issue)
    most = found.moved_most
    pair = f"{name(most.a)}–{name(most.b)} {number(most.gap_since)} → {number(most.gap)}" if most else "—"
    who = (moved_words(most, name) if most else "") or "—"
    return [
        issue.name,
        number(found.spread),
        number(found.spread_since),
        signed(found.change),
        pair,
        who,
        sparkline(found.series, gaps.since, gaps.as_of),
    ]


def gap_rows(gaps: Gaps) -> list[list[Any]]:
    """A row per pair of parties on each issue (``GAP_COLUMNS``)."""
    return [
        [
            found.issue,
            found.spread,
            found.spread_since,
            pair.a,
            pair.b,
            pair.gap,
            pair.gap_since,
            pair.change,
            moved_words(pair, str),  # in ids, for a file
        ]
        for found in gaps.issues
        for pair in found.pairs
    ]


def gap_heading(gaps: Gaps) -> str:
    known = f" (as known at {gaps.known_at})" if gaps.known_at else ""
    return f"Gaps between the parties: {gaps.since} → {gaps.as_of}{known}"


def gap_markdown(gaps: Gaps, book: Codebook, *, level: int = 2) -> str:
    """The gap table as the brief prints it: a row per issue, then how the spread is measured."""
    rows = [_summary(found, gaps, book) for found in gaps.issues]
    note = (
        "_Gap: the distance between two parties' positions over the scale's span (0 the same stance, "
        "1 opposite poles); spread: the widest gap on the issue._"
    )
    return f"{'#' * level} {md_text(gap_heading(gaps))}\n\n{pipe_table(SUMMARY_COLUMNS, rows)}\n{note}\n"


def gap_view(gaps: Gaps, book: Codebook, title: str) -> View:
    heading = gap_heading(gaps)
    table = Table(title=Plain(f"{title}: {heading}"), title_justify="left")
    table.add_column("issue", no_wrap=True)
    for column in ("spread", "since", "change"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("trend", no_wrap=True)
    moves: list[Text] = []
    for found in gaps.issues:
        name, spread, since, change, pair, who, trend = _summary(found, gaps, book)
        table.add_row(Plain(name), Plain(spread), Plain(since), Plain(change), Plain(trend))
        if found.moved_most is not None:
            moves.append(Plain(f"{name}: {pair}" + (f" — {who}" if who != "—" else "")))
    parts: list[RenderableType] = [table]
    if moves:
        parts += [Plain("Moved most, and who moved", style="bold"), Block(moves, indent=2)]
    parts.append(
        Plain(
            "gap: the distance between two parties' positions over the scale's span (0 the same stance, "
            "1 opposite poles); spread: the widest gap on the issue; trend: the spread over the window, "
            "▁ close to █ far apart, · while fewer than two parties had a position",
            style="dim",
        )
    )
    return View(
        gaps.as_json,
        GAP_COLUMNS,
        gap_rows(gaps),
        heading,
        Group(*parts),
        lambda: gap_markdown(gaps, book),
        "No issues to compare.",
    )
